package pipecgi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
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
 * pipecgi's FastCGI front end behind the real servers, as apache-conf/serve sets them up with the
 * snippets a user installs: Apache event + mod_fcgid starting the cgi-bin's NAME.fcgi
 * (pipecgi-fcgid.conf), lighttpd starting them with "bin-path" (lighttpd-fastcgi.conf), and nginx
 * in front of java -jar pipecgi.jar --fastcgi (nginx-fastcgi.conf). Through real sockets:
 * keep-alive in HTTP/1.1 and HTTP/1.0, pipelining, error statuses, a large body, a client that
 * leaves while its service runs, load, --self-test, and nothing left running once the server has
 * stopped. What a server does that is a fact rather than a guarantee goes into
 * target/servers-report.md. One server start per mode.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"apache-fcgid", "lighttpd-fcgi", "nginx-fcgi"})
@Timeout(300)
class FastCgiServersIT {
  /** The java the tests run on. */
  private static final String JAVA =
      Path.of(System.getProperty("java.home"), "bin", "java").toString();

  private static WebServer web;

  private final String server;

  FastCgiServersIT(String server) {
    this.server = server;
  }

  @BeforeParameterizedClassInvocation
  static void start(String server) throws Exception {
    Map<String, String> endpoints = ServerTests.endpoints();
    endpoints.put("pause", "command = /bin/sh -c 'sleep 1; echo finished'\n");
    web = WebServer.start(server, endpoints);
  }

  /** The server stops its FastCGI applications (or serve stops the --fastcgi one) with itself. */
  @AfterParameterizedClassInvocation
  static void stop(String server) throws Exception {
    try {
      web.stop();
      Await.until("no pipecgi process is left once " + server + " has stopped",
          () -> web.pipecgiProcesses().isEmpty());
      ServersReport.record(server, "pipecgi processes left once the server has stopped", 0);
    } finally {
      web.close();
      ServersReport.write();
    }
  }

  private void record(String observation, Object value) {
    ServersReport.record(server, observation, value);
  }

  /** Under FastCGI the endpoint is NAME.fcgi (nginx's --fastcgi answers NAME.cgi and NAME too). */
  private static java.net.URI endpoint(String nameAndQuery) {
    return web.uri(nameAndQuery.replaceFirst("^([a-z]+)", "$1.fcgi"));
  }

  private static HttpConnection connect() throws IOException {
    return new HttpConnection(web.uri(""), 60_000);
  }

  @ParameterizedTest
  @ValueSource(strings = {"HTTP/1.1", "HTTP/1.0"})
  void twentySequentialRequestsOnOneKeepAliveConnection(String version) throws Exception {
    Set<HttpConnection.Framing> framings = new LinkedHashSet<>();
    Set<String> fastCgiConnections = new TreeSet<>();
    long start = System.nanoTime();
    try (HttpConnection c = connect()) {
      for (int i = 0; i < 20; i++) {
        byte[] sent = ServerTests.body(i * 997, i);
        HttpConnection.Reply r = ServerTests.exchange(c, "POST", endpoint("echo"), version, sent);
        assertEquals(200, r.status, "request " + i);
        assertArrayEquals(sent, r.body, "request " + i);
        assertFalse(r.closes(), "request " + i + ": the connection is kept");
        framings.add(r.framing);
        fastCgiConnections.addAll(fastCgiConnections());
      }
    }
    long millis = (System.nanoTime() - start) / 20_000_000;
    assertEquals(Set.of(HttpConnection.Framing.LENGTH), framings);
    record(version + " keep-alive: connections for 20 requests", 1);
    // A figure, not a test: through nginx over TCP, about 50 ms a request here against 5 ms over
    // the Unix socket, since pipecgi sends END_REQUEST in a write of its own after the answer
    // (Nagle's algorithm holds it until nginx acknowledges the answer, which it delays).
    record(version + " keep-alive: time per request (POSTs of 0 to 19 KB, one at a time)",
        millis + " ms");
    record(version + " framing of the responses", "pipecgi's Content-Length");
    if (server.startsWith("nginx")) {
      record(version + ": FastCGI connections nginx used for the 20 requests",
          fastCgiConnections.size());
    }
  }

