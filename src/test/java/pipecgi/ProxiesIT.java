package pipecgi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * pipecgi through what stands between it and its clients, as apache-conf/serve sets each up with
 * the files a user installs: nginx as a reverse proxy in front of Apache running pipecgi as CGI
 * (nginx-pipecgi-apache.conf, with and without its keep-alive upstream lines), squid as a forward
 * proxy in front of the clients (squid-pipecgi.conf; without its POST lines; with
 * pipeline_prefetch 10), and TLS by Apache's mod_ssl (pipecgi-tls.conf) and by nginx in front of
 * the warm gateway (nginx-pipecgi-tls.conf), with a certificate this test makes and trusts; and
 * nginx in front of the gateway without TLS (nginx-proxy), for the order of side effects.
 * Through each, on real sockets: keep-alive in HTTP/1.1 and 1.0, 100 pipelined requests, the order
 * in which a service sees pipelined requests, the scheme it sees, the demo page in Chromium, and
 * which connections the proxy opens to the server (from the server's or the proxy's access log;
 * nginx's to the gateway are {@link ProxiedGatewayIT}'s). What each does goes into
 * target/servers-report.md.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"nginx-cgi", "nginx-cgi-default", "nginx-proxy", "squid", "squid-default",
    "squid-prefetch", "apache-tls", "nginx-proxy-tls"})
@Timeout(600)
class ProxiesIT {
  /** The test's TLS certificate and key (PEM), made with openssl, and its client's trust. */
  private static Path tlsDir;
  private static SSLContext trust;
  /** The certificate's public key for Chromium (--ignore-certificate-errors-spki-list). */
  private static String spki;

  /** Where the ledger service notes "start N" and "end N" for each request it runs. */
  private static Path ledger;
  private static WebServer web;

  private final String server;

  ProxiesIT(String server) {
    this.server = server;
  }

  @BeforeAll
  static void makeCertificate() throws Exception {
    tlsDir = Files.createTempDirectory("pipecgi-tls-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    // A server certificate (not a CA's) for the address the clients use, valid for two days.
    Launch.Result made = Launch.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
        "-addext", "subjectAltName=IP:127.0.0.1", "-addext", "basicConstraints=critical,CA:FALSE",
        "-keyout", tlsDir.resolve("key.pem").toString(),
        "-out", tlsDir.resolve("cert.pem").toString()).run();
    assertEquals(0, made.exit, made.outText() + made.err);
    X509Certificate cert;
    try (InputStream in = Files.newInputStream(tlsDir.resolve("cert.pem"))) {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("pipecgi-test", cert);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    trust = SSLContext.getInstance("TLS");
    trust.init(null, tmf.getTrustManagers(), null);
    spki = Base64.getEncoder().encodeToString(
        MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded()));
  }

  @AfterAll
  static void removeCertificate() throws IOException {
    Launch.deleteTree(tlsDir);
  }

  @BeforeParameterizedClassInvocation
  static void start(String server) throws Exception {
    // The services run as nobody when the tests run as root: a directory anyone may write in,
    // and not a sticky one such as /tmp, where another user's file cannot be appended to.
    Path dir = Files.createTempDirectory("pipecgi-ledger-");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    ledger = Files.createFile(dir.resolve("ledger"));
    Files.setPosixFilePermissions(ledger, PosixFilePermissions.fromString("rw-rw-rw-"));
    Map<String, String> endpoints = ServerTests.demoEndpoints("echo", "wc", "chat", "greeter");
    endpoints.put("bytes", "command = /bin/cat\nmax-request-bytes = 2M\n");
    endpoints.put("env", "command = /usr/bin/env\ncontent-type = text/plain\n");
    // The body is "N" or "N AFTER TENTHS": notes "start N"; with AFTER, waits until "end AFTER" is
    // noted (at most TENTHS tenths of a second); notes "end N"; answers N.
    endpoints.put("ledger", "command = /bin/sh -c 'read -r n after tenths; echo \"start $n\" >>"
        + ledger + "; i=0; while [ -n \"$after\" ] && ! grep -qx \"end $after\" " + ledger
        + " && [ $i -lt \"$tenths\" ]; do sleep 0.1; i=$((i+1)); done; echo \"end $n\" >>"
        + ledger + "; printf %s \"$n\"'\ntimeout = 55\n");
    Map<String, String> env = !server.endsWith("-tls") ? Map.of() : Map.of(
        "PIPECGI_TLS_CERT", tlsDir.resolve("cert.pem").toString(),
        "PIPECGI_TLS_KEY", tlsDir.resolve("key.pem").toString());
    web = WebServer.start(server, endpoints, env);
  }

