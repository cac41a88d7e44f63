package pipecgi.fastcgi;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;

/**
 * A request's body as it arrives in STDIN records: the connection's reader puts each record's
 * content in, and the request reads it as a stream. At most {@link #CAPACITY} bytes wait, so a
 * large body is read as fast as it is taken; once the request no longer reads (it answered
 * without the body, or ended), what comes is dropped, and the reader never waits for it.
 */
final class StdinPipe extends InputStream {
  static final int CAPACITY = 256 * 1024;

  private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
  private int waiting;
  private byte[] current;
  private int position;
  private boolean ended;
  private boolean abandoned;
  private String failure;

  /** Puts {@code b} in; waits while the request has more than enough to read. */
  synchronized void put(byte[] b) throws InterruptedException {
    while (waiting >= CAPACITY && !abandoned) {
      wait();
    }
    if (!abandoned && b.length > 0) {
      chunks.add(b);
      waiting += b.length;
      notifyAll();
    }
  }

  /** The body is complete (the empty STDIN record). */
  synchronized void end() {
    ended = true;
    notifyAll();
  }

  /** The body will never be complete: the connection ended or broke the protocol. */
  synchronized void fail(String why) {
    failure = why;
    notifyAll();
  }

  /** The request reads no more: drop what is waiting and what comes. */
  synchronized void abandon() {
    abandoned = true;
    chunks.clear();
    waiting = 0;
    notifyAll();
  }

  @Override
  public synchronized int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public synchronized int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (current == null || position == current.length) {
      current = chunks.poll();
      position = 0;
      if (current != null) {
        waiting -= current.length;
        notifyAll();
      } else if (failure != null) {
        throw new IOException(failure);
      } else if (ended || abandoned) {
        return -1;
      } else {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for the request body");
        }
      }
    }
    int n = Math.min(len, current.length - position);
    System.arraycopy(current, position, b, off, n);
    position += n;
    return n;
  }
}
