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
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.By;
import pipecgi.selftest.HttpConnection;

/**
 * PipeConnection (src/main/js/pipecgi.js) in Debian's headless Chromium against pipecgi's FastCGI
 * front end, as apache-conf/serve starts it: behind Apache mod_fcgid, lighttpd's bin-path and nginx
 * (--fastcgi). The demo page opens its three connections (echo, wc, and chat with listen) and
 * answers, and messages sent four at a time arrive in send order. The page asks for
 * /pipecgi/NAME.cgi, unchanged: under mod_fcgid the private server runs NAME.cgi as a FastCGI
 * application too, lighttpd's rewrites it to NAME.fcgi, and --fastcgi answers NAME.cgi itself.
 * One browser for all the servers.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"apache-fcgid", "lighttpd-fcgi", "nginx-fcgi"})
@Timeout(300)
class FastCgiBrowserIT {
  private static Browser browser;
  private static WebServer web;

  /** The server of apache-conf/serve, for the test's name. */
  final String server;

  FastCgiBrowserIT(String server) {
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
    Map<String, String> endpoints = ServerTests.demoEndpoints("echo", "wc", "chat");
    web = WebServer.start(server, endpoints);
  }

  @AfterParameterizedClassInvocation
  static void stop() throws Exception {
    try {
      // A page that listens to the chat leaves a poll waiting (mod_fcgid and lighttpd do not
      // notice that the browser went away) until the chat has news or its 20 s wait ends: a line
      // ends the wait now.
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
    browser.open(web.page("index.html"));
    for (String panel : List.of("echo", "wc", "chat")) {
      waitForText(panel + "-state", "OPEN");
    }
    browser.driver.findElement(By.cssSelector("#echo-form button")).click();
    waitForText("echo-out", "hello, pipecgi");
    waitForText("echo-rtt", "round trip [0-9.]+ ms");
    browser.driver.findElement(By.cssSelector("#wc-form button")).click();
    waitForText("wc-out", "2 lines, 4 words, 18 bytes");
    browser.driver.findElement(By.id("chat-input")).sendKeys("hello from the demo");
    browser.driver.findElement(By.cssSelector("#chat-form button")).click();
    waitForText("chat-log", "(?s).*guest[0-9]+: hello from the demo.*");
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
    Await.until("#" + id + " shows " + pattern,
        () -> browser.driver.findElement(By.id(id)).getText().matches(pattern));
  }
}
