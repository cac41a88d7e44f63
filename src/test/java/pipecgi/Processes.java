package pipecgi;

import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/** Finds test processes by a unique marker in their command line, to prove none is left behind. */
public final class Processes {
  private Processes() {}

  /** A sleep duration no other process on the machine uses, such as "900.4711042". */
  public static String uniqueSleep() {
    return uniqueSleep(900);
  }

  /** {@code seconds} and a fraction no other process on the machine uses, such as "3.4711042". */
  public static String uniqueSleep(int seconds) {
    long n = UUID.randomUUID().getMostSignificantBits() & 0xffffff;
    return seconds + "." + n;
  }

  public static List<ProcessHandle> withArgument(String marker) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().arguments().map(a -> List.of(a).contains(marker)).orElse(false))
        .collect(Collectors.toList());
  }

  /**
   * Waits until no live process has {@code marker} as an argument, for up to {@link Await#HANG};
   * returns those still there.
   */
  public static List<ProcessHandle> awaitGone(String marker) throws InterruptedException {
    long deadline = System.nanoTime() + Await.HANG.toNanos();
    List<ProcessHandle> left = withArgument(marker);
    while (!left.isEmpty() && System.nanoTime() - deadline < 0) {
      Thread.sleep(50);
      left = withArgument(marker);
    }
    return left;
  }
}