  /**
   * The Apache in the chain logged no warning about its configuration in all the time the tests
   * ran (AH10159 comes a second or two after start), then everything stops.
   */
  @AfterParameterizedClassInvocation
  static void stop(String server) throws Exception {
    try {
      Path apacheLog = server.startsWith("nginx-cgi") ? web.runFile("apache/error.log")
          : server.startsWith("nginx-proxy") ? null : web.runFile("error.log");
      if (apacheLog != null) {
        List<String> warnings = ApacheWarnings.in(Files.readString(apacheLog));
        ServersReport.record(server, "Apache's warnings about its configuration",
            warnings.isEmpty() ? "none" : warnings.size());
        assertEquals(List.of(), warnings, "Apache warned in " + apacheLog);
      }
    } finally {
      web.close();
      Launch.deleteTree(ledger.getParent());
      ServersReport.write();
    }
  }

  private void record(String observation, Object value) {
    ServersReport.record(server, observation, value);
  }

  private boolean squid() {
    return server.startsWith("squid");
  }

  /** A client connection: to squid for the squid configurations, else to the server itself. */
  private ChainConnection connect() throws IOException {
    return new ChainConnection(web.uri(""),
        squid() ? new InetSocketAddress("127.0.0.1", web.port2) : null, trust);
  }

  @ParameterizedTest
  @ValueSource(strings = {"HTTP/1.1", "HTTP/1.0"})
  void twentyPostsThenFiveGetsOnOneClientConnection(String version) throws Exception {
    int logged = upstreamLog().size();
    try (ChainConnection c = connect()) {
      for (int i = 0; i < 25; i++) {
        String method = i < 20 ? "POST" : "GET";
        byte[] sent = method.equals("POST") ? ServerTests.body(i * 997, i) : null;
        ChainConnection.Reply r = c.exchange(method, web.uri("bytes.cgi?n=" + i), version, sent);
        assertEquals(200, r.status(), "request " + i);
        assertArrayEquals(sent == null ? new byte[0] : sent, r.body(), "request " + i);
        assertFalse(r.closes(), "request " + i + ": the client's connection is kept");
      }
    }
    // The server or the proxy logs a request once it has answered it: after the client has read
    // the answer, perhaps.
    Await.until("25 requests logged", () -> upstreamLog().size() >= logged + 25);
    List<String> requests = upstreamLog().subList(logged, logged + 25);
    record(version + ": 20 POSTs, then 5 GETs, on one client connection", "kept");
    if (server.endsWith("-tls") || server.equals("nginx-proxy")) {
      // The log is of the client's own connection (Apache's TLS; nginx, whose connections to the
      // gateway are ProxiedGatewayIT's): one, seen from the other end.
      assertEquals(1, opened(connectionsOf(requests)), requests.toString());
      return;
    }
    long newPosts = opened(connectionsOf(requests.subList(0, 20)));
    long newGets = opened(connectionsOf(requests.subList(20, 25)));
    long all = opened(connectionsOf(requests));
    record(version + ": connections to the server for those 20 POSTs, 5 GETs (all 25)",
        newPosts + ", " + newGets + " (" + all + ")");
    switch (server) {
      case "nginx-cgi-default" -> {
        assertEquals(List.of(20L, 5L), List.of(newPosts, newGets), requests.toString());
        assertTrue(requests.stream().allMatch(l -> l.contains(" HTTP/1.0\"")), "nginx speaks"
            + " HTTP/1.0 to the server by default: " + requests);
      }
      case "squid-default" -> {
        // A POST is never sent on a kept connection; a GET is.
        assertEquals(20L, newPosts, requests.toString());
        assertTrue(newGets <= 1, requests.toString());
      }
      // One kept connection for all (or none new: one the pool kept from an earlier test).
      default -> assertTrue(all <= 1, requests.toString());
    }
  }

