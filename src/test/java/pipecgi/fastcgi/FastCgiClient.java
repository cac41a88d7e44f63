package pipecgi.fastcgi;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A web server's side of a FastCGI connection, record by record, for the tests. */
public final class FastCgiClient implements AutoCloseable {
  final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  public FastCgiClient(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(120_000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  /** One record's bytes, with padding as a server would send it. */
  static byte[] record(int type, int id, byte[] content) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int padding = (8 - content.length % 8) % 8;
    b.writeBytes(new byte[] {1, (byte) type, (byte) (id >> 8), (byte) id,
        (byte) (content.length >> 8), (byte) content.length, (byte) padding, 0});
    b.writeBytes(content);
    b.writeBytes(new byte[padding]);
    return b.toByteArray();
  }

  static byte[] begin(int id, int role, boolean keep) {
    return record(Record.BEGIN_REQUEST, id,
        new byte[] {(byte) (role >> 8), (byte) role, (byte) (keep ? 1 : 0), 0, 0, 0, 0, 0});
  }

  /** A whole request: BEGIN_REQUEST, its PARAMS, its STDIN, each stream ended. */
  public static byte[] request(int id, boolean keep, Map<String, String> params,
      byte[] body) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(begin(id, Record.RESPONDER, keep));
    b.writeBytes(record(Record.PARAMS, id, Params.encode(params)));
    b.writeBytes(record(Record.PARAMS, id, new byte[0]));
    for (int at = 0; at < body.length; at += 60_000) {
      b.writeBytes(record(Record.STDIN, id, java.util.Arrays.copyOfRange(body, at,
          Math.min(body.length, at + 60_000))));
    }
    b.writeBytes(record(Record.STDIN, id, new byte[0]));
    return b.toByteArray();
  }

  public void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** The next record, or null when the application closed the connection. */
  Record next() throws IOException {
    byte[] h = new byte[8];
    try {
      in.readFully(h);
    } catch (EOFException e) {
      return null;
    }
    int length = (h[4] & 0xff) << 8 | h[5] & 0xff;
    byte[] content = new byte[length];
    in.readFully(content);
    in.readFully(new byte[h[6] & 0xff]);
    return new Record(h[1] & 0xff, (h[2] & 0xff) << 8 | h[3] & 0xff, content);
  }

  /** A request's answer: its STDOUT, its STDERR, and END_REQUEST's statuses. */
  public record Answer(byte[] stdout, String stderr, int appStatus, int protocolStatus,
      List<Record> records) {
    String text() {
      return new String(stdout, StandardCharsets.ISO_8859_1);
    }
  }

  /** Reads records up to END_REQUEST for {@code id}; null if the connection ends first. */
  public Answer answer(int id) throws IOException {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    List<Record> records = new ArrayList<>();
    for (Record r; (r = next()) != null; ) {
      records.add(r);
      if (r.requestId() != id) {
        throw new IOException("a record for request " + r.requestId() + " while waiting for " + id);
      }
      if (r.type() == Record.STDOUT) {
        stdout.writeBytes(r.content());
      } else if (r.type() == Record.STDERR) {
        stderr.writeBytes(r.content());
      } else if (r.type() == Record.END_REQUEST) {
        byte[] c = r.content();
        int app = (c[0] & 0xff) << 24 | (c[1] & 0xff) << 16 | (c[2] & 0xff) << 8 | c[3] & 0xff;
        return new Answer(stdout.toByteArray(), stderr.toString(StandardCharsets.UTF_8), app,
            c[4] & 0xff, records);
      }
    }
    return null;
  }

  /** Whether the application closed the connection (reads until it does, or a record comes). */
  boolean closedByApplication() throws IOException {
    try {
      return next() == null;
    } catch (IOException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
