package pipecgi;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSocket;

/**
 * A fake web server for --self-test's tests, on loopback, plain or over TLS: it answers as one
 * kind of deployment does, well or badly, and notes each request line it gets and each SNI name
 * it is sent.
 */
final class FakeServer implements AutoCloseable {
  /** How it answers. */
  enum Behaviour {
    /** pipecgi's response kept as it is, on a persistent connection: all is well. */
    KEEPS,
    /** An Apache that does not trust the length: chunks for 1.1, closes 1.0. */
    CHUNKS,
    /** Keep-alive off. */
    CLOSES,
    /** A service that does not echo. */
    ANSWERS_OK,
    /** A bare 404, with no header that names who sent it. */
    NOT_FOUND,
    /** The warm gateway: pipecgi's answers, a Date, and no Server header. */
    GATEWAY,
    /** pipecgi's own error answer: 502, whose cause is in the error log. */
    PIPECGI_502,
    /** nginx's own 404 page. */
    NGINX_404,
    /** squid's own error to anything, CONNECT included: 400, ERR_INVALID_URL. */
    SQUID_400,
    /** A session endpoint of the gateway, whose service echoes. */
    SESSIONS,
    /** The same, whose service says nothing: a receive is never answered. */
    SESSIONS_SILENT,
    /** The same, whose service has exited: a send is answered 410. */
    SESSIONS_ENDED,
    /** The same, whose service writes its lines back last first. */
    SESSIONS_REORDERED
  }

  static final String SQUID_PAGE = "<html><body>ERROR: The requested URL could not be"
      + " retrieved</body></html>\n";

  final List<String> requestLines = new CopyOnWriteArrayList<>();
  final List<String> sniNames = new CopyOnWriteArrayList<>();
  private final Behaviour behaviour;
  private final boolean tls;
  private final ServerSocket listener;
  /** The session's lines, as its service has "written" them. */
  private final List<String> sessionLines = new CopyOnWriteArrayList<>();

  private FakeServer(Behaviour behaviour, SSLServerSocketFactory tls) throws IOException {
    this.behaviour = behaviour;
    this.tls = tls != null;
    InetAddress loopback = InetAddress.getLoopbackAddress();
    this.listener = tls == null ? new ServerSocket(0, 50, loopback)
        : tls.createServerSocket(0, 50, loopback);
  }

  static FakeServer start(Behaviour behaviour) throws IOException {
    return start(behaviour, null);
  }