  @Test
  void hundredPipelinedRequestsAreAnsweredInOrderExactOnAConnectionThatStaysOpen()
      throws Exception {
    int n = 100;
    List<byte[]> bodies = new ArrayList<>();
    ByteArrayOutputStream burst = new ByteArrayOutputStream();
    try (ChainConnection c = connect()) {
      for (int i = 0; i < n; i++) {
        String method = ServerTests.method(i);
        byte[] b = method.equals("POST")
            ? ServerTests.body(ServerTests.SIZES[i % ServerTests.SIZES.length], i) : null;
        bodies.add(b == null ? new byte[0] : b);
        burst.writeBytes(c.request(method, web.uri("bytes.cgi?n=" + i), "HTTP/1.1", b));
      }
      CompletableFuture<Void> writer = Burst.sendAside(c::send, burst.toByteArray());
      for (int i = 0; i < n; i++) {
        String method = ServerTests.method(i);
        ChainConnection.Reply r = c.read(method);
        assertEquals(200, r.status(), "request " + i);
        assertArrayEquals(method.equals("HEAD") ? new byte[0] : bodies.get(i), r.body(),
            "request " + i + " (" + method + ")");
        assertFalse(r.closes(), "request " + i);
      }
      writer.get();
      byte[] after = ServerTests.body(10, 7);
      assertArrayEquals(after, c.exchange("POST", web.uri("bytes.cgi"), "HTTP/1.1", after).body(),
          "the connection is still open");
    }
    record("100 pipelined requests (GET, HEAD, POST of 0 B to 1 MB) answered in order, exact,"
        + " connection kept", "yes");
  }

  /**
   * Twenty POSTs pipelined in one write to a service that notes when each starts and ends. A
   * proxy that passes a connection's requests on one after another lets each run to its end
   * before the next starts; squid with pipeline_prefetch runs several at once, and their side
   * effects happen in whatever order they finish (recorded), while the answers still come back
   * in order.
   */
  @Test
  void twentyPipelinedPostsReachTheServiceInTheOrderSentUnlessPrefetched() throws Exception {
    Files.write(ledger, new byte[0]);
    List<String> answers = pipelined(IntStream.rangeClosed(1, 20).mapToObj(i -> i + "").toList());
    assertEquals(IntStream.rangeClosed(1, 20).mapToObj(i -> i + "").toList(), answers,
        "answers in the order sent");
    List<String> seen = Files.readAllLines(ledger);
    List<String> ends = seen.stream().filter(l -> l.startsWith("end ")).map(l -> l.substring(4))
        .toList();
    if (server.equals("squid-prefetch")) {
      assertEquals(40, seen.size(), seen.toString());
      assertEquals(Set.copyOf(answers), Set.copyOf(ends), seen.toString());
    } else {
      List<String> serial = new ArrayList<>();
      answers.forEach(a -> serial.addAll(List.of("start " + a, "end " + a)));
      assertEquals(serial, seen, "each request ran to its end before the next began");
    }
    record("20 pipelined POSTs: the order the service finished them", String.join(" ", ends));
  }

