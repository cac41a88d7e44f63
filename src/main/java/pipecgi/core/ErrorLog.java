package pipecgi.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The server's error log, which for a CGI program is its stderr. Every entry is one line, prefixed
 * with the endpoint's name so that an administrator with many endpoints knows which one spoke, and
 * written in a single call, under the stream's lock, so that lines from different threads and
 * endpoints never interleave.
 */
public final class ErrorLog {
  private final OutputStream err;
  private final byte[] prefix;

  /** A log whose lines start with {@code pipecgi[endpoint]: }, or {@code pipecgi: } if it is null. */
  public ErrorLog(OutputStream err, String endpoint) {
    this.err = err;
    this.prefix =
        (endpoint == null ? "pipecgi: " : "pipecgi[" + endpoint + "]: ")
            .getBytes(StandardCharsets.UTF_8);
  }

  /** Logs one of pipecgi's own messages; any untrusted text in it is escaped. */
  public void line(String message) {
    byte[] b = message.getBytes(StandardCharsets.UTF_8);
    line(null, b, 0, b.length);
  }

  /** Logs untrusted bytes (a line of the service's stderr) after {@code tag}. */
  public void line(String tag, byte[] b, int off, int len) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(prefix.length + len + 16);
    out.write(prefix, 0, prefix.length);
    if (tag != null) {
      byte[] t = tag.getBytes(StandardCharsets.UTF_8);
      out.write(t, 0, t.length);
    }
    LogText.escape(b, off, len, out);
    out.write('\n');
    synchronized (err) {
      try {
        out.writeTo(err);
        err.flush();
      } catch (IOException e) {
        // The error log is gone; there is nowhere left to report that.
      }
    }
  }
}
