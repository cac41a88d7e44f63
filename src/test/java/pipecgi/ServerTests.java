package pipecgi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pipecgi.selftest.HttpConnection;

/**
 * What every server configuration is tested for, through real sockets: keep-alive in HTTP/1.1
 * and HTTP/1.0, pipelining, and --self-test. Where a server's behaviour is a fact to record
 * rather than a guarantee, it goes into the report (target/servers-report.md), from which
 * README's table is drawn. {@link ServersIT} adds the rest for the configurations a user should
 * run; {@link UntrustedApacheIT} shows what Apache does without ap_trust_cgilike_cl.
 */
abstract class ServerTests {
  static final String HANG_MARKER = Processes.uniqueSleep();
  static WebServer web;

  final String server;

  ServerTests(String server) {
    this.server = server;
  }

  static void startServer(String server) throws Exception {
    web = WebServer.start(server, endpoints());
  }

  /**
   * The endpoints of the server tests: echo (up to 32M), small (1K), fail (exits 3), slow (times
   * out after 1 s) and hang (leaves a child that outlives it, marked HANG_MARKER).
   */
  static Map<String, String> endpoints() {
    Map<String, String> endpoints = new LinkedHashMap<>();
    endpoints.put("echo", "command = /bin/cat\nmax-request-bytes = 32M\n");
    endpoints.put("small", "command = /bin/cat\nmax-request-bytes = 1K\n");
    endpoints.put("fail", "command = /bin/sh -c 'exit 3'\n");
    endpoints.put("slow", "command = /bin/sleep 30\ntimeout = 1\n");
    endpoints.put("hang", "command = /bin/sh -c 'sleep " + HANG_MARKER + " & sleep " + HANG_MARKER
        + "; wait'\ntimeout = 2\n");
    return endpoints;
  }

  /** The demo's own endpoints {@code names}, as the repository's cgi-bin has them. */
  static Map<String, String> demoEndpoints(String... names) throws IOException {
    Map<String, String> endpoints = new LinkedHashMap<>();
    for (String name : names) {
      endpoints.put(name, Files.readString(Launch.CGI_BIN.resolve(name + ".conf")));
    }
    return endpoints;
  }

  /**
   * One client of a load: POSTs of several sizes to {@code echo}, each on the connection of the
   * last, a new one from {@code connect} only when the server closes; returns what went wrong.
   */
  static List<String> echoClient(Callable<HttpConnection> connect, URI echo, AtomicInteger next,
      int requests, AtomicInteger connections) throws Exception {
    List<String> failures = new ArrayList<>();
    HttpConnection c = connect.call();
    connections.incrementAndGet();
    try {
      for (int i; (i = next.getAndIncrement()) < requests; ) {
        byte[] sent = body((i * 7919) % 8192, i);
        HttpConnection.Reply r = exchange(c, "POST", echo, "HTTP/1.1", sent);
        if (r.status != 200 || r.framing != HttpConnection.Framing.LENGTH
            || !Arrays.equals(sent, r.body)) {
          failures.add("request " + i + ": " + r.status + " " + r.framing);
        }
        if (r.closes()) {
          c.close();
          c = connect.call();
          connections.incrementAndGet();
        }
      }
    } finally {
      c.close();
    }
    return failures;
  }

  /**
   * Apache logged no warning about its configuration in all the time the tests ran (AH10159
   * comes a second or two after start), then it stops.
   */
  static void stopServer() throws Exception {
    try {
      if (web.name.startsWith("apache")) {
        assertEquals(List.of(), ApacheWarnings.in(web.errorLog()), "Apache warned");
      }
    } finally {
      web.close();
      ServersReport.write();
    }
  }

  /** Every request is over once its answer is read: no pipecgi may outlive it for long. */
  @AfterEach
  void noPipecgiIsLeftRunning() throws Exception {
    Await.until("no pipecgi runs", () -> web.pipecgiProcesses().isEmpty());
  }

  /** Whether the server keeps pipecgi's Content-Length (ap_trust_cgilike_cl, or lighttpd). */
  abstract boolean trusted();

  void record(String observation, Object value) {
    ServersReport.record(server, observation, value);
  }

  static byte[] body(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  static HttpConnection connect() throws Exception {
    return new HttpConnection(web.uri(""), 60_000);
  }

  static HttpConnection.Reply exchange(HttpConnection c, String method, URI uri,
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
  static final int[] SIZES = {0, 1, 1000, 65_536, 1_000_000, 200, 10_000};

  static String method(int i) {
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
      CompletableFuture<Void> writer = Burst.sendAside(c::send, burst.toByteArray());
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
