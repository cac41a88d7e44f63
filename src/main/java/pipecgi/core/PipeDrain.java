package pipecgi.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads a child process's output pipes (stdout and stderr, on one thread: the request's own)
 * until the child has exited and the pipes are empty, or a deadline passes, without ever blocking
 * in read.
 *
 * <p>Why not a plain read loop: a background process the service started can hold a pipe open
 * after the service exits, so end of file may never come. The JDK does end the stream when the
 * service exits (its reaper drains the pipe and closes it), but it takes the stream's lock to do
 * so, and a reader blocked in read holds that lock: the reaper then waits for the reader, and the
 * reader for the background process. So the reader reads only what {@code available()} promises,
 * and otherwise naps: briefly while output comes, longer while the child is silent (a long poll
 * may wait for minutes, and a warm gateway has hundreds of them), and not at all once the
 * child has exited: the exit wakes the drain (see {@link ServiceProcess#run}).
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

  /** How a drain ended. */
  enum End {
    /** The child has exited and everything it wrote was taken. */
    DRAINED,
    /** A sink refused more. */
    STOPPED,
    /** The deadline ({@link System#nanoTime}) passed first. */
    DEADLINE,
    /** The thread was interrupted (its interrupt status stays set). */
    INTERRUPTED
  }

  /** Drains {@code pipes[i]} into {@code sinks[i]}, until {@code deadline} at the latest. */
  static End drain(Process child, InputStream[] pipes, Sink[] sinks, byte[] buffer,
      long deadline) throws IOException {
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
            return End.STOPPED;
          }
          read = true;
        }
      }
      long left = deadline - System.nanoTime();
      if (read && left > 0) {
        nap = FIRST_NAP_NANOS;
      } else if (exited && !read) {
        return End.DRAINED;
      } else if (left <= 0) {
        return End.DEADLINE;
      } else if (Thread.currentThread().isInterrupted()) {
        return End.INTERRUPTED;
      } else {
        LockSupport.parkNanos(Math.min(nap, left));
        nap = Math.min(2 * nap, LONGEST_NAP_NANOS);
      }
    }
  }
}
