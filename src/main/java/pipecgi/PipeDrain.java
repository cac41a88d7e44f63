package pipecgi;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads one of a child process's output pipes until the child has exited and the pipe is empty,
 * without ever blocking in read.
 *
 * <p>Why not a plain read loop: a background process the service started can hold the pipe open
 * after the service exits, so end of file may never come. The JDK does end the stream when the
 * service exits (its reaper drains the pipe and closes it), but it takes the stream's lock to do
 * so, and a reader blocked in read holds that lock: the reaper then waits for the reader, and the
 * reader for the background process. So the reader reads only what {@code available()} promises,
 * and otherwise naps for a moment, briefly at first.
 */
final class PipeDrain {
  /** Takes each chunk read; returns false to stop reading. */
  interface Sink {
    boolean accept(byte[] bytes, int length) throws IOException;
  }

  private static final long FIRST_NAP_NANOS = 20_000;
  private static final long LONGEST_NAP_NANOS = 1_000_000;

  private PipeDrain() {}

  /** Returns true once the child has exited and everything it wrote was taken, false if stopped. */
  static boolean drain(Process child, InputStream pipe, byte[] buffer, Sink sink)
      throws IOException {
    long nap = FIRST_NAP_NANOS;
    while (true) {
      // In this order: once the child has exited, whatever it wrote is already in the pipe.
      boolean exited = !child.isAlive();
      int available = pipe.available();
      if (available > 0) {
        int n = pipe.read(buffer, 0, Math.min(available, buffer.length));
        if (n > 0 && !sink.accept(buffer, n)) {
          return false;
        }
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
