package pipecgi.fastcgi;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes records to a connection. A write is one record (or, for long content, several), whole
 * and under the writer's lock, since a request's output and its log lines come from different
 * threads. An answer's STDOUT records gather in a buffer and go out with its END_REQUEST, in as
 * few writes as their size allows: a server that reads the answer, then waits for END_REQUEST in
 * a packet of its own, would otherwise wait for a delayed ACK (about 40 ms through nginx over
 * TCP), and lighttpd, which closes the connection once it has the body, would cut END_REQUEST off.
 */
final class RecordWriter {
  /** Content is sent in records of at most this much: a multiple of 8, so no padding between. */
  private static final int CHUNK = 32 * 1024;

  private final OutputStream out;
  private final byte[] header = new byte[Record.HEADER_LENGTH];

  RecordWriter(OutputStream out) {
    this.out = new BufferedOutputStream(out, 2 * CHUNK);
  }

  /**
   * Writes {@code len} bytes of a stream (STDOUT, STDERR) in as many records as it takes. STDERR
   * (log lines) goes out at once, the rest with the request's end.
   */
  synchronized void write(int type, int requestId, byte[] b, int off, int len)
      throws IOException {
    do {
      int n = Math.min(len, CHUNK);
      record(type, requestId, b, off, n);
      off += n;
      len -= n;
    } while (len > 0);
    if (type != Record.STDOUT) {
      out.flush();
    }
  }

  /** The end of a stream: a record with no content (sent with what follows it). */
  synchronized void end(int type, int requestId) throws IOException {
    record(type, requestId, new byte[0], 0, 0);
  }

  /** END_REQUEST (section 5.5): the application's status and the protocol's. */
  synchronized void endRequest(int requestId, int appStatus, int protocolStatus)
      throws IOException {
    byte[] body = {(byte) (appStatus >>> 24), (byte) (appStatus >>> 16), (byte) (appStatus >>> 8),
        (byte) appStatus, (byte) protocolStatus, 0, 0, 0};
    record(Record.END_REQUEST, requestId, body, 0, body.length);
    out.flush();
  }

  /** One record, padded to a multiple of 8 bytes as the specification recommends. */
  private void record(int type, int requestId, byte[] b, int off, int len) throws IOException {
    int padding = (8 - len % 8) % 8;
    header[0] = Record.VERSION_1;
    header[1] = (byte) type;
    header[2] = (byte) (requestId >>> 8);
    header[3] = (byte) requestId;
    header[4] = (byte) (len >>> 8);
    header[5] = (byte) len;
    header[6] = (byte) padding;
    header[7] = 0;
    out.write(header);
    out.write(b, off, len);
    out.write(new byte[padding]);
  }
}
