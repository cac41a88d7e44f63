package pipecgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import pipecgi.FakeServer.Behaviour;

/**
 * --self-test, the real jar in a process of its own, through a real squid (Debian's, started
 * privately: {@link Squid}) in front of pipecgi's warm gateway (apache-conf/serve's "http"),
 * with an echo endpoint and a session endpoint: the requests go through squid (its access log
 * shows them), squid's own errors are named as squid's, and https goes through squid's CONNECT
 * to a TLS server whose certificate the test makes (pipecgi itself speaks no TLS: a fake server
 * holds the certificate there).
 */
@Timeout(300)
class SelfTestThroughSquidIT {
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java")
      .toString();

  @TempDir static Path certificates;
  private static WebServer web;
  private static Squid squid;

  @BeforeAll
  static void start() throws Exception {
    Map<String, String> endpoints = new LinkedHashMap<>();
    endpoints.put("echo", "command = /bin/cat\n");
    endpoints.put("talk", "command = /bin/cat\nsession = line\n");
    web = WebServer.start("http", endpoints);
    squid = Squid.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (squid != null) {
      squid.close();
    }
    if (web != null) {
      web.close();
    }
  }

  /** java -jar pipecgi.jar --self-test ARGS, with {@code env} as its whole environment. */
  private static Launch.Result selfTest(Map<String, String> env, String... args) {
    Launch launch = Launch.of(JAVA, "-jar", Launch.CGI_BIN.resolve("pipecgi.jar").toString(),
        "--self-test").args(args);
    env.forEach(launch::env);
    return launch.run();
  }

  private static String ok(Launch.Result r) {
    String report = r.outText();
    assertEquals(0, r.exit, report + r.err);
    assertFalse(report.contains("FAIL"), report);
    return report;
  }

  @Test
  void anEchoEndpointThroughSquidIsAPersistentPipelinedChannel() throws Exception {
    String url = web.uri("echo").toString();
    String report = ok(selfTest(Map.of(), url, "--proxy", squid.url()));
    assertTrue(report.contains("\nnote  through the proxy " + squid.url() + " (--proxy)\n"),
        report);
    assertTrue(report.contains("\nnote  the warm gateway answered through a proxy (Via: 1.1"
        + " pipecgi-test (squid/5"), report);
    assertTrue(report.endsWith("\nresult: ok: a persistent, pipelined channel (pipecgi --http)"
        + " through the proxy " + squid.url() + "\n"), report);
    squidLogs(" POST " + url + " ");
  }

  @Test
  void theHttpProxyVariableSendsTheTestThroughSquid() throws Exception {
    String url = web.uri("echo").toString();
    String report = ok(selfTest(Map.of("http_proxy", squid.url()), url));
    assertTrue(report.contains("\nnote  through the proxy " + squid.url() + " (http_proxy)\n"),
        report);
    squidLogs(" POST " + url + " ");
  }

  @Test
  void aSessionEndpointThroughSquidOpensEchoesInOrderAndCloses() throws Exception {
    String url = web.uri("talk").toString();
    String report = ok(selfTest(Map.of(), url, "--proxy", squid.url()));
    assertTrue(report.contains("\nok    send: 3 messages, pipelined in one write, were each"
        + " written to the service's stdin (204)\n"), report);
    assertTrue(report.contains("\nok    receive: the service echoed the 3 messages in order"),
        report);
    assertTrue(report.endsWith("\nok    close: 204, the session was closed\nresult: ok: a"
        + " session endpoint answers open, send, receive and close (pipecgi --http) through the"
        + " proxy " + squid.url() + "\n"), report);
    squidLogs(" DELETE " + url + " ");
  }

  @Test
  void squidsOwnErrorIsNamedAsSquidsNotBlamedOnPipecgi() throws Exception {
    // The mistake of the issue: the proxy's address given as the endpoint's URL.
    Launch.Result r = selfTest(Map.of(), squid.url() + "/pipecgi/echo");
    String report = r.outText();
    assertEquals(1, r.exit, report + r.err);
    assertTrue(report.contains("FAIL  the test could not go on: request 1 got 400 instead of"
        + " 200, not from pipecgi: the proxy's own error answer (X-Squid-Error: ERR_INVALID_URL"),
        report);
    assertTrue(report.contains("\n      fix: the proxy got a request that it cannot pass on,"
        + " such as one for itself: give the endpoint's URL, and the proxy with --proxy\n"),
        report);
    assertFalse(report.contains("error log"), report);
  }

  @Test
  void anEndpointThatSquidCannotReachIsSaidToBeSo() throws Exception {
    Launch.Result r = selfTest(Map.of(), "http://127.0.0.1:" + closedPort() + "/pipecgi/echo",
        "--proxy", squid.url());
    String report = r.outText();
    assertEquals(1, r.exit, report + r.err);
    assertTrue(report.contains("not from pipecgi: the proxy's own error answer (X-Squid-Error:"
        + " ERR_CONNECT_FAIL"), report);
    assertTrue(report.contains("\n      fix: the proxy cannot connect to the endpoint's host and"
        + " port"), report);
    assertTrue(report.endsWith("\nresult: 1 problem through the proxy " + squid.url() + "\n"),
        report);
  }

  @Test
  void httpsGoesThroughSquidsConnectAndTheCertificateIsChecked() throws Exception {
    TestCertificates certs = TestCertificates.make(certificates);
    try (FakeServer tls = FakeServer.start(Behaviour.KEEPS, certs.signedFor("ip:127.0.0.1"));
        FakeServer selfSigned = FakeServer.start(Behaviour.KEEPS, certs.selfSigned())) {
      String report = ok(selfTest(Map.of("https_proxy", squid.url()), tls.url(), "--cacert",
          certs.caPem.toString()));
      assertTrue(report.endsWith(" through the proxy " + squid.url() + "\n"), report);
      squidLogs(" CONNECT 127.0.0.1:" + tls.port() + " ");

      Launch.Result r = selfTest(Map.of(), selfSigned.url(), "--proxy", squid.url());
      assertEquals(1, r.exit, r.outText() + r.err);
      assertTrue(r.outText().contains("FAIL  the test could not go on: the server's certificate"
          + " is not trusted (self-signed, or by an unknown authority)\n      fix: --cacert FILE,"
          + " FILE the PEM certificate of its CA (a self-signed certificate is its own CA), or"
          + " --insecure to skip the check\n"), r.outText());
    }
  }

  /** Waits for squid's access log to show {@code request}: squid logs a request once done. */
  private static void squidLogs(String request) throws Exception {
    Await.until("squid's access log shows" + request, () -> squid.accessLog().contains(request));
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
