package pipecgi.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads a child process's output pipes (stdout and stderr, on one thread) until the child has
 * exited and the pipes are empty, without ever blocking in read.
 *
 * <p>Why not a plain read loop: a background process the service started can hold a pipe open
 * after the service exits, so end of file may never come. The JDK does end the stream when the
 * service exits (its reaper drains the pipe and closes it), but it takes the stream's lock to do
 * so, and a reader blocked in read holds that lock: the reaper then waits for the reader, and the
 * reader for the background process. So the reader reads only what {@code available()} promises,
 * and otherwise naps: briefly while output comes, longer while the child is silent (a long poll
 * may wait for minutes, and a warm gateway has hundreds of them), and not at all once the
 * child has exited, since whoever waits for the exit wakes the drain with {@link
 * LockSupport#unpark}.
 */
final class PipeDrain {
  /** Takes each chunk read; returns false to stop reading. */
  interface Sink {
    boolean accept(byte[] bytes, int length) throws IOException;
  }

  private static final long FIRST_NAP_NANOS = 20_000;
  /** At most this long before output that follows a silence is read: the pipe holds 64 KiB. */
  private static final long LONGEST_NAP_NANOS = 50_000_000;

  private PipeDrain() {}

  /**
   * Drains {@code pipes[i]} into {@code sinks[i]}. Returns true once the child has exited and
   * everything it wrote was taken, false if a sink stopped it.
   */
  static boolean drain(Process child, InputStream[] pipes, Sink[] sinks, byte[] buffer)
      throws IOException {
    long nap = FIRST_NAP_NANOS;
    while (true) {
      // In this order: once the child has exited, whatever it wrote is already in the pipes.
      boolean exited = !child.isAlive();
      boolean read = false;
      for (int i = 0; i < pipes.length; i++) {
        int available = pipes[i].available();
        if (available > 0) {
          int n = pipes[i].read(buffer, 0, Math.min(available, buffer.length));
          if (n > 0 && !sinks[i].accept(buffer, n)) {
            return false;
          }
          read = true;
        }
      }
      if (read) {
        nap = FIRST_NAP_NANOS;
      } else if (exited) {
        return true;
      } else {
        LockSupport.parkNanos(nap);
        nap = Math.min(2 * nap, LONGEST_NAP_NANOS);
      }
    }
  }
}
