package pipecgi.cgi;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads and drops what is left of the request body after an answer that did not need it (405,
 * 413, 400, a bad configuration). A CGI program that exits with its input unread breaks the
 * server's side: mod_cgid's socket then reports a reset instead of an end of file, and Apache cuts
 * a response it is chunking; mod_cgi, which writes the whole body before it reads the answer, gives
 * up on the client's connection.
 */
final class UnreadBody extends Thread {
  /** Enough for any body a server passes on loopback; a slower one is not waited for. */
  static final long WAIT_MILLIS = 10_000;

  private final InputStream in;

  private UnreadBody(InputStream in) {
    super("pipecgi-unread-body");
    this.in = in;
    setDaemon(true);
  }

  /** Reads {@code in} to its end, for at most {@link #WAIT_MILLIS}. */
  static void discard(InputStream in) {
    UnreadBody reader = new UnreadBody(in);
    reader.start();
    try {
      reader.join(WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void run() {
    byte[] buffer = new byte[64 * 1024];
    try {
      while (in.read(buffer) >= 0) {
        // dropped
      }
    } catch (IOException e) {
      // The server closed it: nothing is left to read.
    }
  }
}