  /** The 100 requests of ServerTests and ProxiedGatewayIT: GET, HEAD and POSTs of 0 B to 1 MB. */
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
      burst.writeBytes(HttpConnection.request(method, endpoint("echo?n=" + i), "HTTP/1.1",
          method.equals("POST") ? b : null, false));
    }
    try (HttpConnection c = connect()) {
      CompletableFuture<Void> writer = Burst.sendAside(c::send, burst.toByteArray());
      for (int i = 0; i < n; i++) {
        String method = ServerTests.method(i);
        HttpConnection.Reply r = c.read(method);
        assertEquals(200, r.status, "request " + i);
        assertArrayEquals(method.equals("HEAD") ? new byte[0] : bodies.get(i), r.body,
            "request " + i + " (" + method + ")");
        assertFalse(r.closes(), "request " + i);
      }
      writer.get();
      HttpConnection.Reply after = ServerTests.exchange(c, "POST", endpoint("echo"), "HTTP/1.1",
          ServerTests.body(10, 7));
      assertArrayEquals(ServerTests.body(10, 7), after.body, "the connection is still open");
    }
    record("100 pipelined requests (GET, HEAD, POST of 0 B to 1 MB) answered in order, exact,"
        + " connection kept", "yes");
  }

  /**
   * 413, 405, 502, 504 and 200 on one connection, a new one only when the server closes it.
   * Apache closes the connection after a 413 whoever answers it (ap_status_drops_connection);
   * what the others do is recorded.
   */
  @Test
  void errorStatusesAndWhichOfThemKeepTheConnection() throws Exception {
    List<String> seen = new ArrayList<>();
    HttpConnection c = connect();
    try {
      Object[][] cases = {
          {"POST", "small", ServerTests.body(2048, 1), 413},
          {"PUT", "echo", ServerTests.body(10, 2), 405},
          {"GET", "fail", null, 502},
          {"GET", "slow", null, 504},
          {"POST", "echo", ServerTests.body(100, 3), 200}};
      for (Object[] k : cases) {
        HttpConnection.Reply r = ServerTests.exchange(c, (String) k[0], endpoint((String) k[1]),
            "HTTP/1.1", (byte[]) k[2]);
        assertEquals(k[3], r.status, (String) k[1]);
        seen.add(r.status + (r.closes() ? " (closed)" : ""));
        if (r.closes()) {
          c.close();
          c = connect();
        }
      }
    } finally {
      c.close();
    }
    List<String> kept = List.of("413", "405", "502", "504", "200");
    if (server.startsWith("apache")) {
      assertEquals(List.of("413 (closed)", "405", "502", "504", "200"), seen);
    } else {
      assertEquals(kept, seen.stream().map(s -> s.replace(" (closed)", "")).toList());
      assertTrue(seen.subList(1, 5).equals(kept.subList(1, 5)), "only a 413 may close: " + seen);
    }
    record("413, 405, 502, 504, 200 on one connection", String.join(", ", seen));
    // pipecgi's lines, sent as FastCGI stderr, are in the server's error log (which the server
    // may write after the answer).
    for (String line : List.of("pipecgi[small]: 413 Content Too Large",
        "pipecgi[fail]: 502 Bad Gateway: the service exited with status 3",
        "pipecgi[slow]: 504 Gateway Timeout")) {
      Await.until("the error log has " + line, () -> web.errorLog().contains(line));
    }
    String log = web.errorLog();
    record("pipecgi's log lines (FastCGI stderr) in the server's error log, as", List.of(
        "mod_fcgid: stderr: ", "FastCGI-stderr:", "FastCGI sent in stderr: \"").stream()
        .filter(prefix -> log.contains(prefix + "pipecgi[fail]: 502"))
        .map(prefix -> "`" + prefix + "pipecgi[fail]: 502 ...`").findFirst().orElse("?"));
  }

  /** A 20 MB POST (the configurations let bodies this large through), and a chunked megabyte. */
  @Test
  void aTwentyMegabytePostAndAChunkedOneComeBackExact() throws Exception {
    try (HttpConnection c = connect()) {
      byte[] large = ServerTests.body(20_000_000, 20);
      c.send(HttpConnection.request("POST", endpoint("echo"), "HTTP/1.1", large, false));
      HttpConnection.Reply r = c.read("POST");
      assertEquals(200, r.status);
      assertArrayEquals(large, r.body, "20 MB");
      assertFalse(r.closes());
      byte[] chunked = ServerTests.body(1_000_000, 21);
      c.send(HttpConnection.request("POST", endpoint("echo"), "HTTP/1.1", chunked, true));
      r = c.read("POST");
      assertEquals(200, r.status);
      assertArrayEquals(chunked, r.body, "a chunked megabyte");
    }
    record("20 MB POST; chunked 1 MB POST", "exact; exact");
  }

  /**
   * The client leaves while its service runs: the service and its child must be stopped, by the
   * server (nginx closes the FastCGI connection, and pipecgi stops the service at once) or else
   * by pipecgi's own timeout (mod_fcgid sends no FCGI_ABORT_REQUEST and does not notice). Which
   * one did it is recorded, from the log: a 504 is pipecgi's timeout; when the server closed the
   * connection, pipecgi's 503 cannot be sent, and only that is logged (by pipecgi itself).
   */
  @Test
  void aClientThatLeavesWhileItsServiceRunsLeavesNoProcessBehind() throws Exception {
    // What the hang endpoint's JVM logs then, naming the endpoint.
    String hangUnsent = "pipecgi[hang]: " + UNSENT;
    int unsent;
    try (HttpConnection c = connect()) {
      c.send(HttpConnection.request("GET", endpoint("hang"), "HTTP/1.1", null, false));
      Await.until("the service and its child run",
          () -> Processes.withArgument(ServerTests.HANG_MARKER).size() == 2);
      unsent = count(web.errorLog(), hangUnsent);
    }
    assertEquals(List.of(), Processes.awaitGone(ServerTests.HANG_MARKER));
    Await.until("pipecgi has ended the request", () -> web.errorLog().contains(
        "pipecgi[hang]: 504 Gateway Timeout") || count(web.errorLog(), hangUnsent) > unsent);
    boolean timedOut = web.errorLog().contains("pipecgi[hang]: 504 Gateway Timeout");
    if (server.equals("apache-fcgid")) {
      assertTrue(timedOut, "mod_fcgid does not notice: " + web.errorLog());
    }
    record("client gone while the service runs: stopped by", timedOut
        ? "pipecgi's timeout (the server did not notice)"
        : "the server: it closed the FastCGI connection, and pipecgi stopped the service");
  }

  /**
   * mod_fcgid stops an idle or old application with SIGTERM, and so does lighttpd when it
   * restarts: a JVM told to stop while it answers lets the request finish, then exits, and the
   * server starts another for the next request.
   */
  @Test
  void aSpawnedJvmToldToStopFinishesItsRequestThenExits() throws Exception {
    assumeTrue(WebServer.SPAWNED.contains(server), "the server spawns no application");
    try (HttpConnection c = connect()) {
      assertEquals("finished\n", new String(ServerTests.exchange(c, "GET", endpoint("pause"),
          "HTTP/1.1", null).body, StandardCharsets.UTF_8), "a first request starts its JVM");
      ProcessHandle jvm = jvmOf("pause");
      c.send(HttpConnection.request("GET", endpoint("pause"), "HTTP/1.1", null, false));
      Await.until("the request's service runs", () -> jvm.descendants().findAny().isPresent());
      jvm.destroy();
      HttpConnection.Reply r = c.read("GET");
      assertEquals(200, r.status);
      assertEquals("finished\n", new String(r.body, StandardCharsets.UTF_8));
      Await.until("the JVM has exited", () -> !jvm.isAlive());
    }
    String log = web.errorLog();
    assertTrue(log.contains("pipecgi[pause]: stopping: pipecgi was told to stop (a signal); 1"
        + " request running"), log);
    assertTrue(log.contains("pipecgi[pause]: stopped"), log);
    try (HttpConnection c = connect()) {
      assertEquals(200, ServerTests.exchange(c, "GET", endpoint("pause"), "HTTP/1.1", null)
          .status, "the server starts another JVM");
    }
  }

  /** The JVM that the server spawned for endpoint {@code name}: its PIPECGI_CONF names it. */
  private static ProcessHandle jvmOf(String name) throws IOException {
    List<ProcessHandle> found = new ArrayList<>();
    for (ProcessHandle p : web.pipecgiProcesses()) {
      try {
        String environ = Files.readString(Path.of("/proc", Long.toString(p.pid()), "environ"),
            StandardCharsets.ISO_8859_1);
        if (Arrays.asList(environ.split("\0")).contains("PIPECGI_CONF=" + web.cgiBin.resolve(
            name + ".conf"))) {
          found.add(p);
        }
      } catch (IOException gone) {
        // exited meanwhile
      }
    }
    assertEquals(1, found.size(), "one JVM for " + name + ": " + found);
    return found.get(0);
  }

  /** Many clients at once, each on a keep-alive connection: no failure, every body exact. */
  @Test
  void twoThousandKeepAliveRequestsAtConcurrency16() throws Exception {
    int requests = 2000;
    int clients = 16;
    AtomicInteger next = new AtomicInteger();
    AtomicInteger connections = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    int unsent = count(web.errorLog(), UNSENT);
    long start = System.nanoTime();
    List<String> failures = new ArrayList<>();
    try {
      List<Future<List<String>>> running = new ArrayList<>();
      for (int t = 0; t < clients; t++) {
        running.add(pool.submit(() -> ServerTests.echoClient(FastCgiServersIT::connect,
            endpoint("echo"), next, requests, connections)));
      }
      for (Future<List<String>> f : running) {
        try {
          failures.addAll(f.get());
        } catch (java.util.concurrent.ExecutionException e) {
          String log = web.errorLog();
          throw new AssertionError(e.getCause() + "; the server's log ends with:\n"
              + log.substring(Math.max(0, log.length() - 4000)), e);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    assertEquals(List.of(), failures);
    List<ProcessHandle> jvms = web.pipecgiProcesses();
    record("2,000 keep-alive POSTs at concurrency 16", String.format(
        "0 failures, %.0f req/s, %d connections", requests / seconds, connections.get()));
    // An answer and its END_REQUEST go out in one write: a server that closes the connection
    // once it has the whole body (lighttpd does, by its Content-Length) must not cut END_REQUEST
    // off, which pipecgi would log as an answer it could not send.
    int notSent = count(web.errorLog(), UNSENT) - unsent;
    record("2,000 POSTs: answers pipecgi logged as not sent", notSent);
    assertEquals(0, notSent, "answers logged as not sent");
    record("pipecgi JVMs after the load (all endpoints); largest resident memory",
        jvms.size() + "; " + jvms.stream().mapToLong(FastCgiServersIT::residentKib).max()
            .orElse(0) / 1024 + " MiB");
  }

  @Test
  void selfTestSaysOk() {
    Launch.Result r = Launch.of(JAVA, "-jar", Launch.CGI_BIN.resolve("pipecgi.jar").toString(),
        "--self-test", endpoint("echo").toString()).run();
    String report = r.outText();
    assertEquals(0, r.exit, report + r.err);
    assertTrue(report.contains("\nresult: ok: a persistent, pipelined channel"), report);
    record("--self-test", "ok");
  }

  /** What pipecgi logs when the server has closed the connection before the answer. */
  private static final String UNSENT = "cannot send a response to the web server";

  private static int count(String text, String part) {
    int n = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      n++;
    }
    return n;
  }

  /** A process's resident memory, in KiB (VmRSS), or 0 once it has gone. */
  private static long residentKib(ProcessHandle p) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      // gone
    }
    return 0;
  }

  private static final Pattern TCP_STARTED =
      Pattern.compile("^pipecgi: started: FastCGI on 127\\.0\\.0\\.1:(\\d+) ", Pattern.MULTILINE);

  /**
   * The established connections to the --fastcgi application's TCP port (nginx's), from the
   * kernel's table, by inode; none for the servers whose applications listen on Unix sockets.
   */
  private static Set<String> fastCgiConnections() throws IOException {
    Path log = web.runFile("gateway.log");
    if (!Files.exists(log)) {
      return Set.of();
    }
    Matcher m = TCP_STARTED.matcher(Files.readString(log, StandardCharsets.UTF_8));
    if (!m.find()) {
      return Set.of();
    }
    int port = Integer.parseInt(m.group(1));
    Set<String> open = new TreeSet<>();
    // Java's end is an IPv4-mapped IPv6 socket: in tcp6.
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      List<String> lines = Files.readAllLines(Path.of(table));
      for (String line : lines.subList(1, lines.size())) {
        // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
        String[] f = line.trim().split("\\s+");
        String local = f[1];
        if (f[3].equals("01")
            && Integer.parseInt(local.substring(local.indexOf(':') + 1), 16) == port) {
          open.add(f[9]);
        }
      }
    }
    return open;
  }
}
