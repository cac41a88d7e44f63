package pipecgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** --self-test's verdicts, against small fake servers that each misbehave in one way. */
@Timeout(30)
class SelfTestTest {
  /** How the fake server answers. */
  enum Behaviour {
    /** pipecgi's response kept as it is, on a persistent connection: all is well. */
    KEEPS,
    /** An Apache that does not trust the length: chunks for 1.1, closes 1.0. */
    CHUNKS,
    /** Keep-alive off. */
    CLOSES,
    /** A service that does not echo. */
    ANSWERS_OK,
    NOT_FOUND
  }

  private ServerSocket listener;

  @AfterEach
  void stop() throws IOException {
    if (listener != null) {
      listener.close();
    }
  }

  private String start(Behaviour behaviour) throws IOException {
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      while (!listener.isClosed()) {
        try {
          Socket s = listener.accept();
          new Thread(() -> serve(s, behaviour)).start();
        } catch (IOException e) {
          return;
        }
      }
    });
    t.setDaemon(true);
    t.start();
    return "http://127.0.0.1:" + listener.getLocalPort() + "/cgi-bin/echo.cgi";
  }

  private static void serve(Socket s, Behaviour behaviour) {
    try (s) {
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      while (true) {
        String requestLine = line(in);
        if (requestLine == null) {
          return;
        }
        boolean http10 = requestLine.endsWith("HTTP/1.0");
        int length = 0;
        for (String h; !(h = line(in)).isEmpty(); ) {
          if (h.toLowerCase().startsWith("content-length:")) {
            length = Integer.parseInt(h.substring(15).trim());
          }
        }
        byte[] body = in.readNBytes(length);
        if (behaviour == Behaviour.ANSWERS_OK) {
          body = "ok\n".getBytes(StandardCharsets.US_ASCII);
        }
        String v = http10 ? "HTTP/1.0" : "HTTP/1.1";
        ByteArrayOutputStream r = new ByteArrayOutputStream();
        switch (behaviour) {
          case NOT_FOUND:
            r.writeBytes(ascii(v + " 404 Not Found\r\nContent-Length: 0\r\n\r\n"));
            break;
          case CHUNKS:
            if (http10) {
              r.writeBytes(ascii(v + " 200 OK\r\nServer: Apache/2.4.71 (Debian)\r\n"
                  + "Connection: close\r\n\r\n"));
              r.writeBytes(body);
            } else {
              r.writeBytes(ascii(v + " 200 OK\r\nServer: Apache/2.4.71 (Debian)\r\n"
                  + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(body.length)
                  + "\r\n"));
              r.writeBytes(body);
              r.writeBytes(ascii("\r\n0\r\n\r\n"));
            }
            break;
          default:
            r.writeBytes(ascii(v + " 200 OK\r\nServer: fake\r\nContent-Length: " + body.length
                + (behaviour == Behaviour.CLOSES ? "\r\nConnection: close"
                    : http10 ? "\r\nConnection: keep-alive" : "") + "\r\n\r\n"));
            r.writeBytes(body);
        }
        out.write(r.toByteArray());
        out.flush();
        if (behaviour == Behaviour.CLOSES || behaviour == Behaviour.CHUNKS && http10) {
          return;
        }
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  private static String line(InputStream in) throws IOException {
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

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String[] selfTest(String url) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit = new Main(Map.of(), new ByteArrayInputStream(new byte[0]), out,
        new ByteArrayOutputStream()).run(new String[] {"--self-test", url});
    return new String[] {Integer.toString(exit), out.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void aServerThatKeepsLengthConnectionAndOrderPasses() throws Exception {
    String url = start(Behaviour.KEEPS);
    String[] r = selfTest(url);
    assertEquals("0", r[0], r[1]);
    assertEquals(List.of(
        "pipecgi self-test of " + url,
        "ok    HTTP/1.1: the server kept pipecgi's Content-Length",
        "ok    HTTP/1.1: one connection answered 5 requests in a row",
        "ok    HTTP/1.0: the server kept pipecgi's Content-Length",
        "ok    HTTP/1.0 keep-alive: one connection answered 5 requests in a row",
        "ok    5 pipelined requests (sent in one write) were answered in order on one connection",
        "result: ok: a persistent, pipelined channel (fake)"), r[1].lines().toList());
  }

  @Test
  void anApacheThatDropsTheLengthIsToldToTrustIt() throws Exception {
    String[] r = selfTest(start(Behaviour.CHUNKS));
    assertEquals("1", r[0], r[1]);
    assertTrue(r[1].contains("FAIL  HTTP/1.1: the server did not keep pipecgi's Content-Length"
        + " (it sent chunks)\n      fix: Apache 2.4.59 and later"), r[1]);
    assertTrue(r[1].contains("FAIL  HTTP/1.0: the server closed the connection after 1 request\n"
        + "      fix: as above"), r[1]);
    assertTrue(r[1].contains("Add 'SetEnv ap_trust_cgilike_cl 1'"), r[1]);
    assertTrue(r[1].endsWith("result: 3 problems (Apache/2.4.71 (Debian))\n"), r[1]);
  }

  @Test
  void aServerWithoutKeepAliveIsToldToTurnItOn() throws Exception {
    String[] r = selfTest(start(Behaviour.CLOSES));
    assertEquals("1", r[0], r[1]);
    assertTrue(r[1].contains("FAIL  HTTP/1.1: the server closed the connection after 1 request\n"
        + "      fix: turn keep-alive on"), r[1]);
    assertTrue(r[1].contains("FAIL  of 5 pipelined requests only 1 were answered"), r[1]);
  }

  @Test
  void anEndpointThatDoesNotEchoIsCheckedForFramingOnly() throws Exception {
    String[] r = selfTest(start(Behaviour.ANSWERS_OK));
    assertEquals("0", r[0], r[1]);
    assertTrue(r[1].contains("note  the endpoint does not send back its request body"), r[1]);
    assertTrue(r[1].contains("ok    5 pipelined requests (sent in one write) were answered on"
        + " one connection"), r[1]);
  }

  @Test
  void anErrorStatusStopsTheTestWithAHint() throws Exception {
    String[] r = selfTest(start(Behaviour.NOT_FOUND));
    assertEquals("1", r[0], r[1]);
    assertTrue(r[1].contains("FAIL  the test could not go on: request 1 got 404 instead of 200"),
        r[1]);
  }

  @Test
  void noServerIsSaidPlainly() throws Exception {
    ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    String url = "http://127.0.0.1:" + closed.getLocalPort() + "/echo.cgi";
    closed.close();
    String[] r = selfTest(url);
    assertEquals("1", r[0]);
    assertTrue(r[1].contains("FAIL  the test could not go on: Connection refused\nresult: 1 problem\n"),
        r[1]);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://example.org/x", "not a url", "http:///nohost"})
  void aBadUrlIsRefused(String url) {
    String[] r = selfTest(url);
    assertEquals("1", r[0]);
    assertTrue(r[1].startsWith("pipecgi: error: --self-test: '" + url + "' is not"), r[1]);
  }
}
