package pipecgi;

import java.time.Duration;

/**
 * Waiting in tests for something that is going to happen. The deadline only protects against a
 * hang: it is long enough for the slowest, busiest machine, and a passing test never waits for it.
 * No test asserts on how long something took.
 */
public final class Await {
  /** How long a test waits before it calls a wait a hang. */
  public static final Duration HANG = Duration.ofMinutes(2);

  private static final long POLL_MILLIS = 20;

  /** Something a test can ask again and again. */
  public interface Condition {
    boolean holds() throws Exception;
  }

  private Await() {}

  /** Returns once {@code condition} holds; fails, saying {@code what} did not happen, on a hang. */
  public static void until(String what, Condition condition) throws Exception {
    long deadline = System.nanoTime() + HANG.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("still not so after " + HANG.toMinutes() + " minutes: " + what);
      }
      Thread.sleep(POLL_MILLIS);
    }
  }
}
