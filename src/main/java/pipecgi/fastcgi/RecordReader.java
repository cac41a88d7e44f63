package pipecgi.fastcgi;

import java.io.IOException;
import java.io.InputStream;

/** Reads records from a connection, strictly: any record that breaks a rule is an exception. */
final class RecordReader {
  private final InputStream in;
  private final byte[] header = new byte[Record.HEADER_LENGTH];

  RecordReader(InputStream in) {
    this.in = in;
  }

  /** The next record, or null when the connection ends cleanly between two records. */
  Record next() throws IOException, ProtocolException {
    int first = in.read();
    if (first < 0) {
      return null;
    }
    header[0] = (byte) first;
    readFully(header, 1, Record.HEADER_LENGTH - 1, "a record's header");
    int version = header[0] & 0xff;
    if (version != Record.VERSION_1) {
      throw new ProtocolException("a record of version " + version + " (only 1 exists)");
    }
    int type = header[1] & 0xff;
    int requestId = (header[2] & 0xff) << 8 | header[3] & 0xff;
    int length = (header[4] & 0xff) << 8 | header[5] & 0xff;
    int padding = header[6] & 0xff;
    byte[] content = new byte[length];
    readFully(content, 0, length, "a " + Record.name(type) + " record's " + length + " bytes");
    skip(padding);
    return new Record(type, requestId, content);
  }

  private void readFully(byte[] b, int off, int len, String what)
      throws IOException, ProtocolException {
    int n = in.readNBytes(b, off, len);
    if (n < len) {
      throw new ProtocolException("the connection ended in the middle of " + what);
    }
  }

  private void skip(int padding) throws IOException, ProtocolException {
    if (padding > 0) {
      readFully(new byte[padding], 0, padding, "a record's padding");
    }
  }
}
