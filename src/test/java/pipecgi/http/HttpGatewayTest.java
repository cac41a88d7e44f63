package pipecgi.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import pipecgi.Await;
import pipecgi.Burst;
import pipecgi.selftest.HttpConnection;

/**
 * The warm gateway's HTTP, through real sockets to a gateway in this JVM: keep-alive, pipelining,
 * chunked bodies, Expect: 100-continue, HEAD, OPTIONS, the statuses and which of them keep the
 * connection, the limits, and the meta-variables a service sees.
 */
@Timeout(300)
class HttpGatewayTest {
  @TempDir static Path dir;
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    Map<String, String> endpoints = new LinkedHashMap<>();
    endpoints.put("echo", "command = /bin/cat\nmax-request-bytes = 2M\n");
    endpoints.put("small", "command = /bin/cat\nmax-request-bytes = 1K\n");
    endpoints.put("env", "command = /usr/bin/env\ncontent-type = text/plain\n");
    endpoints.put("fixed", "command = /bin/echo fixed output\n");
    endpoints.put("fail", "command = /bin/sh -c 'exit 3'\n");
    endpoints.put("slow", "command = /bin/sleep 30\ntimeout = 0.5\n");
    endpoints.put("broken", "command = /bin/cat\ntimout = 5\n");
    gateway = TestGateway.start(dir, endpoints);
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private static byte[] body(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static HttpConnection.Reply exchange(HttpConnection c, String method, String path,
      String version, byte[] body) throws IOException {
    c.send(HttpConnection.request(method, gateway.uri(path), version, body, false));
    return c.read(method);
  }

  private static Map<String, String> environment(HttpConnection.Reply r) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : new String(r.body, StandardCharsets.UTF_8).split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        env.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return env;
  }

