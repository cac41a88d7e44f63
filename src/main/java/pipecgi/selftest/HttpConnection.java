package pipecgi.selftest;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import pipecgi.core.HttpSyntax;
import pipecgi.core.LogText;
import pipecgi.core.Response;

/**
 * One client connection to a web server, spoken in raw HTTP/1.x, so that how the server frames
 * each response (a Content-Length, chunks, or the end of the connection) and whether it keeps the
 * connection open can be seen; directly, or through a forward proxy (a request naming the whole
 * URL, or a CONNECT tunnel for TLS). For --self-test and the tests; never used to answer a request.
 */
public final class HttpConnection implements Closeable {
  /** How a response's body was delimited (RFC 9112 section 6.3). */
  public enum Framing {
    LENGTH,
    CHUNKED,
    CLOSE,
    /** HEAD, 1xx, 204 and 304 responses, which have no body. */
    NONE
  }

  /** One response, read in full. */
  public static final class Reply {
    public final String version;
    public final int status;
    public final List<String> names = new ArrayList<>();
    public final List<String> values = new ArrayList<>();
    public Framing framing;
    public byte[] body = new byte[0];

    Reply(String version, int status) {
      this.version = version;
      this.status = status;
    }

    public String header(String name) {
      for (int i = 0; i < names.size(); i++) {
        if (names.get(i).equalsIgnoreCase(name)) {
          return values.get(i);
        }
      }
      return null;
    }

