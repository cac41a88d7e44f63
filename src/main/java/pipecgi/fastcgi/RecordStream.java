package pipecgi.fastcgi;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A request's STDOUT or STDERR as an output stream: each write is one or more records. What a
 * STDERR stream cannot send (the web server has closed the connection) goes to {@code fallback},
 * pipecgi's own stderr, so that no log line is lost with the connection.
 */
final class RecordStream extends OutputStream {
  private final RecordWriter writer;
  private final int type;
  private final int requestId;
  private final OutputStream fallback;

  RecordStream(RecordWriter writer, int type, int requestId) {
    this(writer, type, requestId, null);
  }

  RecordStream(RecordWriter writer, int type, int requestId, OutputStream fallback) {
    this.writer = writer;
    this.type = type;
    this.requestId = requestId;
    this.fallback = fallback;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return;
    }
    try {
      writer.write(type, requestId, b, off, len);
    } catch (IOException e) {
      if (fallback == null) {
        throw e;
      }
      synchronized (fallback) {
        fallback.write(b, off, len);
        fallback.flush();
      }
    }
  }
}
