package pipecgi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * pipecgi behind the real servers, through real sockets: Apache prefork + mod_cgi and event +
 * mod_cgid, each with and without {@code SetEnv ap_trust_cgilike_cl 1}, and lighttpd. Where a
 * server's behaviour is a fact to record rather than a guarantee, it goes into the report
 * (target/servers-report.md), from which README's table is drawn.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {
    "apache-event", "apache-prefork", "lighttpd", "apache-event-untrusted",
    "apache-prefork-untrusted"})
@Timeout(300)
class ServersIT {
  private static final String HANG_MARKER = Processes.uniqueSleep();
  private static WebServer web;

  @Parameter String server;

  @BeforeParameterizedClassInvocation
  static void start(String server) throws Exception {
    Map<String, String> endpoints = new LinkedHashMap<>();
    endpoints.put("echo", "command = /bin/cat\nmax-request-bytes = 32M\n");
    endpoints.put("small", "command = /bin/cat\nmax-request-bytes = 1K\n");
    endpoints.put("fail", "command = /bin/sh -c 'exit 3'\n");
    endpoints.put("slow", "command = /bin/sleep 30\ntimeout = 1\n");
    endpoints.put("hang", "command = /bin/sh -c 'sleep " + HANG_MARKER + " & sleep " + HANG_MARKER
        + "; wait'\ntimeout = 5\n");
    web = WebServer.start(server, endpoints);
  }

  @AfterParameterizedClassInvocation
  static void stop() throws Exception {
    web.close();
    ServersReport.write();
  }