  /** Starts answering as {@code behaviour}; over TLS with {@code tls}, unless null. */
  static FakeServer start(Behaviour behaviour, SSLServerSocketFactory tls) throws IOException {
    FakeServer server = new FakeServer(behaviour, tls);
    Thread t = new Thread(server::accept, "fake-server");
    t.setDaemon(true);
    t.start();
    return server;
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Its echo endpoint's URL, at 127.0.0.1. */
  String url() {
    return url("127.0.0.1");
  }

  String url(String host) {
    return (tls ? "https" : "http") + "://" + host + ":" + port() + "/cgi-bin/echo.cgi";
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket s = listener.accept();
        Thread t = new Thread(() -> serve(s), "fake-server-connection");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      if (s instanceof SSLSocket ssl) {
        ssl.startHandshake();
        for (SNIServerName n : ((ExtendedSSLSession) ssl.getSession()).getRequestedServerNames()) {
          sniNames.add(n instanceof SNIHostName h ? h.getAsciiName() : n.toString());
        }
      }
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      for (String line; (line = line(in)) != null; ) {
        requestLines.add(line);
        Map<String, String> headers = new HashMap<>();
        for (String h; (h = line(in)) != null && !h.isEmpty(); ) {
          int colon = h.indexOf(':');
          headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT),
              h.substring(colon + 1).trim());
        }
        if ("100-continue".equalsIgnoreCase(headers.get("expect"))) {
          out.write(ascii("HTTP/1.1 100 Continue\r\n\r\n"));
          out.flush();
        }
        byte[] body = "chunked".equalsIgnoreCase(headers.get("transfer-encoding")) ? chunks(in)
            : in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
        byte[] answer = answer(line, headers, body);
        if (answer == null) {
          in.read(); // a receive never answered: until the client leaves
          return;
        }
        out.write(answer);
        out.flush();
        if (closesAfter(line)) {
          return;
        }
      }
    } catch (IOException e) {
      // the client went away, or refused the certificate
    }
  }

  private boolean closesAfter(String requestLine) {
    return behaviour == Behaviour.CLOSES || behaviour == Behaviour.SQUID_400
        || behaviour == Behaviour.CHUNKS && requestLine.endsWith("HTTP/1.0");
  }

  private byte[] answer(String requestLine, Map<String, String> headers, byte[] body) {
    boolean http10 = requestLine.endsWith("HTTP/1.0");
    String v = http10 ? "HTTP/1.0" : "HTTP/1.1";
    String keepAlive = http10 ? "Connection: keep-alive\r\n" : "";
    switch (behaviour) {
      case NOT_FOUND:
        return ascii(v + " 404 Not Found\r\nContent-Length: 0\r\n\r\n");
      case CHUNKS:
        return http10
            ? concat(ascii(v + " 200 OK\r\nServer: Apache/2.4.71 (Debian)\r\n"
                + "Connection: close\r\n\r\n"), body)
            : concat(ascii(v + " 200 OK\r\nServer: Apache/2.4.71 (Debian)\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(body.length)
                + "\r\n"), body, ascii("\r\n0\r\n\r\n"));
      case CLOSES:
        return concat(ascii(v + " 200 OK\r\nServer: fake\r\nContent-Length: " + body.length
            + "\r\nConnection: close\r\n\r\n"), body);
      case ANSWERS_OK:
        return ascii(v + " 200 OK\r\nServer: fake\r\nContent-Length: 3\r\n" + keepAlive
            + "\r\nok\n");
      case GATEWAY:
        return concat(ascii(v + " 200 OK\r\nDate: Mon, 30 Nov 2026 10:00:00 GMT\r\n"
            + "Content-Type: application/octet-stream\r\nX-Content-Type-Options: nosniff\r\n"
            + keepAlive + "Content-Length: " + body.length + "\r\n\r\n"), body);
      case PIPECGI_502:
        return pipecgiError(v, 502, "Bad Gateway", "Server: Apache/2.4.71 (Debian)\r\n");
      case NGINX_404:
        String page = "<html><head><title>404 Not Found</title></head></html>\n";
        return ascii(v + " 404 Not Found\r\nServer: nginx/1.22.1\r\nContent-Type: text/html\r\n"
            + keepAlive + "Content-Length: " + page.length() + "\r\n\r\n" + page);
      case SQUID_400:
        return ascii("HTTP/1.1 400 Bad Request\r\nServer: squid/5.7\r\nContent-Type:"
            + " text/html;charset=utf-8\r\nX-Squid-Error: ERR_INVALID_URL 0\r\nVia: 1.1 fake"
            + " (squid/5.7)\r\nConnection: close\r\nContent-Length: " + SQUID_PAGE.length()
            + "\r\n\r\n" + SQUID_PAGE);
      case SESSIONS:
      case SESSIONS_SILENT:
      case SESSIONS_ENDED:
      case SESSIONS_REORDERED:
        return session(requestLine, headers, body);
      default:
        return concat(ascii(v + " 200 OK\r\nServer: fake\r\nContent-Length: " + body.length
            + "\r\n" + keepAlive + "\r\n"), body);
    }
  }

  /** The session protocol, as pipecgi's gateway speaks it (see pipecgi.session.Sessions). */
  private byte[] session(String requestLine, Map<String, String> headers, byte[] body) {
    String method = requestLine.substring(0, requestLine.indexOf(' '));
    String id = headers.get("pipecgi-session");
    String fields = "Date: Mon, 30 Nov 2026 10:00:00 GMT\r\nCache-Control: no-store\r\n";
    if (id == null) {
      return pipecgiError("HTTP/1.1", 400, "Bad Request", fields);
    }
    fields += "X-Content-Type-Options: nosniff\r\n";
    if (id.equals("new")) {
      return ascii("HTTP/1.1 201 Created\r\n" + fields + "Pipecgi-Session: s3cr3t\r\n"
          + "Pipecgi-Cursor: 0\r\nContent-Length: 0\r\n\r\n");
    } else if (method.equals("POST") && behaviour == Behaviour.SESSIONS_ENDED) {
      return ascii("HTTP/1.1 410 Gone\r\n" + fields + "Pipecgi-Close: 1011 the service exited"
          + " with status 3\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 9\r\n"
          + "\r\n410 Gone\n");
    } else if (method.equals("POST")) {
      sessionLines.add(new String(body, StandardCharsets.UTF_8));
      return ascii("HTTP/1.1 204 No Content\r\n" + fields + "\r\n");
    } else if (method.equals("GET") && behaviour == Behaviour.SESSIONS_SILENT) {
      return null;
    } else if (method.equals("GET")) {
      List<String> written = new ArrayList<>(sessionLines);
      if (behaviour == Behaviour.SESSIONS_REORDERED) {
        Collections.reverse(written);
      }
      String lines = String.join("", written);
      return ascii("HTTP/1.1 200 OK\r\n" + fields + "Content-Type: text/plain; charset=utf-8\r\n"
          + "Pipecgi-Cursor: " + sessionLines.size() + "\r\nContent-Length: " + lines.length()
          + "\r\n\r\n" + lines);
    }
    return ascii("HTTP/1.1 204 No Content\r\n" + fields + "\r\n");
  }

  private static byte[] pipecgiError(String version, int status, String reason, String fields) {
    String text = status + " " + reason + "\n";
    return ascii(version + " " + status + " " + reason + "\r\n" + fields
        + "Content-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\n"
        + "Content-Length: " + text.length() + "\r\n\r\n" + text);
  }

  private static byte[] chunks(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (int n; (n = Integer.parseInt(line(in), 16)) > 0; line(in)) {
      body.writeBytes(in.readNBytes(n));
    }
    line(in); // the blank line after the last chunk
    return body.toByteArray();
  }

  static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c; (c = in.read()) != '\n'; ) {
      if (c < 0) {
        return null;
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      all.writeBytes(p);
    }
    return all.toByteArray();
  }

  /** The request lines it got, each cut to its method and target. */
  List<String> targets() {
    List<String> targets = new ArrayList<>();
    for (String l : requestLines) {
      targets.add(l.substring(0, l.lastIndexOf(' ')));
    }
    return targets;
  }
}