    /** Whether the server said it will close the connection after this response. */
    public boolean closes() {
      String connection = header("Connection");
      String c = connection == null ? "" : connection.toLowerCase(Locale.ROOT);
      if (framing == Framing.CLOSE || c.contains("close")) {
        return true;
      }
      return "HTTP/1.0".equals(version) && !c.contains("keep-alive");
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  /** A connection straight to {@code uri}'s server; over TLS, its certificate checked. */
  public HttpConnection(URI uri, int timeoutMillis) throws IOException {
    this(new Target(uri, null, "https".equals(uri.getScheme()) ? defaultTls() : null),
        timeoutMillis);
  }

  /** A connection to {@code target}'s endpoint: through its proxy if it has one, over TLS. */
  HttpConnection(Target target, int timeoutMillis) throws IOException {
    this(open(target, timeoutMillis));
  }

  private HttpConnection(Socket socket) throws IOException {
    this.socket = socket;
    in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    out = socket.getOutputStream();
  }

  private static Tls defaultTls() throws IOException {
    try {
      return Tls.verifying(List.of());
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  private static Socket open(Target t, int timeoutMillis) throws IOException {
    Proxy proxy = t.proxy;
    Socket plain = new Socket();
    try {
      InetSocketAddress address = proxy == null ? new InetSocketAddress(t.host(), t.port())
          : new InetSocketAddress(Proxy.unbracketed(proxy.host), proxy.port);
      if (address.isUnresolved()) {
        throw new UnknownHostException("cannot resolve the host name " + address.getHostString()
            + (proxy == null ? "" : " of the proxy " + proxy + " (" + proxy.source + ")"));
      }
      try {
        plain.connect(address, timeoutMillis);
      } catch (IOException e) {
        throw proxy == null ? e : new Failure("cannot connect to the proxy " + proxy + " ("
            + proxy.source + "): " + e.getMessage(), "fix: check the proxy's address and that"
            + " it runs, or go without it (no --proxy; no_proxy=" + t.host() + ")");
      }
      plain.setSoTimeout(timeoutMillis);
      plain.setTcpNoDelay(true);
      if (!t.https()) {
        return plain;
      }
      if (proxy != null) {
        tunnel(plain, t);
      }
      return t.tls.handshake(plain, t.host(), t.port());
    } catch (IOException | RuntimeException e) {
      plain.close();
      throw e;
    }
  }

  /** Asks the proxy for a tunnel to the endpoint (RFC 9110 9.3.6), for TLS to go through. */
  private static void tunnel(Socket plain, Target t) throws IOException {
    // Its buffer holds nothing past the proxy's answer: the server says nothing in the tunnel
    // before TLS's first message, which the client sends.
    HttpConnection proxy = new HttpConnection(plain);
    proxy.send(t.connectRequest());
    Reply r = proxy.read("CONNECT");
    if (r.status / 100 != 2) {
      throw new Failure("the proxy " + t.proxy + " (" + t.proxy.source + ") did not open a"
          + " tunnel to " + t.authority() + ": " + r.status + " "
          + Response.reasonPhrase(r.status) + ", " + Answerer.named(r), Answerer.proxyFix(r));
    }
  }

  /**
   * A request for {@code uri}. HTTP/1.0 requests ask for keep-alive; a null body sends no
   * Content-Length; {@code chunked} sends the body in chunks instead.
   */
  public static byte[] request(String method, URI uri, String version, byte[] body,
      boolean chunked) {
    return request(method, originForm(uri), uri.getRawAuthority(), version, List.of(), body,
        chunked);
  }

  /** The path and query of {@code uri}, as a request line names them to the server itself. */
  static String originForm(URI uri) {
    String target = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return uri.getRawQuery() == null ? target : target + "?" + uri.getRawQuery();
  }

  static byte[] request(String method, String target, String host, String version,
      List<String> headers, byte[] body, boolean chunked) {
    StringBuilder head = new StringBuilder();
    head.append(method).append(' ').append(target).append(' ').append(version).append("\r\n");
    head.append("Host: ").append(host).append("\r\n");
    if ("HTTP/1.0".equals(version)) {
      head.append("Connection: keep-alive\r\n");
    }
    for (String h : headers) {
      head.append(h).append("\r\n");
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    if (body != null && chunked) {
      head.append("Transfer-Encoding: chunked\r\n\r\n");
      bytes.writeBytes(ascii(head.toString()));
      for (int at = 0; at < body.length; at += 8192) {
        int n = Math.min(8192, body.length - at);
        bytes.writeBytes(ascii(Integer.toHexString(n) + "\r\n"));
        bytes.write(body, at, n);
        bytes.writeBytes(ascii("\r\n"));
      }
      bytes.writeBytes(ascii("0\r\n\r\n"));
    } else {
      if (body != null) {
        head.append("Content-Length: ").append(body.length).append("\r\n");
      }
      bytes.writeBytes(ascii(head.append("\r\n").toString()));
      if (body != null) {
        bytes.writeBytes(body);
      }
    }
    return bytes.toByteArray();
  }

  public void send(byte[] request) throws IOException {
    out.write(request);
    out.flush();
  }

  /** Reads the next response, to a request made with {@code method}. */
  public Reply read(String method) throws IOException {
    String statusLine = line();
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].matches("[0-9]{3}")) {
      throw new IOException("not an HTTP/1.x status line: " + printable(statusLine));
    }
    Reply r = new Reply(parts[0], Integer.parseInt(parts[1]));
    for (String h; !(h = line()).isEmpty(); ) {
      int colon = h.indexOf(':');
      if (colon <= 0) {
        throw new IOException("not a header line: " + printable(h));
      }
      r.names.add(h.substring(0, colon));
      r.values.add(HttpSyntax.trim(h.substring(colon + 1)));
    }
    readBody(r, method);
    return r;
  }

  private void readBody(Reply r, String method) throws IOException {
    String encoding = r.header("Transfer-Encoding");
    String length = r.header("Content-Length");
    if ("HEAD".equals(method) || r.status < 200 || r.status == 204 || r.status == 304
        || "CONNECT".equals(method) && r.status / 100 == 2) {
      r.framing = Framing.NONE;
    } else if (encoding != null && encoding.toLowerCase(Locale.ROOT).endsWith("chunked")) {
      r.framing = Framing.CHUNKED;
      r.body = chunks();
    } else if (length != null) {
      r.framing = Framing.LENGTH;
      r.body = in.readNBytes(Integer.parseInt(length));
      if (r.body.length != Integer.parseInt(length)) {
        throw new EOFException("the connection ended inside a body of " + length + " bytes");
      }
    } else {
      r.framing = Framing.CLOSE;
      r.body = in.readAllBytes();
    }
  }

  private byte[] chunks() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String size = line();
      int semicolon = size.indexOf(';');
      int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
      if (n == 0) {
        while (!line().isEmpty()) {
          // trailer fields: not needed
        }
        return body.toByteArray();
      }
      byte[] chunk = in.readNBytes(n);
      if (chunk.length != n) {
        throw new EOFException("the connection ended inside a chunk");
      }
      body.writeBytes(chunk);
      if (!line().isEmpty()) {
        throw new IOException("no CRLF after a chunk");
      }
    }
  }

  /** Whether the server has closed its end: waits up to {@code millis} for it to do so. */
  public boolean closedByServer(int millis) throws IOException {
    int saved = socket.getSoTimeout();
    socket.setSoTimeout(millis);
    try {
      in.mark(1);
      int b = in.read();
      in.reset();
      return b < 0;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset by the server
    } finally {
      socket.setSoTimeout(saved);
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b; (b = in.read()) != '\n'; ) {
      if (b < 0) {
        throw new EOFException(line.size() == 0 ? "the server closed the connection"
            : "the connection ended inside a line");
      }
      if (line.size() > 65536) {
        throw new IOException("a line over 64 KiB");
      }
      line.write(b);
    }
    byte[] bytes = line.toByteArray();
    int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
    return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
  }

  private static String printable(String line) {
    ByteArrayOutputStream escaped = new ByteArrayOutputStream();
    byte[] bytes = ascii(line);
    LogText.escape(bytes, 0, Math.min(bytes.length, 200), escaped);
    return escaped.toString(StandardCharsets.UTF_8);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