  /**
   * Two POSTs pipelined: the first waits (at most 45 s with squid-prefetch, 2 s elsewhere) until
   * the second has ended. Through squid with pipeline_prefetch the second runs, and ends, while
   * the first is still running; everywhere else the first ends alone and the second starts
   * after it. The answers come back in the order sent either way.
   */
  @Test
  void aLaterRequestEndsFirstOnlyWhenTheProxyPrefetches() throws Exception {
    Files.write(ledger, new byte[0]);
    boolean prefetches = server.equals("squid-prefetch");
    List<String> answers = pipelined(List.of("1 2 " + (prefetches ? 450 : 20), "2"));
    assertEquals(List.of("1", "2"), answers);
    List<String> seen = Files.readAllLines(ledger);
    if (prefetches) {
      assertTrue(seen.indexOf("end 2") >= 0 && seen.indexOf("end 2") < seen.indexOf("end 1"),
          "the second request ended while the first waited for it: " + seen);
    } else {
      assertEquals(List.of("start 1", "end 1", "start 2", "end 2"), seen);
    }
    record("a second pipelined POST can end before the first", prefetches ? "yes" : "no");
  }

  /** The service sees the scheme the client used: HTTPS=on over TLS, by Apache or nginx. */
  @Test
  void theServiceSeesTheSchemeTheClientUsed() throws Exception {
    String env;
    try (ChainConnection c = connect()) {
      ChainConnection.Reply r = c.exchange("GET", web.uri("env.cgi"), "HTTP/1.1", null);
      assertEquals(200, r.status());
      env = new String(r.body(), StandardCharsets.UTF_8);
    }
    List<String> lines = env.lines().toList();
    assertTrue(lines.contains("REQUEST_SCHEME=" + web.scheme), env);
    assertEquals(web.scheme.equals("https"), lines.contains("HTTPS=on"), env);
    record("the service's REQUEST_SCHEME", web.scheme);
  }

  /** Sends the ledger these bodies pipelined in one write, and returns its answers in order. */
  private List<String> pipelined(List<String> bodies) throws Exception {
    List<String> answers = new ArrayList<>();
    try (ChainConnection c = connect()) {
      ByteArrayOutputStream burst = new ByteArrayOutputStream();
      for (String b : bodies) {
        burst.writeBytes(c.request("POST", web.uri("ledger.cgi"), "HTTP/1.1",
            b.getBytes(StandardCharsets.US_ASCII)));
      }
      c.send(burst.toByteArray());
      for (int i = 0; i < bodies.size(); i++) {
        ChainConnection.Reply r = c.read("POST");
        assertEquals(200, r.status(), "request " + i);
        answers.add(new String(r.body(), StandardCharsets.US_ASCII));
      }
    }
    return answers;
  }

  /**
   * The demo page in Chromium: through squid (--proxy-server; Chromium goes straight to loopback
   * addresses unless told otherwise), and over TLS with the test's certificate trusted by its
   * public key (Chromium's --ignore-certificate-errors-spki-list accepts that key and no other;
   * a certificate store it would read, NSS's, needs certutil, which is not installed here).
   */
  @Test
  void theDemoPageWorksInChromium() throws Exception {
    List<String> flags = squid()
        ? List.of("--proxy-server=http://127.0.0.1:" + web.port2, "--proxy-bypass-list=<-loopback>")
        : server.endsWith("-tls") ? List.of("--ignore-certificate-errors-spki-list=" + spki)
        : List.of();
    try (Browser browser = Browser.start(flags)) {
      GatewayBrowserIT.theDemoPageAnswers(browser, web,
          WebServer.GATEWAYS.contains(server));
      assertTrue(browser.driver.getCurrentUrl().startsWith(web.page("").toString()),
          browser.driver.getCurrentUrl());
      browser.open(web.page("blank.html"));
    }
    if (squid()) {
      for (String request : List.of("GET " + web.page("index.html"),
          "POST " + web.uri("echo.cgi"))) {
        // squid logs a request once it is done with it.
        Await.until("squid passed " + request, () ->
            Files.readString(web.runFile("squid/access.log")).contains(request));
      }
    }
    // The chat page leaves a poll waiting (20 s) until the chat has news; under the gateway it
    // would hold the gateway's stop: a line ends it.
    try (ChainConnection c = connect()) {
      assertEquals(204, c.exchange("POST", web.uri("chat.cgi"), "HTTP/1.1",
          "the test is over".getBytes(StandardCharsets.UTF_8)).status());
    }
    record("the demo page in Chromium", squid() ? "works, through the proxy"
        : server.endsWith("-tls") ? "works, with the certificate's key trusted" : "works");
  }

