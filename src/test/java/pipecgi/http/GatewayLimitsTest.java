package pipecgi.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import pipecgi.Await;
import pipecgi.Processes;
import pipecgi.selftest.HttpConnection;

/**
 * The gateway's limits and its life: timeouts, caps, many waiting requests, whom it believes,
 * configurations that change while it runs, and how it stops. Each test has a gateway of its own.
 */
@Timeout(300)
class GatewayLimitsTest {
  @TempDir Path dir;

  private static Map<String, String> env(HttpConnection.Reply r) {
    Map<String, String> env = new java.util.HashMap<>();
    for (String line : new String(r.body, StandardCharsets.UTF_8).split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        env.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return env;
  }

  @Test
  void anIdleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    try (TestGateway g = TestGateway.start(dir, Map.of("echo", "command = /bin/cat\n"),
        "--idle-timeout", "0.5"); HttpConnection c = g.connect()) {
      c.send(HttpConnection.request("POST", g.uri("/echo"), "HTTP/1.1", new byte[3], false));
      assertEquals(200, c.read("POST").status);
      assertTrue(c.closedByServer(120_000), "closed once idle");
    }
  }

  /** A client that sends its headers a byte at a time is cut, however often it sends one. */
  @Test
  void aClientThatTricklesItsHeadersIsCutAtTheHeaderTimeout() throws Exception {
    try (TestGateway g = TestGateway.start(dir, Map.of("echo", "command = /bin/cat\n"),
        "--header-timeout", "1", "--idle-timeout", "60");
        Socket s = new Socket("127.0.0.1", g.gateway.port())) {
      OutputStream out = s.getOutputStream();
      out.write("GET /echo HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      Await.until("the gateway closes the connection", () -> {
        try {
          out.write('X'); // X-...: a header that never ends
          out.flush();
          Thread.sleep(100);
          return false;
        } catch (IOException e) {
          return true;
        }
      });
      Await.until("it says so", () -> g.log().contains("408 Request Timeout: "));
    }
  }

  @Test
  void beyondMaxConcurrentA503WithRetryAfterAtOnce() throws Exception {
    String marker = Processes.uniqueSleep();
    try (TestGateway g = TestGateway.start(dir, Map.of(
        "wait", "command = /bin/sleep " + marker + "\ntimeout = 600\n",
        "echo", "command = /bin/cat\n"), "--max-concurrent", "2")) {
      List<HttpConnection> waiting = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        HttpConnection c = g.connect();
        c.send(HttpConnection.request("GET", g.uri("/wait"), "HTTP/1.1", null, false));
        waiting.add(c);
      }
      Await.until("both run", () -> Processes.withArgument(marker).size() == 2);
      HttpConnection.Reply r = g.request("POST", "/echo", new byte[1]);
      assertEquals(503, r.status);
      assertEquals("1", r.header("Retry-After"));
      assertTrue(g.log().contains("pipecgi[echo]: 503 Service Unavailable: 2 requests are"
          + " running, as many as max-concurrent allows"), g.log());
      Processes.withArgument(marker).forEach(ProcessHandle::destroy);
      for (HttpConnection c : waiting) {
        assertEquals(502, c.read("GET").status, "its service was killed");
        c.close();
      }
      assertEquals(200, g.request("POST", "/echo", new byte[1]).status);
    }
  }

  /**
   * Long polls (the browser module's listen keeps one request waiting) hold a thread and a service
   * each: 500 of them waiting at once must leave the gateway answering the others at once.
   */
  @Test
  void fiveHundredWaitingRequestsDoNotStarveTheOthers() throws Exception {
    String marker = Processes.uniqueSleep();
    int waiting = 500;
    try (TestGateway g = TestGateway.start(dir, Map.of(
        "wait", "command = /bin/sleep " + marker + "\ntimeout = 600\n",
        "echo", "command = /bin/cat\n"))) {
      List<HttpConnection> polls = new ArrayList<>();
      try {
        for (int i = 0; i < waiting; i++) {
          HttpConnection c = g.connect();
          c.send(HttpConnection.request("GET", g.uri("/wait"), "HTTP/1.1", null, false));
          polls.add(c);
        }
        Await.until("all " + waiting + " wait",
            () -> Processes.withArgument(marker).size() == waiting);
        for (int i = 0; i < 20; i++) {
          byte[] sent = ("short " + i).getBytes(StandardCharsets.US_ASCII);
          HttpConnection.Reply r = g.request("POST", "/echo", sent);
          assertEquals(200, r.status);
          assertEquals("short " + i, new String(r.body, StandardCharsets.US_ASCII));
        }
        assertEquals(waiting, Processes.withArgument(marker).size(), "answered while all wait");
      } finally {
        Processes.withArgument(marker).forEach(ProcessHandle::destroy);
        for (HttpConnection c : polls) {
          c.close();
        }
      }
      assertEquals(List.of(), Processes.awaitGone(marker));
    }
  }

  @Test
  void xForwardedForAndProtoAreBelievedFromATrustedProxyOnly() throws Exception {
    try (TestGateway g = TestGateway.start(dir, Map.of("env", "command = /usr/bin/env\n"),
        "--trusted-proxies", "127.0.0.0/8, 10.0.0.5"); HttpConnection c = g.connect()) {
      c.send(("GET /env HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 198.51.100.7, 10.0.0.5\r\n"
          + "X-Forwarded-Proto: https\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      Map<String, String> env = env(c.read("GET"));
      assertEquals("198.51.100.7", env.get("REMOTE_ADDR"), "the first hop no proxy vouches for");
      assertNull(env.get("REMOTE_PORT"), "the proxy's port is not the client's");
      assertEquals("on", env.get("HTTPS"));
      assertEquals("https", env.get("REQUEST_SCHEME"));
      c.send(("GET /env HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: evil, 203.0.113.1\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      assertEquals("203.0.113.1", env(c.read("GET")).get("REMOTE_ADDR"));
    }
  }

  @Test
  void configurationsAddedChangedOrBrokenTakeEffectAtTheNextRequest() throws Exception {
    try (TestGateway g = TestGateway.start(dir, Map.of("one", "command = /bin/echo one\n"))) {
      assertEquals(404, g.request("GET", "/two", null).status);
      Files.writeString(dir.resolve("two.conf"), "command = /bin/echo two\n");
      assertEquals("two\n", new String(g.request("GET", "/two", null).body,
          StandardCharsets.US_ASCII));
      Files.writeString(dir.resolve("one.conf"), "command = /bin/echo changed\n");
      assertEquals("changed\n", new String(g.request("GET", "/one", null).body,
          StandardCharsets.US_ASCII));
      Files.writeString(dir.resolve("one.conf"), "command = /bin/echo changed\noutput = json\n");
      assertEquals(500, g.request("GET", "/one", null).status);
      assertTrue(g.log().contains("pipecgi[one]: 500 Internal Server Error: bad configuration: "
          + dir.resolve("one.conf") + " line 2: output: 'json' is neither 'body' nor 'cgi'"),
          g.log());
      Files.delete(dir.resolve("two.conf"));
      assertEquals(404, g.request("GET", "/two", null).status);
    }
  }

  @Test
  void quietLeavesOutTheAccessLogButNotTheProblems() throws Exception {
    try (TestGateway g = TestGateway.start(dir, Map.of("echo", "command = /bin/cat\n"),
        "--quiet")) {
      assertEquals(200, g.request("POST", "/echo", new byte[2]).status);
      assertEquals(405, g.request("PUT", "/echo", new byte[2]).status);
      assertEquals(List.of(), g.log().lines().filter(l -> l.contains(": access: ")).toList());
      assertTrue(g.log().contains("pipecgi[echo]: 405 Method Not Allowed"), g.log());
    }
  }

  @Test
  void underAPrefixWithPagesAsACgiBinAndItsSiteWouldBe() throws Exception {
    Path www = Files.createDirectory(dir.resolve("www"));
    Files.writeString(www.resolve("index.html"), "<p>demo</p>\n");
    Path cgiBin = Files.createDirectory(dir.resolve("cgi-bin"));
    Files.writeString(cgiBin.resolve("env.conf"), "command = /usr/bin/env\n");
    try (TestGateway g = TestGateway.start(cgiBin, Map.of(), "--prefix", "/pipecgi/", "--www",
        www.toString())) {
      assertEquals("<p>demo</p>\n", new String(g.request("GET", "/", null).body,
          StandardCharsets.UTF_8));
      HttpConnection.Reply r = g.request("GET", "/pipecgi/env.cgi/x", null);
      assertEquals("/pipecgi/env.cgi", env(r).get("SCRIPT_NAME"));
      assertEquals("/x", env(r).get("PATH_INFO"));
      assertEquals(404, g.request("GET", "/env.cgi", null).status);
      assertEquals(404, g.request("GET", "/pipecgi/nothing", null).status);
    }
  }

  @Test
  void onAUnixSocketOnlyTheOwnerAndItsGroupMayConnect() throws Exception {
    Path socket = dir.resolve("gw.sock");
    try (TestGateway g = TestGateway.start(dir, Map.of("echo", "command = /bin/cat\n"),
        "--at", "unix:" + socket)) {
      assertEquals(socket, g.gateway.socket());
      assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(
          socket)));
      try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        ch.connect(UnixDomainSocketAddress.of(socket));
        ch.write(ByteBuffer.wrap(("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
            + "Connection: close\r\n\r\nhello").getBytes(StandardCharsets.US_ASCII)));
        String answer = new String(Channels.newInputStream(ch).readAllBytes(),
            StandardCharsets.US_ASCII);
        assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
        assertTrue(answer.endsWith("\r\n\r\nhello"), answer);
      }
    }
    assertFalse(Files.exists(socket), "the socket goes with the gateway");
  }

  /**
   * SIGTERM's path: running requests finish within the grace period; one that does not is
   * stopped, its service tree with it, and answered 503; new requests get 503 meanwhile.
   */
  @Test
  void stoppingLetsRunningRequestsFinishWithinTheGraceThenStopsTheirServices() throws Exception {
    String quick = Processes.uniqueSleep(1);
    String stuck = Processes.uniqueSleep();
    TestGateway g = TestGateway.start(dir, Map.of(
        "quick", "command = /bin/sh -c 'sleep " + quick + "; echo done'\n",
        "stuck", "command = /bin/sh -c 'sleep " + stuck + " & sleep " + stuck + "'\ntimeout = 600\n"),
        "--grace", "3");
    HttpConnection a = g.connect();
    HttpConnection b = g.connect();
    a.send(HttpConnection.request("GET", g.uri("/quick"), "HTTP/1.1", null, false));
    b.send(HttpConnection.request("GET", g.uri("/stuck"), "HTTP/1.1", null, false));
    Await.until("both run", () -> Processes.withArgument(quick).size() == 1
        && Processes.withArgument(stuck).size() == 2);
    CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> g.gateway.stop("a test"));
    HttpConnection.Reply finished = a.read("GET");
    assertEquals(200, finished.status);
    assertEquals("done\n", new String(finished.body, StandardCharsets.US_ASCII));
    assertEquals(503, b.read("GET").status);
    stopping.get();
    assertEquals(List.of(), Processes.awaitGone(stuck));
    assertTrue(g.log().contains("pipecgi[stuck]: 503 Service Unavailable: pipecgi is stopping,"
        + " and the request did not finish within the grace period (3.0 s); the service and its"
        + " child processes were stopped"), g.log());
    assertTrue(g.log().contains("pipecgi: stopped; the services of 1 request were stopped at the"
        + " end of the grace period"), g.log());
    a.close();
    b.close();
  }
}
