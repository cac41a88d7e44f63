package pipecgi;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One client connection, in raw HTTP/1.x, through what stands between a client and pipecgi: to
 * the server itself, over TLS with a certificate that the test trusts (and whose name is checked,
 * as a browser would), or to a forward proxy, which is sent each request with the whole URL
 * (absolute form, RFC 9112 section 3.2.2). The requests are HttpConnection's.
 */
final class ChainConnection implements AutoCloseable {
  /** One response, read in full. */
  record Reply(String version, int status, Map<String, String> headers, byte[] body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** Whether the connection ends after this response (RFC 9112 section 9.3). */
    boolean closes() {
      String c = String.valueOf(header("connection")).toLowerCase(Locale.ROOT);
      return c.contains("close") || version.equals("HTTP/1.0") && !c.contains("keep-alive");
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  /** The forward proxy's address, or null to go to the server itself. */
  private final InetSocketAddress proxy;

  /**
   * A connection for requests to {@code server} (an http or https URL), through {@code proxy}
   * when it is not null; {@code tls} is the client's TLS (its trusted certificates) for https.
   */
  ChainConnection(URI server, InetSocketAddress proxy, SSLContext tls) throws IOException {
    this.proxy = proxy;
    InetSocketAddress to = proxy != null ? proxy
        : new InetSocketAddress(server.getHost(), server.getPort());
    Socket plain = new Socket();
    plain.connect(to, 60_000);
    if (server.getScheme().equals("https")) {
      if (proxy != null) {
        throw new IllegalArgumentException("https through a proxy needs a CONNECT tunnel");
      }
      SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(plain, server.getHost(),
          server.getPort(), true);
      SSLParameters p = s.getSSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS");
      s.setSSLParameters(p);
      s.startHandshake();
      socket = s;
    } else {
      socket = plain;
    }
    // Generous: the machine is shared and slow, and pipelined requests wait their turn.
    socket.setSoTimeout(120_000);
    socket.setTcpNoDelay(true);
    in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    out = socket.getOutputStream();
  }

  /** HttpConnection's request, with the whole URL as its target when it goes to a proxy. */
  byte[] request(String method, URI uri, String version, byte[] body) {
    byte[] r = pipecgi.selftest.HttpConnection.request(method, uri, version, body, false);
    if (proxy == null) {
      return r;
    }
    int space = indexOf(r, (byte) ' ', 0);
    int end = indexOf(r, (byte) ' ', space + 1);
    ByteArrayOutputStream absolute = new ByteArrayOutputStream();
    absolute.write(r, 0, space + 1);
    absolute.writeBytes(uri.toString().getBytes(StandardCharsets.US_ASCII));
    absolute.write(r, end, r.length - end);
    return absolute.toByteArray();
  }

  void send(byte[] request) throws IOException {
    out.write(request);
    out.flush();
  }

  Reply exchange(String method, URI uri, String version, byte[] body) throws IOException {
    send(request(method, uri, version, body));
    return read(method);
  }

  /** Reads the next response, to a request made with {@code method}. */
  Reply read(String method) throws IOException {
    String[] status = line().split(" ", 3);
    if (status.length < 2 || !status[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP/1.x status line: " + String.join(" ", status));
    }
    int code = Integer.parseInt(status[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String h; !(h = line()).isEmpty(); ) {
      int colon = h.indexOf(':');
      headers.merge(h.substring(0, colon).toLowerCase(Locale.ROOT),
          h.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
    }
    String encoding = headers.getOrDefault("transfer-encoding", "");
    String length = headers.get("content-length");
    byte[] body;
    if (method.equals("HEAD") || code < 200 || code == 204 || code == 304) {
      body = new byte[0];
    } else if (encoding.toLowerCase(Locale.ROOT).endsWith("chunked")) {
      body = chunks();
    } else if (length != null) {
      body = exactly(Integer.parseInt(length));
    } else {
      body = in.readAllBytes();
    }
    return new Reply(status[0], code, headers, body);
  }

  private byte[] chunks() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (int n; (n = Integer.parseInt(line().replaceFirst(";.*", "").trim(), 16)) > 0; ) {
      body.writeBytes(exactly(n));
      line();
    }
    while (!line().isEmpty()) {
      // trailer fields: not needed
    }
    return body.toByteArray();
  }

  private byte[] exactly(int n) throws IOException {
    byte[] b = in.readNBytes(n);
    if (b.length != n) {
      throw new EOFException("the connection ended inside a body of " + n + " bytes");
    }
    return b;
  }

  private String line() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b; (b = in.read()) != '\n'; ) {
      if (b < 0) {
        throw new EOFException("the connection was closed");
      }
      line.write(b);
    }
    String s = line.toString(StandardCharsets.ISO_8859_1);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  private static int indexOf(byte[] b, byte c, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    throw new IllegalArgumentException("no request line");
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