  /**
   * --self-test as a user would run it there: through the forward proxy (--proxy), trusting the
   * test's certificate over TLS (--cacert); behind a reverse proxy it sees the proxy as the server.
   */
  @Test
  void selfTestPassesThroughIt() throws Exception {
    List<String> args = new ArrayList<>(List.of("--self-test", web.uri("echo.cgi").toString()));
    if (squid()) {
      args.addAll(List.of("--proxy", "http://127.0.0.1:" + web.port2));
    }
    if (web.scheme.equals("https")) {
      // The test's private certificate is refused, in words and with the fix, until --cacert.
      String refused = selfTest(args);
      assertTrue(refused.startsWith("1\n"), refused);
      assertTrue(refused.contains("the server's certificate is not trusted"), refused);
      assertTrue(refused.contains("fix: --cacert FILE"), refused);
      assertFalse(refused.contains("PKIX"), refused);
      args.addAll(List.of("--cacert", tlsDir.resolve("cert.pem").toString()));
    }
    String report = selfTest(args);
    assertTrue(report.startsWith("0\n"), report);
    assertTrue(report.contains("\nresult: ok"), report);
    record("--self-test", squid() ? "ok, with --proxy"
        : web.scheme.equals("https") ? "ok, with --cacert (refused without)" : "ok");
  }

  /** Runs --self-test with {@code args}: its exit status, a newline, and what it printed. */
  private static String selfTest(List<String> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit = new Main(Map.of(), InputStream.nullInputStream(), out, new ByteArrayOutputStream())
        .run(args.toArray(String[]::new));
    return exit + "\n" + out.toString(StandardCharsets.UTF_8);
  }

  /**
   * The access log lines of what stands behind the client's connection: the Apache behind nginx,
   * squid's own (with its end of the connection to the server), or, over TLS, the server's.
   */
  private List<String> upstreamLog() throws IOException {
    String file = server.startsWith("nginx-cgi") ? "apache/access.log"
        : squid() ? "squid/access.log" : "access.log";
    return Files.readAllLines(web.runFile(file)).stream().filter(l -> l.contains("bytes.cgi"))
        .toList();
  }

  private static final Pattern SQUID_SIDE = Pattern.compile(" via=(\\d+)$");
  private static final Pattern NGINX_CONNECTION = Pattern.compile(" connection=(\\d+) ");

  /**
   * For each logged request, the connection it came on: squid's port towards the server; for
   * Apache, "new" or "kept" (how many requests the connection had carried, keepalive=%k); for
   * nginx, its connection number.
   */
  private List<String> connectionsOf(List<String> lines) {
    List<String> connections = new ArrayList<>();
    for (String line : lines) {
      Matcher squidSide = SQUID_SIDE.matcher(line);
      Matcher nginx = NGINX_CONNECTION.matcher(line);
      if (squidSide.find()) {
        connections.add(squidSide.group(1));
      } else if (nginx.find()) {
        connections.add(nginx.group(1));
      } else {
        assertTrue(line.matches(".* keepalive=\\d+$"), line);
        connections.add(line.endsWith(" keepalive=0") ? "new" : "kept");
      }
    }
    return connections;
  }

  /**
   * How many connections these requests came on that had served no request before; for squid and
   * nginx, how many distinct connections they came on (one kept from an earlier test included).
   */
  private static long opened(List<String> connections) {
    if (connections.stream().allMatch(c -> c.equals("new") || c.equals("kept"))) {
      return connections.stream().filter(c -> c.equals("new")).count();
    }
    return new LinkedHashSet<>(connections).size();
  }
}