  @ParameterizedTest
  @ValueSource(strings = {"HTTP/1.1", "HTTP/1.0"})
  void manyRequestsOnOneKeepAliveConnection(String version) throws Exception {
    try (HttpConnection c = gateway.connect()) {
      for (int i = 0; i < 20; i++) {
        byte[] sent = body(i * 1000, i);
        HttpConnection.Reply r = exchange(c, "POST", "/echo", version, sent);
        assertEquals(200, r.status);
        assertEquals(HttpConnection.Framing.LENGTH, r.framing);
        assertArrayEquals(sent, r.body);
        assertFalse(r.closes(), "request " + i);
      }
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    int n = 100;
    List<byte[]> bodies = new ArrayList<>();
    ByteArrayOutputStream burst = new ByteArrayOutputStream();
    for (int i = 0; i < n; i++) {
      String method = i % 4 == 0 ? "GET" : i % 4 == 1 ? "HEAD" : "POST";
      byte[] b = method.equals("POST") ? body(i * 997 % 70_000, i) : new byte[0];
      bodies.add(b);
      burst.writeBytes(HttpConnection.request(method, gateway.uri("/echo.cgi?n=" + i),
          "HTTP/1.1", method.equals("POST") ? b : null, false));
    }
    try (HttpConnection c = gateway.connect()) {
      CompletableFuture<Void> writer = Burst.sendAside(c::send, burst.toByteArray());
      for (int i = 0; i < n; i++) {
        String method = i % 4 == 0 ? "GET" : i % 4 == 1 ? "HEAD" : "POST";
        HttpConnection.Reply r = c.read(method);
        assertEquals(200, r.status, "request " + i);
        assertArrayEquals(bodies.get(i), r.body, "request " + i);
      }
      writer.get();
      assertArrayEquals(body(7, 7), exchange(c, "POST", "/echo", "HTTP/1.1", body(7, 7)).body);
    }
  }

  @Test
  void aChunkedBodyReachesTheServiceWhole() throws Exception {
    byte[] sent = body(300_000, 3);
    try (HttpConnection c = gateway.connect()) {
      c.send(HttpConnection.request("POST", gateway.uri("/echo"), "HTTP/1.1", sent, true));
      HttpConnection.Reply r = c.read("POST");
      assertEquals(200, r.status);
      assertArrayEquals(sent, r.body);
      c.send(HttpConnection.request("POST", gateway.uri("/env"), "HTTP/1.1", sent, true));
      assertEquals("300000", environment(c.read("POST")).get("CONTENT_LENGTH"),
          "the service is told the length it gets");
    }
  }

  /** RFC 9110 10.1.1: the final status at once when the header fields decide it. */
  @Test
  void expectContinueGets413BeforeTheBodyIsSentAnd100Otherwise() throws Exception {
    try (Socket s = new Socket("127.0.0.1", gateway.gateway.port())) {
      s.setSoTimeout(120_000);
      s.getOutputStream().write(("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n"
          + "Expect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String answer = head(s.getInputStream());
      assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
    }
    try (Socket s = new Socket("127.0.0.1", gateway.gateway.port())) {
      s.setSoTimeout(120_000);
      OutputStream out = s.getOutputStream();
      out.write(("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
          + "Expect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      assertEquals("HTTP/1.1 100 Continue", head(s.getInputStream()).trim());
      out.write("hello".getBytes(StandardCharsets.US_ASCII));
      assertTrue(head(s.getInputStream()).startsWith("HTTP/1.1 200 "));
    }
  }

  /** Reads up to the end of a response's header section. */
  private static String head(InputStream in) throws IOException {
    ByteArrayOutputStream h = new ByteArrayOutputStream();
    while (!h.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      h.write(b);
    }
    return h.toString(StandardCharsets.ISO_8859_1);
  }

  @Test
  void headHasTheLengthOfGetAndNoBody() throws Exception {
    try (HttpConnection c = gateway.connect()) {
      HttpConnection.Reply get = exchange(c, "GET", "/fixed", "HTTP/1.1", null);
      HttpConnection.Reply head = exchange(c, "HEAD", "/fixed", "HTTP/1.1", null);
      assertEquals("fixed output\n", new String(get.body, StandardCharsets.US_ASCII));
      assertEquals(200, head.status);
      assertEquals("13", head.header("Content-Length"));
      assertEquals(0, head.body.length);
      assertEquals(200, exchange(c, "GET", "/fixed", "HTTP/1.1", null).status, "still open");
    }
  }

  @Test
  void optionsIs204WithAllow() throws Exception {
    HttpConnection.Reply r = gateway.request("OPTIONS", "/echo", null);
    assertEquals(204, r.status);
    assertEquals("GET, HEAD, POST, OPTIONS", r.header("Allow"));
    assertEquals("nosniff", r.header("X-Content-Type-Options"));
  }

  /** Each status HTTP does not force a close for leaves the connection open for the next one. */
  @ParameterizedTest(name = "{0} {1}: {2}")
  @CsvSource({"GET, /nowhere, 404", "PUT, /echo, 405", "POST, /small, 413", "GET, /fail, 502",
      "GET, /slow, 504", "GET, /broken, 500"})
  void anErrorStatusKeepsTheConnection(String method, String path, int status) throws Exception {
    byte[] sent = method.equals("GET") ? null : body(2000, 1);
    try (HttpConnection c = gateway.connect()) {
      HttpConnection.Reply r = exchange(c, method, path, "HTTP/1.1", sent);
      assertEquals(status, r.status);
      assertEquals(status + " " + pipecgi.core.Response.reasonPhrase(status) + "\n",
          new String(r.body, StandardCharsets.US_ASCII), "a short text, nothing of the cause");
      assertEquals("nosniff", r.header("X-Content-Type-Options"));
      assertFalse(r.closes());
      assertArrayEquals(body(5, 5), exchange(c, "POST", "/echo", "HTTP/1.1", body(5, 5)).body);
    }
  }

  @Test
  void aBrokenConfigurationIsThatEndpoints500AndALogLineNamingTheLine() throws Exception {
    gateway.request("GET", "/broken", null);
    Await.until("the log names the problem", () -> gateway.log().contains(
        "pipecgi[broken]: 500 Internal Server Error: bad configuration: " + dir.resolve(
            "broken.conf") + " line 2: unknown key 'timout'"));
  }

  static Stream<Arguments> refusedByJetty() {
    String long9k = "a".repeat(9000);
    return Stream.of(
        Arguments.of("GET /" + long9k + " HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        Arguments.of("GET /echo HTTP/1.1\r\nHost: x\r\nX-Big: " + long9k + "\r\n\r\n", 431),
        Arguments.of("GET /echo HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", 400),
        Arguments.of("BROKEN\r\n\r\n", 400));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("refusedByJetty")
  void whatJettyRefusesGetsPipecgisShortAnswer(String request, int status) throws Exception {
    try (Socket s = new Socket("127.0.0.1", gateway.gateway.port())) {
      s.setSoTimeout(120_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      byte[] answer = s.getInputStream().readAllBytes();
      String text = new String(answer, StandardCharsets.ISO_8859_1);
      assertTrue(text.startsWith("HTTP/1.1 " + status + " "), text);
      assertTrue(text.contains("\r\nX-Content-Type-Options: nosniff\r\n"), text);
      assertTrue(text.endsWith("\r\n\r\n" + status + " "
          + pipecgi.core.Response.reasonPhrase(status) + "\n"), text);
    }
  }

  @Test
  void theServiceGetsTheMetaVariablesOfItsRequest() throws Exception {
    try (Socket s = new Socket("127.0.0.1", gateway.gateway.port())) {
      s.setSoTimeout(120_000);
      s.getOutputStream().write(("POST /env.cgi/more/path%20x?a=1&b=%2F HTTP/1.1\r\n"
          + "Host: example.org:8443\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
          + "X-Custom: one\r\nX-Custom: two\r\nX-Under_Score: spoof\r\nProxy: http://evil/\r\n"
          + "Authorization: Basic c2VjcmV0\r\nConnection: close\r\n\r\nabc")
          .getBytes(StandardCharsets.US_ASCII));
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      Map<String, String> env = new LinkedHashMap<>();
      for (String line : answer.substring(answer.indexOf("\r\n\r\n") + 4).split("\n")) {
        env.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
      }
      int port = s.getLocalPort();
      Map<String, String> expected = new LinkedHashMap<>();
      expected.put("GATEWAY_INTERFACE", "CGI/1.1");
      expected.put("SERVER_PROTOCOL", "HTTP/1.1");
      expected.put("REQUEST_METHOD", "POST");
      expected.put("REQUEST_URI", "/env.cgi/more/path%20x?a=1&b=%2F");
      expected.put("SCRIPT_NAME", "/env.cgi");
      expected.put("PATH_INFO", "/more/path x");
      expected.put("QUERY_STRING", "a=1&b=%2F");
      expected.put("CONTENT_TYPE", "text/plain");
      expected.put("CONTENT_LENGTH", "3");
      expected.put("SERVER_NAME", "example.org");
      expected.put("SERVER_PORT", "8443");
      expected.put("REMOTE_ADDR", "127.0.0.1");
      expected.put("REMOTE_PORT", Integer.toString(port));
      expected.put("REQUEST_SCHEME", "http");
      expected.put("HTTP_HOST", "example.org:8443");
      expected.put("HTTP_X_CUSTOM", "one, two");
      expected.put("HTTP_CONNECTION", "close");
      expected.put("PATH", "/usr/local/bin:/usr/bin:/bin");
      for (Map.Entry<String, String> e : expected.entrySet()) {
        assertEquals(e.getValue(), env.get(e.getKey()), e.getKey() + " in " + env);
      }
      assertTrue(env.get("SERVER_SOFTWARE").startsWith("pipecgi/"), env.toString());
      for (String never : List.of("HTTP_PROXY", "HTTP_AUTHORIZATION", "HTTP_X_UNDER_SCORE",
          "HTTPS", "SECRET_TOKEN", "TZ", "LANG")) {
        assertNull(env.get(never), never + " in " + env);
      }
    }
  }

  @Test
  void xForwardedForIsNotBelievedFromAnUntrustedPeer() throws Exception {
    try (HttpConnection c = gateway.connect()) {
      c.send(("GET /env HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.9\r\n"
          + "X-Forwarded-Proto: https\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      Map<String, String> env = environment(c.read("GET"));
      assertEquals("127.0.0.1", env.get("REMOTE_ADDR"));
      assertEquals("http", env.get("REQUEST_SCHEME"));
      assertNull(env.get("HTTPS"));
      assertEquals("203.0.113.9", env.get("HTTP_X_FORWARDED_FOR"), "passed on as a header");
    }
  }

  @Test
  void everyRequestHasAnAccessLogLine() throws Exception {
    gateway.request("POST", "/echo.cgi?secret=1", body(31, 1));
    Await.until("the access line is written", () -> gateway.log().lines().anyMatch(l -> l.matches(
        "pipecgi\\[echo\\]: access: 127\\.0\\.0\\.1 POST /echo\\.cgi 200 31 B [0-9]+ ms")));
  }
}
