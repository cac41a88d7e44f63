package pipecgi.fastcgi;

import java.io.IOException;
import java.io.OutputStream;

/** A request's STDOUT or STDERR as an output stream: each write is one or more records. */
final class RecordStream extends OutputStream {
  private final RecordWriter writer;
  private final int type;
  private final int requestId;

  RecordStream(RecordWriter writer, int type, int requestId) {
    this.writer = writer;
    this.type = type;
    this.requestId = requestId;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (len > 0) {
      writer.write(type, requestId, b, off, len);
    }
  }
}
