package pipecgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pipecgi.FakeServer.Behaviour;
import pipecgi.http.TestGateway;

/**
 * --self-test's verdicts, against small fake servers that each answer in one way (well, or
 * misbehaving), fake proxies, TLS with certificates made for the test, and the real gateway.
 */
@Timeout(120) // keytool makes the certificates: a few JVM starts
class SelfTestTest {
  @TempDir static Path certificates;
  private static TestCertificates certs;

  private final List<AutoCloseable> started = new ArrayList<>();

  @BeforeAll
  static void makeCertificates() throws Exception {
    certs = TestCertificates.make(certificates);
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : started) {
      c.close();
    }
  }

  private FakeServer start(Behaviour behaviour) throws IOException {
    return started(FakeServer.start(behaviour));
  }

  private FakeServer startTls(Behaviour behaviour, javax.net.ssl.SSLServerSocketFactory tls)
      throws IOException {
    return started(FakeServer.start(behaviour, tls));
  }

  private FakeProxy startProxy() throws IOException {
    return started(FakeProxy.start());
  }

  private <T extends AutoCloseable> T started(T t) {
    started.add(t);
    return t;
  }

  private static String[] selfTest(String... args) {
    return selfTestWith(Map.of(), args);
  }

  /** Runs --self-test in-process with the environment {@code env}: exit status and output. */
  private static String[] selfTestWith(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of("--self-test"));
    all.addAll(List.of(args));
    int exit = new Main(env, new ByteArrayInputStream(new byte[0]), out,
        new ByteArrayOutputStream()).run(all.toArray(new String[0]));
    return new String[] {Integer.toString(exit), out.toString(StandardCharsets.UTF_8)};
  }

  private static void assertOk(String[] r) {
    assertEquals("0", r[0], r[1]);
    assertTrue(r[1].contains("\nresult: ok"), r[1]);
    assertFalse(r[1].contains("FAIL"), r[1]);
  }

  private static void assertFails(String[] r, String line) {
    assertEquals("1", r[0], r[1]);
    assertTrue(r[1].contains(line), r[1]);
  }

  // What it checks of a server: framing, keep-alive, pipelining.

  @Test
  void aServerThatKeepsLengthConnectionAndOrderPasses() throws Exception {
    String url = start(Behaviour.KEEPS).url();
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
    String[] r = selfTest(start(Behaviour.CHUNKS).url());
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
    String[] r = selfTest(start(Behaviour.CLOSES).url());
    assertEquals("1", r[0], r[1]);
    assertTrue(r[1].contains("FAIL  HTTP/1.1: the server closed the connection after 1 request\n"
        + "      fix: turn keep-alive on"), r[1]);
    assertTrue(r[1].contains("FAIL  of 5 pipelined requests only 1 were answered"), r[1]);
  }

  @Test
  void anEndpointThatDoesNotEchoIsCheckedForFramingOnly() throws Exception {
    String[] r = selfTest(start(Behaviour.ANSWERS_OK).url());
    assertEquals("0", r[0], r[1]);
    assertTrue(r[1].contains("note  the endpoint does not send back its request body"), r[1]);
    assertTrue(r[1].contains("ok    5 pipelined requests (sent in one write) were answered on"
        + " one connection"), r[1]);
  }

  @Test
  void theWarmGatewayIsNamedByItsAnswersWithoutAServerHeaderAndGetsItsOwnChecks()
      throws Exception {
    FakeServer server = start(Behaviour.GATEWAY);
    String[] r = selfTest(server.url());
    assertOk(r);
    assertTrue(r[1].endsWith("\nok    a chunked request body (50000 bytes, no Content-Length)"
        + " was echoed exact\nok    Expect: 100-continue: 100 Continue, then the body was echoed"
        + " exact\nresult: ok: a persistent, pipelined channel (pipecgi --http)\n"), r[1]);
  }

  @Test
  void anotherServerGetsNoChecksOfTheGateway() throws Exception {
    String[] r = selfTest(start(Behaviour.KEEPS).url());
    assertOk(r);
    assertFalse(r[1].contains("chunked"), r[1]);
    assertFalse(r[1].contains("Expect"), r[1]);
  }

  // Whose answer an error was.

  @Test
  void anErrorStatusStopsTheTestWithAHint() throws Exception {
    String[] r = selfTest(start(Behaviour.NOT_FOUND).url());
    assertFails(r, "FAIL  the test could not go on: request 1 got 404 instead of 200, not an"
        + " error answer of pipecgi's: an answer with no Server or Via header\n"
        + "      fix: nothing answers at this URL: check its path");
  }

  @Test
  void pipecgisOwnErrorSendsTheUserToTheErrorLog() throws Exception {
    String[] r = selfTest(start(Behaviour.PIPECGI_502).url());
    assertFails(r, "FAIL  the test could not go on: request 1 got 502 instead of 200, an error"
        + " answer of pipecgi's own\n      fix: the server's error log says why (pipecgi's lines"
        + " start with 'pipecgi[')\n");
  }

  @Test
  void anotherServersErrorIsNamedByItsServerHeaderNotBlamedOnPipecgi() throws Exception {
    String[] r = selfTest(start(Behaviour.NGINX_404).url());
    assertFails(r, "FAIL  the test could not go on: request 1 got 404 instead of 200, not an"
        + " error answer of pipecgi's: Server: nginx/1.22.1\n");
    assertFalse(r[1].contains("error log says why"), r[1]);
  }

  @Test
  void aProxysOwnErrorIsNamedAsTheProxysWithItsHeaders() throws Exception {
    // A URL that names the proxy itself: squid answers its own 400, ERR_INVALID_URL.
    String[] r = selfTest(start(Behaviour.SQUID_400).url());
    assertFails(r, "FAIL  the test could not go on: request 1 got 400 instead of 200, not from"
        + " pipecgi: the proxy's own error answer (X-Squid-Error: ERR_INVALID_URL 0, Server:"
        + " squid/5.7, Via: 1.1 fake (squid/5.7))\n      fix: the proxy got a request that it"
        + " cannot pass on, such as one for itself: give the endpoint's URL, and the proxy with"
        + " --proxy\n");
  }

  @Test
  void noServerIsSaidPlainly() throws Exception {
    String[] r = selfTest("http://127.0.0.1:" + closedPort() + "/echo.cgi");
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

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  // TLS: the certificate and the host name, always checked unless --insecure.

  @Test
  void aCertificateOfTheCaGivenWithCacertIsTrusted() throws Exception {
    FakeServer server = startTls(Behaviour.KEEPS, certs.signedFor("ip:127.0.0.1"));
    assertOk(selfTest(server.url(), "--cacert", certs.caPem.toString()));
  }

  @Test
  void aCertificateForAnotherNameFailsAndSaysWhichNames() throws Exception {
    FakeServer server = startTls(Behaviour.KEEPS, certs.signedFor("dns:wrong.example"));
    String[] r = selfTest(server.url(), "--cacert", certs.caPem.toString());
    assertFails(r, "FAIL  the test could not go on: the server's certificate is for"
        + " wrong.example, not for 127.0.0.1, the host of the URL\n      fix: use a URL with the"
        + " name the certificate is for, or give the server a certificate for 127.0.0.1\n");
    assertTrue(server.requestLines.isEmpty(), "no request went out: " + server.requestLines);
  }

  @Test
  void aSelfSignedCertificateIsNotTrustedAndTheFixIsSaid() throws Exception {
    FakeServer server = startTls(Behaviour.KEEPS, certs.selfSigned());
    String[] r = selfTest(server.url());
    assertFails(r, "FAIL  the test could not go on: the server's certificate is not trusted"
        + " (self-signed, or by an unknown authority)\n      fix: --cacert FILE, FILE the PEM"
        + " certificate of its CA (a self-signed certificate is its own CA), or --insecure to skip"
        + " the check\nresult: 1 problem\n");
    assertFalse(r[1].contains("PKIX"), r[1]);
  }

  @Test
  void aSelfSignedCertificateGivenWithCacertIsTrusted() throws Exception {
    FakeServer server = startTls(Behaviour.KEEPS, certs.selfSigned());
    assertOk(selfTest(server.url(), "--cacert", certs.selfSignedPem.toString()));
  }

  @Test
  void insecureChecksNoCertificateAndSaysSo() throws Exception {
    FakeServer server = startTls(Behaviour.KEEPS, certs.selfSigned());
    String[] r = selfTest(server.url(), "--insecure");
    assertOk(r);
    assertTrue(r[1].contains("\nnote  --insecure: the server's certificate and host name are not"
        + " checked\n"), r[1]);
    assertTrue(r[1].endsWith("\nresult: ok (insecure: the certificate was not checked): a"
        + " persistent, pipelined channel (fake)\n"), r[1]);
  }

  @Test
  void anExpiredCertificateIsSaidToHaveExpired() throws Exception {
    FakeServer server = startTls(Behaviour.KEEPS, certs.expired());
    String[] r = selfTest(server.url(), "--cacert", certs.caPem.toString());
    assertFails(r, "FAIL  the test could not go on: the server's certificate expired on ");
    assertTrue(r[1].contains("      fix: renew the server's certificate\n"), r[1]);
  }

  @Test
  void theHostNameGoesOutBySni() throws Exception {
    FakeServer server = startTls(Behaviour.KEEPS, certs.signedFor("dns:localhost"));
    assertOk(selfTest(server.url("localhost"), "--cacert", certs.caPem.toString()));
    assertEquals(List.of("localhost"), server.sniNames.stream().distinct().toList());
  }

  @Test
  void aCacertFileWithoutCertificatesIsRefused() throws Exception {
    Path notPem = Files.writeString(certificates.resolve("not.pem"), "hello\n");
    String[] r = selfTest("https://127.0.0.1:1/", "--cacert", notPem.toString());
    assertEquals("1", r[0], r[1]);
    assertTrue(r[1].startsWith("pipecgi: error: --cacert: " + notPem), r[1]);
  }

  @ParameterizedTest
  @ValueSource(strings = {"--insecure", "--cacert=/etc/hostname"})
  void tlsOptionsAreRefusedForAPlainHttpUrl(String option) {
    String[] r = selfTest("http://127.0.0.1:1/", option);
    assertEquals("1", r[0], r[1]);
    assertTrue(r[1].startsWith("pipecgi: error: " + option.split("=")[0] + " is for an https://"
        + " URL"), r[1]);
  }

  @Test
  void anHttpsUrlAtAPlainPortIsSaidToBeNoTls(@TempDir Path dir) throws Exception {
    try (TestGateway g = TestGateway.start(dir, Map.of("echo", "command = /bin/cat\n"))) {
      String[] r = selfTest("https://127.0.0.1:" + g.gateway.port() + "/echo");
      assertFails(r, "FAIL  the test could not go on: the server at 127.0.0.1:" + g.gateway.port()
          + " does not answer in TLS (");
      assertTrue(r[1].contains("\n      fix: check the URL's scheme and port: https:// for a TLS"
          + " port, http:// for a plain one\n"), r[1]);
    }
  }

  // Through a forward proxy.

  @Test
  void plainHttpGoesThroughTheProxyNamingTheWholeUrl() throws Exception {
    FakeServer server = start(Behaviour.KEEPS);
    FakeProxy proxy = startProxy();
    String[] r = selfTest(server.url(), "--proxy", proxy.url());
    assertOk(r);
    assertTrue(r[1].contains("\nnote  through the proxy " + proxy.url() + " (--proxy)\n"), r[1]);
    assertTrue(r[1].endsWith("\nresult: ok: a persistent, pipelined channel (fake) through the"
        + " proxy " + proxy.url() + "\n"), r[1]);
    assertFalse(proxy.firstLines.isEmpty());
    for (String line : server.requestLines) {
      assertTrue(line.startsWith("POST " + server.url() + " HTTP/1."), line);
    }
  }

  @Test
  void httpsGoesThroughAConnectTunnel() throws Exception {
    FakeServer server = startTls(Behaviour.KEEPS, certs.signedFor("ip:127.0.0.1"));
    FakeProxy proxy = startProxy();
    String[] r = selfTest(server.url(), "--proxy", proxy.url(), "--cacert",
        certs.caPem.toString());
    assertOk(r);
    assertTrue(r[1].contains(" through the proxy " + proxy.url() + "\n"), r[1]);
    for (String line : proxy.firstLines) {
      assertEquals("CONNECT 127.0.0.1:" + server.port() + " HTTP/1.1", line);
    }
    for (String line : server.requestLines) {
      assertTrue(line.startsWith("POST /cgi-bin/echo.cgi HTTP/1."), line);
    }
  }

  @Test
  void aPlainHttpUrlTakesTheHttpProxyOfTheEnvironment() throws Exception {
    FakeServer server = start(Behaviour.KEEPS);
    FakeProxy proxy = startProxy();
    String[] r = selfTestWith(Map.of("http_proxy", proxy.url(), "https_proxy",
        "http://nowhere:1"), server.url());
    assertOk(r);
    assertTrue(r[1].contains("\nnote  through the proxy " + proxy.url() + " (http_proxy)\n"),
        r[1]);
    assertFalse(proxy.firstLines.isEmpty());
  }

  @ParameterizedTest
  @ValueSource(strings = {"https_proxy", "HTTPS_PROXY"})
  void anHttpsUrlTakesTheHttpsProxyOfTheEnvironment(String variable) throws Exception {
    FakeServer server = startTls(Behaviour.KEEPS, certs.signedFor("ip:127.0.0.1"));
    FakeProxy proxy = startProxy();
    String[] r = selfTestWith(Map.of(variable, proxy.url(), "http_proxy", "http://nowhere:1"),
        server.url(), "--cacert", certs.caPem.toString());
    assertOk(r);
    assertTrue(r[1].contains("\nnote  through the proxy " + proxy.url() + " (" + variable
        + ")\n"), r[1]);
    assertEquals("CONNECT 127.0.0.1:" + server.port() + " HTTP/1.1", proxy.firstLines.get(0));
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "*", "example.org,127.0.0.1", "example.org 127.0.0.1"})
  void noProxyNamesTheHostsThatGoDirectly(String noProxy) throws Exception {
    FakeServer server = start(Behaviour.KEEPS);
    FakeProxy proxy = startProxy();
    String[] r = selfTestWith(Map.of("http_proxy", proxy.url(), "no_proxy", noProxy),
        server.url());
    assertOk(r);
    assertFalse(r[1].contains("proxy"), r[1]);
    assertTrue(proxy.firstLines.isEmpty(), proxy.firstLines.toString());
  }

  @Test
  void upperCaseHttpProxyIsNeverReadAsCurlDoes() throws Exception {
    // httpoxy: in a CGI program's environment, HTTP_PROXY is a request's Proxy header.
    FakeServer server = start(Behaviour.KEEPS);
    FakeProxy proxy = startProxy();
    String[] r = selfTestWith(Map.of("HTTP_PROXY", proxy.url()), server.url());
    assertOk(r);
    assertTrue(proxy.firstLines.isEmpty(), proxy.firstLines.toString());
  }

  @Test
  void aProxysOwnErrorThroughItIsNamedAsTheProxys() throws Exception {
    FakeServer server = start(Behaviour.KEEPS);
    FakeServer squid = start(Behaviour.SQUID_400);
    String[] r = selfTest(server.url(), "--proxy", "http://127.0.0.1:" + squid.port());
    assertFails(r, "FAIL  the test could not go on: request 1 got 400 instead of 200, not from"
        + " pipecgi: the proxy's own error answer (X-Squid-Error: ERR_INVALID_URL 0, Server:"
        + " squid/5.7, Via: 1.1 fake (squid/5.7))\n");
    assertTrue(r[1].endsWith("result: 1 problem through the proxy http://127.0.0.1:"
        + squid.port() + "\n"), r[1]);
  }

  @Test
  void aProxyThatOpensNoTunnelIsNamed() throws Exception {
    FakeServer server = startTls(Behaviour.KEEPS, certs.signedFor("ip:127.0.0.1"));
    FakeServer squid = start(Behaviour.SQUID_400);
    String proxy = "http://127.0.0.1:" + squid.port();
    String[] r = selfTest(server.url(), "--proxy", proxy, "--cacert", certs.caPem.toString());
    assertFails(r, "FAIL  the test could not go on: the proxy " + proxy + " (--proxy) did not"
        + " open a tunnel to 127.0.0.1:" + server.port() + ": 400 Bad Request, X-Squid-Error:"
        + " ERR_INVALID_URL 0, Server: squid/5.7, Via: 1.1 fake (squid/5.7)\n");
  }

  @Test
  void aProxyThatIsNotThereIsSaidToBeTheProxy() throws Exception {
    String proxy = "http://127.0.0.1:" + closedPort();
    String[] r = selfTest(start(Behaviour.KEEPS).url(), "--proxy", proxy);
    assertFails(r, "FAIL  the test could not go on: cannot connect to the proxy " + proxy
        + " (--proxy): Connection refused\n      fix: check the proxy's address");
  }

  @ParameterizedTest
  @ValueSource(strings = {"socks5://127.0.0.1:1080|is not an http:// proxy URL",
      "https://127.0.0.1:3128|is not an http:// proxy URL", "http://proxy|names no port"})
  void aProxyUrlThatCannotBeUsedIsRefused(String proxyAndWhy) {
    String[] p = proxyAndWhy.split("\\|");
    String[] r = selfTest("http://127.0.0.1:1/", "--proxy", p[0]);
    assertEquals("1", r[0], r[1]);
    assertTrue(r[1].startsWith("pipecgi: error: --proxy: '" + p[0] + "' " + p[1]), r[1]);
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://user:secret@proxy", "user:secret@proxy",
      "socks5://user:secret@proxy:1080"})
  void aRefusedProxyUrlIsShownWithoutItsPassword(String proxy) {
    String[] r = selfTest("http://127.0.0.1:1/", "--proxy", proxy);
    assertEquals("1", r[0], r[1]);
    assertTrue(r[1].contains("***@proxy"), r[1]);
    assertFalse(r[1].contains("secret"), r[1]);
  }

  // Session endpoints: a conversation instead of echoes.

  @Test
  void aSessionEndpointIsHeldAConversation() throws Exception {
    FakeServer server = start(Behaviour.SESSIONS);
    String[] r = selfTest(server.url());
    assertEquals("0", r[0], r[1]);
    assertEquals(List.of(
        "pipecgi self-test of " + server.url(),
        "note  a session endpoint: a POST without Pipecgi-Session is refused (400), and"
            + " Pipecgi-Session: new opens a session; so the test holds a conversation",
        "ok    open: 201, with the session's id and Pipecgi-Cursor: 0",
        "ok    send: 3 messages, pipelined in one write, were each written to the service's"
            + " stdin (204)",
        "ok    receive: the service echoed the 3 messages in order, and Pipecgi-Cursor: 3",
        "ok    close: 204, the session was closed",
        "result: ok: a session endpoint answers open, send, receive and close (pipecgi --http)"),
        r[1].lines().toList());
    assertEquals(List.of("POST /cgi-bin/echo.cgi", "POST /cgi-bin/echo.cgi",
        "POST /cgi-bin/echo.cgi", "POST /cgi-bin/echo.cgi", "POST /cgi-bin/echo.cgi",
        "GET /cgi-bin/echo.cgi", "DELETE /cgi-bin/echo.cgi"), server.targets());
  }

  @Test
  void aSessionsServiceThatEchoesOutOfOrderFails() throws Exception {
    String[] r = selfTest(start(Behaviour.SESSIONS_REORDERED).url());
    assertFails(r, "FAIL  receive: the service echoed the messages in another order: 3 2 1\n"
        + "      fix: pipecgi writes message N to the service's stdin only after N - 1");
    assertTrue(r[1].contains("\nok    close: 204"), r[1]);
  }

  @Test
  void aSessionsServiceThatSaysNothingYetIsNoFailure() throws Exception {
    String[] r = selfTest(start(Behaviour.SESSIONS_SILENT).url());
    assertEquals("0", r[0], r[1]);
    assertTrue(r[1].contains("\nnote  receive: the service wrote no line within 10 s (a receive"
        + " waits up to 20 s for one)"), r[1]);
    assertTrue(r[1].contains("\nok    close: 204"), r[1]);
  }

  @Test
  void aSessionThatEndsEarlySaysWhy() throws Exception {
    String[] r = selfTest(start(Behaviour.SESSIONS_ENDED).url());
    assertFails(r, "FAIL  send of message 1: 410, the session has ended: 1011 the service"
        + " exited with status 3\n");
  }

  // The real gateway, in this JVM.

  @Test
  void theRealGatewaysEndpointsAreToldApart(@TempDir Path dir) throws Exception {
    try (TestGateway g = TestGateway.start(dir, Map.of("echo", "command = /bin/cat\n",
        "talk", "command = /bin/cat\nsession = line\n"))) {
      String base = "http://127.0.0.1:" + g.gateway.port() + "/";
      String[] echo = selfTest(base + "echo");
      assertOk(echo);
      assertTrue(echo[1].endsWith("\nresult: ok: a persistent, pipelined channel (pipecgi"
          + " --http)\n"), echo[1]);
      String[] talk = selfTest(base + "talk");
      assertOk(talk);
      assertTrue(talk[1].contains("\nok    receive: the service echoed the 3 messages in"
          + " order"), talk[1]);
      assertTrue(talk[1].endsWith("\nresult: ok: a session endpoint answers open, send, receive"
          + " and close (pipecgi --http)\n"), talk[1]);
    }
  }
}