  /** Every request is over once its answer is read: no pipecgi may outlive it for long. */
  @AfterEach
  void noPipecgiIsLeftRunning() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!web.pipecgiProcesses().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(List.of(), web.pipecgiProcesses());
  }

  private boolean trusted() {
    return !server.endsWith("-untrusted");
  }

  private void record(String observation, Object value) {
    ServersReport.record(server, observation, value);
  }

  private static byte[] body(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private HttpConnection connect() throws Exception {
    return new HttpConnection(web.uri(""), 60_000);
  }

  private static HttpConnection.Reply exchange(HttpConnection c, String method, URI uri,
      String version, byte[] body) throws Exception {
    c.send(HttpConnection.request(method, uri, version, body, false));
    return c.read(method);
  }

  @ParameterizedTest
  @ValueSource(strings = {"HTTP/1.1", "HTTP/1.0"})
  void fiftySequentialRequestsOnOneKeepAliveConnection(String version) throws Exception {
    int connections = 1;
    Map<HttpConnection.Framing, Integer> framings = new LinkedHashMap<>();
    HttpConnection c = connect();
    try {
      for (int i = 0; i < 50; i++) {
        byte[] sent = body(i * 97, i);
        HttpConnection.Reply r = exchange(c, "POST", web.uri("echo.cgi"), version, sent);
        assertEquals(200, r.status);
        assertArrayEquals(sent, r.body, "request " + i);
        framings.merge(r.framing, 1, Integer::sum);
        if (r.closes() && i < 49) {
          c.close();
          c = connect();
          connections++;
        }
      }
    } finally {
      c.close();
    }
    record(version + " keep-alive: connections for 50 requests", connections);
    record(version + " framing of pipecgi's responses", framings.size() == 1
        && framings.containsKey(HttpConnection.Framing.LENGTH) ? "its Content-Length"
        : framings.toString().replace("CHUNKED", "chunked").replace("LENGTH", "length")
            .replace("CLOSE", "closed"));
    if (trusted()) {
      assertEquals(1, connections);
      assertEquals(Map.of(HttpConnection.Framing.LENGTH, 50), framings);
    } else if (version.equals("HTTP/1.1")) {
      assertEquals(1, connections, "chunked, but kept open");
    }
  }

  /** The request of pipelined request {@code i}: GET, HEAD and POSTs of 0 B to 1 MB. */
  private static final int[] SIZES = {0, 1, 1000, 65_536, 1_000_000, 200, 10_000};

  private static String method(int i) {
    return i % 4 == 0 ? "GET" : i % 4 == 1 ? "HEAD" : "POST";
  }

  @Test
  void hundredPipelinedRequestsAreAnsweredInOrder() throws Exception {
    int n = 100;
    List<byte[]> bodies = new ArrayList<>();
    java.io.ByteArrayOutputStream burst = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < n; i++) {
      byte[] b = method(i).equals("POST") ? body(SIZES[i % SIZES.length], i) : new byte[0];
      bodies.add(b);
      burst.writeBytes(HttpConnection.request(method(i), web.uri("echo.cgi?n=" + i), "HTTP/1.1",
          method(i).equals("POST") ? b : null, false));
    }
    long start = System.nanoTime();
    try (HttpConnection c = connect()) {
      // Written by another thread: the server stops reading while its answers are not read.
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        try {
          c.send(burst.toByteArray());
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      for (int i = 0; i < n; i++) {
        HttpConnection.Reply r = c.read(method(i));
        assertEquals(200, r.status, "request " + i);
        assertArrayEquals(method(i).equals("HEAD") ? new byte[0] : bodies.get(i), r.body,
            "request " + i + " (" + method(i) + ")");
        assertFalse(r.closes(), "request " + i);
      }
      writer.get();
      HttpConnection.Reply after = exchange(c, "POST", web.uri("echo.cgi"), "HTTP/1.1",
          body(10, 7));
      assertArrayEquals(body(10, 7), after.body, "the connection is still open");
    }
    record("100 pipelined requests answered in order", "yes, "
        + Duration.ofNanos(System.nanoTime() - start).toMillis() / 100 + " ms each");
  }

  @Test
  void errorStatusesKeepTheConnectionUsable() throws Exception {
    List<String> seen = new ArrayList<>();
    int connections = 1;
    HttpConnection c = connect();
    try {
      Object[][] cases = {
          {"POST", "small.cgi", body(2048, 1), 413},
          {"PUT", "echo.cgi", body(10, 2), 405},
          {"GET", "fail.cgi", null, 502},
          {"GET", "slow.cgi", null, 504},
          {"POST", "echo.cgi", body(100, 3), 200}};
      for (Object[] k : cases) {
        HttpConnection.Reply r =
            exchange(c, (String) k[0], web.uri((String) k[1]), "HTTP/1.1", (byte[]) k[2]);
        assertEquals(k[3], r.status, (String) k[1]);
        seen.add(r.status + (r.closes() ? " (closed)" : ""));
        if (r.closes()) {
          c.close();
          c = connect();
          connections++;
        }
      }
    } finally {
      c.close();
    }
    // Apache closes the connection after a 400, 408, 411, 413, 414, 500, 501 or 503 whoever
    // answers it (ap_status_drops_connection in httpd.h); 405, 502 and 504 keep it open.
    List<String> expected = server.startsWith("apache")
        ? List.of("413 (closed)", "405", "502", "504", "200")
        : List.of("413", "405", "502", "504", "200");
    assertEquals(expected, seen);
    record("413, 405, 502, 504, 200 on one connection", connections == 1 ? "yes"
        : "after 413 Apache closes; the rest on one connection");
    String log = web.errorLog();
    assertTrue(log.contains("pipecgi[small]: 413 Content Too Large"), log);
    assertTrue(log.contains("pipecgi[fail]: 502 Bad Gateway: the service exited with status 3"), log);
    assertTrue(log.contains("pipecgi[slow]: 504 Gateway Timeout"), log);
  }

  @ParameterizedTest
  @ValueSource(ints = {100_000, 20_000_000})
  void aChunkedBodyAndALargeBody(int size) throws Exception {
    byte[] sent = body(size, size);
    try (HttpConnection c = connect()) {
      for (boolean chunked : new boolean[] {true, false}) {
        c.send(HttpConnection.request("POST", web.uri("echo.cgi"), "HTTP/1.1", sent, chunked));
        HttpConnection.Reply r = c.read("POST");
        assertEquals(200, r.status);
        assertArrayEquals(sent, r.body, chunked ? "chunked" : "with Content-Length");
      }
    }
  }

  @Test
  void aClientThatGoesAwayLeavesNoProcessBehind() throws Exception {
    long gone;
    try (HttpConnection c = connect()) {
      c.send(HttpConnection.request("GET", web.uri("hang.cgi"), "HTTP/1.1", null, false));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (Processes.withArgument(HANG_MARKER).size() < 2) {
        assertTrue(System.nanoTime() < deadline, "the service started");
        Thread.sleep(20);
      }
    }
    long closed = System.nanoTime();
    assertEquals(List.of(), Processes.awaitGone(HANG_MARKER, Duration.ofSeconds(15)));
    gone = Duration.ofNanos(System.nanoTime() - closed).toMillis();
    // pipecgi's own timeout (5 s) is the upper bound; a server that notices sooner stops it sooner.
    record("client gone while the service runs: stopped by", gone < 4000
        ? "the server, after " + gone + " ms" : "pipecgi's timeout (5 s)");
  }

  /** Apache streams the body to the CGI program; lighttpd reads all of it before starting one. */
  @Test
  void aClientThatGoesAwayMidBodyLeavesNoProcessBehind() throws Exception {
    byte[] request = HttpConnection.request("POST", web.uri("echo.cgi"), "HTTP/1.1",
        body(1_000_000, 9), false);
    boolean started;
    try (HttpConnection c = connect()) {
      c.send(java.util.Arrays.copyOf(request, request.length / 2));
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (web.pipecgiProcesses().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      started = !web.pipecgiProcesses().isEmpty();
    }
    assertEquals(!server.equals("lighttpd"), started, "pipecgi started before the body was all in");
    long closed = System.nanoTime();
    long deadline = closed + Duration.ofSeconds(10).toNanos();
    while (!web.pipecgiProcesses().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(List.of(), web.pipecgiProcesses());
    record("client gone mid-body", started ? "pipecgi gone after "
        + Duration.ofNanos(System.nanoTime() - closed).toMillis() + " ms"
        : "pipecgi never started (the server reads the whole body first)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"echo.conf", "pipecgi.jar", "pipecgi.jsa", "pipecgi.archive-key",
      "chat.sh"})
  void configurationsTheJarItsArchiveAndServiceScriptsAreNeverServedOrRun(String file)
      throws Exception {
    try (HttpConnection c = connect()) {
      HttpConnection.Reply r = exchange(c, "GET", web.uri(file), "HTTP/1.1", null);
      assertEquals(403, r.status, file);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"-Xmx1m+--evil", "-XX:OnOutOfMemoryError%3D%22id%22", "--command+/bin/sh",
      "--help"})
  void aQueryStringWithoutEqualsChangesNothing(String query) throws Exception {
    try (HttpConnection c = connect()) {
      HttpConnection.Reply r =
          exchange(c, "POST", web.uri("echo.cgi?" + query), "HTTP/1.1", body(5, 5));
      assertEquals(200, r.status);
      assertArrayEquals(body(5, 5), r.body);
    }
  }

  @Test
  void selfTestSaysWhatTheServerDoes() throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int exit = new Main(Map.of(), new java.io.ByteArrayInputStream(new byte[0]), out,
        new java.io.ByteArrayOutputStream()).run(new String[] {"--self-test",
            web.uri("echo.cgi").toString()});
    String report = out.toString(java.nio.charset.StandardCharsets.UTF_8);
    if (trusted()) {
      assertEquals(0, exit, report);
      assertTrue(report.contains("\nresult: ok: a persistent, pipelined channel"), report);
    } else {
      assertEquals(1, exit, report);
      assertTrue(report.contains("FAIL  HTTP/1.1: the server did not keep pipecgi's Content-Length"
          + " (it sent chunks)"), report);
      assertTrue(report.contains("Add 'SetEnv ap_trust_cgilike_cl 1'"), report);
    }
    record("--self-test", exit == 0 ? "ok" : report.lines()
        .filter(l -> l.startsWith("FAIL")).count() + " problems, with the SetEnv fix");
  }
}
