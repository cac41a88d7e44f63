package pipecgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.By;
import pipecgi.selftest.HttpConnection;

/**
 * PipeConnection (src/main/js/pipecgi.js) in Debian's headless Chromium against pipecgi's warm
 * gateway, alone and behind Apache (over TCP and over the gateway's Unix socket) and nginx, as
 * apache-conf/serve starts them: the demo page opens its three connections and answers, and
 * messages sent four at a time arrive in send order. {@link BrowserIT} tests the rest of
 * pipecgi.js, under Apache's CGI. One browser for all the servers.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"http", "apache-proxy", "apache-proxy-unix", "nginx-proxy"})
@Timeout(300)
class GatewayBrowserIT {
  private static Browser browser;
  private static WebServer web;

  /** The server of apache-conf/serve, for the test's name. */
  final String server;

  GatewayBrowserIT(String server) {
    this.server = server;
  }

  @BeforeAll
  static void startBrowser() throws IOException {
    browser = Browser.start();
  }

  @AfterAll
  static void closeBrowser() throws IOException {
    if (browser != null) {
      browser.close();
    }
  }

  @BeforeParameterizedClassInvocation
  static void start(String server) throws Exception {
    Map<String, String> endpoints = ServerTests.demoEndpoints("echo", "wc", "chat", "greeter", "counter");
    endpoints.put("numbered", "command = /bin/sh -c 'n=0; while IFS= read -r l; do n=$((n+1));"
        + " printf \"%s %s\\n\" $n \"$l\"; done'\nsession = line\nmax-request-bytes = 8K\n");
    endpoints.put("talker", "command = /bin/sh -c 'for i in 1 2 3 4 5; do echo \"tick $i\";"
        + " sleep 0.1; done; exit 3'\nsession = line\n");
    web = WebServer.start(server, endpoints);
  }

  @AfterParameterizedClassInvocation
  static void stop() throws Exception {
    try {
      // A page that listens to the chat leaves a poll waiting at the gateway (which does not
      // notice that the browser went away) until the chat has news or its 20 s wait ends, and the
      // gateway lets running requests finish before it stops: a line ends the wait now.
      browser.open(web.page("blank.html"));
      try (HttpConnection c = new HttpConnection(web.uri(""), 60_000)) {
        c.send(HttpConnection.request("POST", web.uri("chat.cgi"), "HTTP/1.1",
            "the test is over".getBytes(StandardCharsets.UTF_8), false));
        assertEquals(204, c.read("POST").status);
      }
    } finally {
      web.close();
    }
  }

  @Test
  void theDemoPageOpensItsConnectionsAndAnswers() throws Exception {
    theDemoPageAnswers(browser, web, true);
  }

  /**
   * The demo page of {@code web}, in {@code b}: its connections open, and echo, wc and the chat
   * answer; the greeter's session opens where there are {@code sessions} (the warm gateway), and
   * says that it could not elsewhere (under CGI). Also for {@link BrowserIT} (Apache's CGI) and
   * for the demo through proxies and TLS ({@link ProxiesIT}).
   */
  static void theDemoPageAnswers(Browser b, WebServer web, boolean sessions) throws Exception {
    b.open(web.page("index.html"));
    for (String panel : sessions ? List.of("echo", "wc", "chat", "greeter")
        : List.of("echo", "wc", "chat")) {
      waitForText(b, panel + "-state", "OPEN");
    }
    b.driver.findElement(By.cssSelector("#echo-form button")).click();
    waitForText(b, "echo-out", "hello, pipecgi");
    waitForText(b, "echo-rtt", "round trip [0-9.]+ ms");
    b.driver.findElement(By.cssSelector("#wc-form button")).click();
    waitForText(b, "wc-out", "2 lines, 4 words, 18 bytes");
    b.driver.findElement(By.id("chat-input")).sendKeys("hello from the demo");
    b.driver.findElement(By.cssSelector("#chat-form button")).click();
    waitForText(b, "chat-log", "(?s).*guest[0-9]+: hello from the demo.*");
    if (!sessions) {
      // Sessions need the warm gateway: under CGI the panel says that it could not open.
      waitForText(b, "greeter-rtt", "closed: 1006 session: 500 Internal Server Error");
    }
  }

  @Test
  void theDemoSessionsKeepStateAndPush() throws Exception {
    browser.open(web.page("index.html"));
    waitForText("greeter-state", "OPEN");
    for (String name : List.of("Ann", "Bob")) {
      browser.driver.findElement(By.id("greeter-input")).sendKeys(name);
      browser.driver.findElement(By.cssSelector("#greeter-form button")).click();
    }
    waitForText("greeter-out", "(?s)Hello! What is your name\\?\\nHello, Ann! I have met: Ann\\.\\n"
        + "Hello, Bob! I have met: Ann, Bob\\.\\n?");
    browser.driver.findElement(By.id("counter-start")).click();
    waitForText("counter-out", "[3-9]|[1-9][0-9]+");
    waitForText("counter-rtt", "closed: 1000 the service exited with status 0");
    assertEquals("100", browser.driver.findElement(By.id("counter-out")).getText());
  }

  @ParameterizedTest(name = "maxInFlight {0}")
  @ValueSource(ints = {1, 4})
  void aSessionsLinesReachTheServiceInSendOrder(int maxInFlight) {
    browser.open(web.page("blank.html"));
    Map<String, Object> r = browser.runForMap("sessionLines", Map.of("endpoint",
        "/pipecgi/numbered", "count", 200, "maxInFlight", maxInFlight, "numbered", true));
    assertEquals(List.of(), r.get("errors"));
    assertEquals(200L, r.get("received"), r.toString());
    assertEquals(-1L, r.get("firstWrong"), r.toString());
    assertEquals("SyntaxError", r.get("refused"), "a line break is refused by send()");
    assertEquals(true, r.get("session"));
    assertEquals(Map.of("code", 1000L, "reason", "", "wasClean", true), r.get("close"));
  }

  @Test
  void aSessionHearsItsServicesLinesThenHowItExited() {
    browser.open(web.page("blank.html"));
    Map<String, Object> r = browser.runForMap("sessionToTheEnd", Map.of("endpoint",
        "/pipecgi/talker"));
    assertEquals(List.of("tick 1", "tick 2", "tick 3", "tick 4", "tick 5"), r.get("messages"));
    assertEquals(List.of(), r.get("errors"));
    assertEquals(Map.of("code", 1011L, "reason", "the service exited with status 3",
        "wasClean", true), r.get("close"));
  }

  @Test
  void fiftyMessagesFourInFlightArriveInSendOrder() {
    browser.open(web.page("blank.html"));
    long count = 50;
    Map<String, Object> r = browser.runForMap("ordered", Map.of(
        "endpoint", "/pipecgi/echo.cgi", "count", count, "maxInFlight", 4, "numbered", false));
    assertEquals(List.of(), r.get("errors"));
    assertEquals(count, r.get("received"), r.toString());
    assertEquals(-1L, r.get("firstWrong"), r.toString());
    assertEquals(true, r.get("allStrings"));
    assertEquals(Map.of("code", 1000L, "reason", "", "wasClean", true), r.get("close"));
    assertTrue(((Number) r.get("maxBuffered")).doubleValue() > 0,
        "bufferedAmount counts what is not answered yet");
    assertEquals(0L, r.get("bufferedAfter"));
  }

  /** Waits for the element's text to match the pattern. */
  private static void waitForText(String id, String pattern) throws Exception {
    waitForText(browser, id, pattern);
  }

  private static void waitForText(Browser b, String id, String pattern) throws Exception {
    Await.until("#" + id + " shows " + pattern,
        () -> b.driver.findElement(By.id(id)).getText().matches(pattern));
  }
}
