package pipecgi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pipecgi.selftest.HttpConnection;

/**
 * pipecgi's warm gateway (java -jar pipecgi.jar --http) alone and behind the real servers as
 * apache-conf/serve sets them up with the snippets a user installs: Apache event + mod_proxy_http
 * to the gateway over TCP and over its Unix socket (pipecgi-proxy.conf), and nginx
 * (nginx-pipecgi.conf). Through real sockets: keep-alive in HTTP/1.1 and HTTP/1.0, pipelining, a
 * chunked body, the proxy's reuse of its connection to the gateway, and the client's address
 * reaching the service. What a server does that is a fact rather than a guarantee goes into
 * target/servers-report.md.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"http", "apache-proxy", "apache-proxy-unix", "nginx-proxy"})
@Timeout(300)
class ProxiedGatewayIT {
  /** An address of the loopback network other than the proxy's 127.0.0.1, for the client. */
  private static final String CLIENT = "127.0.0.2";

  private static WebServer web;

  private final String server;

  ProxiedGatewayIT(String server) {
    this.server = server;
  }

  @BeforeParameterizedClassInvocation
  static void start(String server) throws Exception {
    Map<String, String> endpoints = new LinkedHashMap<>();
    endpoints.put("echo", "command = /bin/cat\nmax-request-bytes = 2M\n");
    endpoints.put("env", "command = /usr/bin/env\ncontent-type = text/plain\n");
    web = WebServer.start(server, endpoints);
  }

  @AfterParameterizedClassInvocation
  static void stop() throws Exception {
    web.close();
    ServersReport.write();
  }

  private boolean proxied() {
    return !server.equals("http");
  }

  private void record(String observation, Object value) {
    ServersReport.record(server, observation, value);
  }

  private static HttpConnection connect() throws IOException {
    return new HttpConnection(web.uri(""), 60_000);
  }

  @ParameterizedTest
  @ValueSource(strings = {"HTTP/1.1", "HTTP/1.0"})
  void twentySequentialRequestsOnOneKeepAliveConnection(String version) throws Exception {
    Set<HttpConnection.Framing> framings = new LinkedHashSet<>();
    try (HttpConnection c = connect()) {
      for (int i = 0; i < 20; i++) {
        byte[] sent = ServerTests.body(i * 997, i);
        HttpConnection.Reply r = ServerTests.exchange(c, "POST",
            web.uri(i % 2 == 0 ? "echo.cgi" : "echo"), version, sent);
        assertEquals(200, r.status, "request " + i);
        assertArrayEquals(sent, r.body, "request " + i);
        assertFalse(r.closes(), "request " + i + ": the connection is kept");
        framings.add(r.framing);
      }
    }
    assertEquals(Set.of(HttpConnection.Framing.LENGTH), framings);
    record(version + " keep-alive: connections for 20 requests", 1);
    record(version + " framing of the gateway's responses", "its Content-Length");
  }

  @Test
  void hundredPipelinedRequestsAreAnsweredInOrderOnAConnectionThatStaysOpen() throws Exception {
    int n = 100;
    List<byte[]> bodies = new ArrayList<>();
    ByteArrayOutputStream burst = new ByteArrayOutputStream();
    for (int i = 0; i < n; i++) {
      String method = ServerTests.method(i);
      byte[] b = method.equals("POST")
          ? ServerTests.body(ServerTests.SIZES[i % ServerTests.SIZES.length], i) : new byte[0];
      bodies.add(b);
      burst.writeBytes(HttpConnection.request(method, web.uri("echo.cgi?n=" + i), "HTTP/1.1",
          method.equals("POST") ? b : null, false));
    }
    Set<String> headLengths = new LinkedHashSet<>();
    try (HttpConnection c = connect()) {
      CompletableFuture<Void> writer = Burst.sendAside(c::send, burst.toByteArray());
      for (int i = 0; i < n; i++) {
        String method = ServerTests.method(i);
        HttpConnection.Reply r = c.read(method);
        assertEquals(200, r.status, "request " + i);
        assertArrayEquals(method.equals("HEAD") ? new byte[0] : bodies.get(i), r.body,
            "request " + i + " (" + method + ")");
        if (method.equals("HEAD")) {
          headLengths.add(String.valueOf(r.header("Content-Length")));
        }
        assertFalse(r.closes(), "request " + i);
      }
      writer.get();
      HttpConnection.Reply after = ServerTests.exchange(c, "POST", web.uri("echo.cgi"),
          "HTTP/1.1", ServerTests.body(10, 7));
      assertArrayEquals(ServerTests.body(10, 7), after.body, "the connection is still open");
    }
    record("100 pipelined requests (GET, HEAD, POST of 0 B to 1 MB) answered in order, exact,"
        + " connection kept", "yes");
    // The gateway answers HEAD with GET's Content-Length (here 0: GET sends no body to echo).
    record("Content-Length of a HEAD answer whose GET would have 0 bytes", headLengths.equals(
        Set.of("0")) ? "0, as the gateway sent" : "none (the proxy drops 'Content-Length: 0')");
  }

  @Test
  void aChunkedMegabytePostComesBackExact() throws Exception {
    byte[] sent = ServerTests.body(1_000_000, 42);
    try (HttpConnection c = connect()) {
      c.send(HttpConnection.request("POST", web.uri("echo.cgi"), "HTTP/1.1", sent, true));
      HttpConnection.Reply r = c.read("POST");
      assertEquals(200, r.status);
      assertArrayEquals(sent, r.body);
      assertFalse(r.closes());
      // How the body reached the gateway: what the service sees of it.
      c.send(HttpConnection.request("POST", web.uri("env.cgi"), "HTTP/1.1", sent, true));
      Map<String, String> env = variables(c.read("POST"));
      // The gateway counts a chunked body and gives the service its CONTENT_LENGTH either way;
      // HTTP_TRANSFER_ENCODING says whether it came chunked.
      assertEquals("1000000", env.get("CONTENT_LENGTH"), env.toString());
      record("a chunked 1 MB POST reaches the gateway", env.containsKey("HTTP_TRANSFER_ENCODING")
          ? "chunked (Transfer-Encoding: " + env.get("HTTP_TRANSFER_ENCODING") + ")"
          : "with a Content-Length (the proxy read the whole body first)");
    }
  }

  /**
   * Twenty requests one after another on one client connection, then five more each on a client
   * connection of its own: the proxy sends them all to the gateway on a connection it keeps (a
   * pool), rather than opening one for each. Seen from the kernel's table of the gateway's open
   * connections after each answer: a connection that was open after the first request is still
   * open after the last, and at most one new one appeared (the one the pool opened, if it had
   * none). Without reuse, each request's connection would be gone by the next. Alone, the gateway's
   * connection is the client's own, and so are the five new ones.
   */
  @Test
  void theProxyReusesItsConnectionToTheGateway() throws Exception {
    Set<String> before = gatewayConnections().keySet();
    List<Map<String, String>> seen = new ArrayList<>();
    try (HttpConnection c = connect()) {
      for (int i = 0; i < 20; i++) {
        echo(c, i);
        seen.add(gatewayConnections());
      }
    }
    for (int i = 20; i < 25; i++) {
      try (HttpConnection c = connect()) {
        echo(c, i);
        seen.add(gatewayConnections());
      }
    }
    Set<String> opened = new HashSet<>();
    seen.forEach(s -> opened.addAll(s.keySet()));
    opened.removeAll(before);
    Set<String> kept = new HashSet<>(seen.get(0).keySet());
    kept.retainAll(seen.get(19).keySet());
    assertFalse(kept.isEmpty(), "a connection to the gateway outlived 19 requests: " + seen);
    if (proxied()) {
      kept.retainAll(seen.get(24).keySet());
      assertFalse(kept.isEmpty(), "a connection to the gateway served 5 more clients: " + seen);
      assertTrue(opened.size() <= 1, "connections opened to the gateway: " + opened);
    } else {
      assertEquals(6, opened.size(), "the client's 6 connections: " + opened);
    }
    Set<String> ends = new LinkedHashSet<>();
    seen.forEach(s -> ends.addAll(s.values()));
    record("connections to the gateway for 20 requests on one client connection, then 5 on"
        + " new ones", proxied() ? opened.size() + " opened; " + kept.size() + " used from the"
            + " first request to the last; the proxy's end: " + String.join(", ", ends)
        : "the client's own: 1, then 1 for each new client connection");
  }

  private static void echo(HttpConnection c, int i) throws Exception {
    byte[] sent = ServerTests.body(100 + i, i);
    HttpConnection.Reply r = ServerTests.exchange(c, "POST", web.uri("echo.cgi"), "HTTP/1.1",
        sent);
    assertArrayEquals(sent, r.body, "request " + i);
  }

  /**
   * REMOTE_ADDR is the client's, whether the gateway sees it (alone) or believes the proxy's
   * X-Forwarded-For (it trusts the proxy): from another loopback address than the proxy's, a
   * client that sends a forged X-Forwarded-For and X-Forwarded-Proto is still itself, on http.
   */
  @Test
  void theServiceSeesTheClientsAddressNotAForgedOne() throws Exception {
    Map<String, String> env;
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(CLIENT), 0));
      s.connect(new InetSocketAddress("127.0.0.1", web.port), 60_000);
      s.setSoTimeout(60_000);
      OutputStream out = s.getOutputStream();
      out.write(("GET /pipecgi/env.cgi HTTP/1.1\r\nHost: 127.0.0.1:" + web.port
          + "\r\nX-Forwarded-For: 203.0.113.9\r\nX-Forwarded-Proto: https\r\n"
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(response.startsWith("HTTP/1.1 200 "), response);
      env = parse(response.substring(response.indexOf("\r\n\r\n") + 4));
    }
    assertEquals(CLIENT, env.get("REMOTE_ADDR"), env.toString());
    assertEquals("http", env.get("REQUEST_SCHEME"), env.toString());
    assertFalse(env.containsKey("HTTPS"), env.toString());
    if (proxied()) {
      assertTrue(env.getOrDefault("HTTP_X_FORWARDED_FOR", "").endsWith(CLIENT), env.toString());
      assertFalse(env.containsKey("REMOTE_PORT"), "the proxy's port is not the client's");
    }
    record("REMOTE_ADDR of a client at " + CLIENT + " that forges X-Forwarded-For and -Proto",
        env.get("REMOTE_ADDR") + ", " + env.get("REQUEST_SCHEME")
            + (proxied() ? " (X-Forwarded-For: " + env.get("HTTP_X_FORWARDED_FOR") + ")" : ""));
    record("SERVER_NAME:SERVER_PORT seen by the service (the client asked for 127.0.0.1:PORT)",
        env.get("SERVER_NAME") + ":" + (env.get("SERVER_PORT").equals(Integer.toString(web.port))
            ? "PORT" : env.get("SERVER_PORT")));
  }

  /**
   * A client on the proxy's own address: its REMOTE_PORT is never the proxy's. What a forged
   * X-Forwarded-For does then is recorded: over TCP the gateway trusts 127.0.0.1, the client's
   * address too, so it believes the hop before it; over the socket it trusts only "unix".
   */
  @Test
  void aClientOnTheProxysAddressGetsNoProxyPort() throws Exception {
    try (HttpConnection c = connect()) {
      Map<String, String> plain = variables(ServerTests.exchange(c, "GET", web.uri("env.cgi"),
          "HTTP/1.1", null));
      assertEquals("127.0.0.1", plain.get("REMOTE_ADDR"), plain.toString());
      if (proxied()) {
        assertFalse(plain.containsKey("REMOTE_PORT"), "the proxy's port: " + plain);
      }
      c.send(("GET /pipecgi/env.cgi HTTP/1.1\r\nHost: 127.0.0.1:" + web.port
          + "\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      Map<String, String> forged = variables(c.read("GET"));
      record("REMOTE_ADDR of a client at 127.0.0.1 (the proxy's address) that forges"
          + " X-Forwarded-For: 203.0.113.9", forged.get("REMOTE_ADDR"));
    }
  }

  private static Map<String, String> variables(HttpConnection.Reply r) {
    assertEquals(200, r.status);
    return parse(new String(r.body, StandardCharsets.UTF_8));
  }

  /** env's output: NAME=value lines. */
  private static Map<String, String> parse(String env) {
    Map<String, String> v = new TreeMap<>();
    for (String line : env.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        v.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return v;
  }

  private static final Pattern STARTED =
      Pattern.compile("^pipecgi: started: .* at (?:http://127\\.0\\.0\\.1:(\\d+)/|unix:(\\S+))",
          Pattern.MULTILINE);

  /**
   * The connections the gateway has accepted and that are open now, from the kernel's tables (as
   * ss would show them): each socket's inode, with the peer's port for TCP (the proxy's end).
   */
  private static Map<String, String> gatewayConnections() throws IOException {
    String log = Files.readString(web.runFile("gateway.log"), StandardCharsets.UTF_8);
    Matcher m = STARTED.matcher(log);
    assertTrue(m.find(), log);
    Map<String, String> open = new TreeMap<>();
    if (m.group(1) != null) {
      int port = Integer.parseInt(m.group(1));
      for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
        List<String> lines = Files.readAllLines(Path.of(table));
        for (String line : lines.subList(1, lines.size())) {
          // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
          String[] f = line.trim().split("\\s+");
          boolean established = f[3].equals("01");
          if (established && hexPort(f[1]) == port) {
            open.put(f[9], Integer.toString(hexPort(f[2])));
          }
        }
      }
    } else {
      String socket = m.group(2);
      List<String> lines = Files.readAllLines(Path.of("/proc/net/unix"));
      for (String line : lines.subList(1, lines.size())) {
        // Num RefCount Protocol Flags Type St Inode Path: an accepted connection has the
        // listening socket's path and is connected (St 03); the listener has flag 00010000.
        String[] f = line.trim().split("\\s+");
        if (f.length == 8 && f[7].equals(socket) && f[5].equals("03")
            && !f[3].equals("00010000")) {
          open.put(f[6], "unix");
        }
      }
    }
    return open;
  }

  private static int hexPort(String address) {
    return Integer.parseInt(address.substring(address.indexOf(':') + 1), 16);
  }
}
