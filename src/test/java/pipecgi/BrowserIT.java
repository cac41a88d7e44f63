package pipecgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * PipeConnection (src/main/js/pipecgi.js) in Debian's headless Chromium against a real Apache
 * (event + mod_cgid, Debian's default) whose endpoints are pipecgi: order, bytes, errors, close,
 * a server that goes away, and two pages chatting through listen. The scenarios themselves are in
 * src/test/js/scenarios.js; each test checks what the page saw.
 */
@Timeout(300)
class BrowserIT {
  private static WebServer web;
  private static Browser browser;

  /** Where the rendezvous service notes a message that waited for its partner in vain. */
  private static Path runs;

  @BeforeAll
  static void start() throws Exception {
    // The services run as nobody when the tests run as root; not in a sticky directory such as
    // /tmp, where the kernel refuses to let another user open a file to append to it.
    Path dir = Files.createTempDirectory("pipecgi-runs-");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    runs = Files.createFile(dir.resolve("runs.log"));
    Files.setPosixFilePermissions(runs, PosixFilePermissions.fromString("rw-rw-rw-"));
    web = WebServer.start("apache-event", endpoints(runs));
    browser = Browser.start();
  }

  static Map<String, String> endpoints(Path runs) throws IOException {
    String text = "content-type = text/plain; charset=utf-8\n";
    Map<String, String> endpoints = ServerTests.demoEndpoints("echo", "wc", "chat", "greeter");
    // Message N of a page (the body is "N:..."): when N is a multiple of 4 it waits until
    // message N + 1 has been answered, so that the page gets N + 1's answer first; it waits at
    // most two minutes and then notes "alone N" in the runs file (that message was never in
    // flight beside it). It answers with its body. The marks live beside the runs file.
    String marks = runs.getParent().toString();
    endpoints.put("rendezvous", "command = /bin/sh -c 'n=;"
        + " while c=$(dd bs=1 count=1 2>/dev/null) && [ -n \"$c\" ] && [ \"$c\" != : ]; do n=$n$c;"
        + " done; if [ $((n % 4)) = 0 ]; then i=0; while [ ! -e " + marks + "/$((n + 1)).done ]"
        + " && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done; [ -e " + marks
        + "/$((n + 1)).done ] || echo \"alone $n\" >>" + runs + "; fi; printf %s: \"$n\"; cat;"
        + " : >" + marks + "/$n.done'\n" + text);
    endpoints.put("lagging", "command = /bin/sh -c 'sleep 0.3; exec cat'\n" + text);
    endpoints.put("bytes", "command = /bin/cat\n");
    endpoints.put("fails", "command = /bin/sh -c 'cat >/dev/null; exit 3'\n");
    endpoints.put("slow", "command = /bin/sleep 30\ntimeout = 1\n");
    // Answers a message that starts with "fail" with 502, any other with itself.
    endpoints.put("picky", "output = cgi\ncommand = /bin/sh -c 'm=$(cat); case $m in fail*)"
        + " printf \"Status: 502 Bad Gateway\\n\\n\" ;; *) printf \"\\n%s\" \"$m\" ;; esac'\n"
        + text);
    return endpoints;
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    if (web != null) {
      web.close();
    }
    Launch.deleteTree(runs.getParent());
  }

  @BeforeEach
  void blankPage() {
    browser.open(web.page("blank.html"));
  }

  @ParameterizedTest(name = "maxInFlight {0} through {1}, {2} messages")
  @CsvSource({"1, echo, 200", "4, rendezvous, 100"})
  void messagesArriveInSendOrderWhateverOrderTheAnswersCome(int maxInFlight, String endpoint,
      long count) throws IOException {
    Files.write(runs, new byte[0]);
    try (var marks = Files.newDirectoryStream(runs.getParent(), "*.done")) {
      for (Path mark : marks) {
        Files.delete(mark);
      }
    }
    Map<String, Object> r = browser.runForMap("ordered", Map.of(
        "endpoint", "/pipecgi/" + endpoint + ".cgi", "count", count, "maxInFlight", maxInFlight,
        "numbered", endpoint.equals("rendezvous")));
    assertEquals(List.of(), r.get("errors"));
    assertEquals(count, r.get("received"), r.toString());
    assertEquals(-1L, r.get("firstWrong"), r.toString());
    assertEquals(true, r.get("allStrings"));
    assertEquals(Map.of("code", 1000L, "reason", "", "wasClean", true), r.get("close"));
    assertTrue(number(r, "maxBuffered") > 0, "bufferedAmount counts what is not answered yet");
    assertEquals(0L, r.get("bufferedAfter"));
    // Each message 4k was answered only after 4k + 1 had been: their answers came in the other
    // order, and the page still got them in order.
    assertEquals("", Files.readString(runs), "messages that waited for their partner in vain");
  }

  @Test
  void binaryMessagesComeBackExactToTheByteInBothBinaryTypes() {
    List<?> results = (List<?>) browser.run("binary", Map.of("endpoint", "/pipecgi/bytes.cgi"));
    assertEquals(14, results.size(), results.toString());
    for (Object o : results) {
      Map<?, ?> r = (Map<?, ?>) o;
      assertEquals(true, r.get("exact"), r.toString());
      assertEquals(r.get("binaryType"), r.get("kind"), r.toString());
    }
  }

  @ParameterizedTest(name = "{0}: {1} {2}")
  @CsvSource({"fails, 502, Bad Gateway", "slow, 504, Gateway Timeout"})
  void aFailedMessageIsOneErrorWithItsStatusThenACloseThatSaysWhatWasLost(
      String endpoint, long status, String statusText) {
    Map<String, Object> r = browser.runForMap("failures", Map.of(
        "endpoint", "/pipecgi/" + endpoint + ".cgi", "messages", List.of("a", "b", "c"),
        "errorPolicy", "close"));
    assertEquals(List.of("open", "error", "close"), r.get("events"));
    String message = "message 1: " + status + " " + statusText;
    assertEquals(List.of(Map.of("message", message, "sequence", 1L, "status", status,
        "statusText", statusText)), r.get("errors"));
    assertEquals(Map.of("code", 4000 + status, "wasClean", true,
        "reason", message + "; 2 later messages were not delivered"), r.get("close"));
    assertEquals(3L, r.get("readyState"));
  }

  @Test
  void underTheContinuePolicyAFailedMessageIsReportedInItsPlaceAndTheRestArrive() {
    Map<String, Object> r = browser.runForMap("failures", Map.of("endpoint",
        "/pipecgi/picky.cgi", "messages", List.of("one", "fail two", "three", "four"),
        "errorPolicy", "continue"));
    assertEquals(List.of("open", "message", "error", "message", "message", "close"),
        r.get("events"));
    assertEquals(List.of("one", "three", "four"), r.get("messages"));
    assertEquals(List.of(Map.of("message", "message 2: 502 Bad Gateway", "sequence", 2L,
        "status", 502L, "statusText", "Bad Gateway")), r.get("errors"));
    assertEquals(Map.of("code", 1000L, "reason", "", "wasClean", true), r.get("close"));
  }

  @Test
  void underTheClosePolicyTheMessagesBeforeAFailureStillArrive() {
    Map<String, Object> r = browser.runForMap("failures", Map.of("endpoint",
        "/pipecgi/picky.cgi", "messages", List.of("one", "fail two", "three"),
        "errorPolicy", "close"));
    assertEquals(List.of("open", "message", "error", "close"), r.get("events"));
    assertEquals(List.of("one"), r.get("messages"));
    assertEquals(Map.of("code", 4502L, "wasClean", true,
        "reason", "message 2: 502 Bad Gateway; 1 later message was not delivered"),
        r.get("close"));
  }

  @Test
  void closeLetsTheMessagesInFlightFinishAndRefusesNewOnes() {
    Map<String, Object> r = browser.runForMap("closeInFlight",
        Map.of("endpoint", "/pipecgi/lagging.cgi", "count", 6));
    assertEquals(2L, r.get("stateAfterClose"), "CLOSING");
    assertEquals("InvalidStateError", r.get("sendAfterClose"));
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      expected.add("message " + i);
    }
    assertEquals(expected, r.get("messages"));
    assertEquals(Map.of("code", 4001L, "reason", "done here", "wasClean", true), r.get("close"));
    assertEquals(3L, r.get("readyState"));
  }

  @Test
  void aServerThatGoesAwayMidConversationIsAnErrorThenAnUncleanClose() throws Exception {
    String marker = Processes.uniqueSleep(3);
    try (WebServer doomed = WebServer.start("apache-event",
        Map.of("sleepy", "command = /bin/sh -c 'sleep " + marker + "; exec cat'\n"))) {
      browser.open(doomed.page("blank.html"));
      browser.run("startConversation", Map.of("endpoint", "/pipecgi/sleepy.cgi", "count", 4));
      Await.until("the first message's service runs",
          () -> !Processes.withArgument(marker).isEmpty());
      doomed.stop();
      Map<String, Object> r = browser.runForMap("endOfConversation", Map.of());
      assertEquals(List.of("open", "error", "close"), r.get("events"), r.toString());
      assertEquals(0L, r.get("messages"));
      Map<?, ?> error = (Map<?, ?>) ((List<?>) r.get("errors")).get(0);
      assertEquals(0L, error.get("status"), "no HTTP status: " + error);
      assertEquals(1L, error.get("sequence"));
      Map<?, ?> close = (Map<?, ?>) r.get("close");
      assertEquals(1006L, close.get("code"));
      assertEquals(false, close.get("wasClean"));
      assertTrue(close.get("reason").toString().contains("3 later messages were not delivered"),
          close.toString());
    }
  }

  @Test
  void listeningAtAnEndpointThatGivesNoCursorNeverOpens() {
    Map<String, Object> r = browser.runForMap("listenWithoutCursor",
        Map.of("endpoint", "/pipecgi/echo.cgi"));
    assertEquals("InvalidStateError", r.get("sendWhileConnecting"));
    assertEquals(List.of("error", "close"), r.get("events"));
    String message = "listen: no Pipecgi-Cursor header in the answer";
    assertEquals(List.of(Map.of("message", message, "sequence", 0L, "status", 200L,
        "statusText", "OK")), r.get("errors"));
    assertEquals(Map.of("code", 1006L, "reason", message, "wasClean", false), r.get("close"));
  }

  @Test
  void aSessionUnderCgiFailsToOpenAsAWebSocketHandshakeWould() {
    Map<String, Object> r = browser.runForMap("sessionRefused",
        Map.of("endpoint", "/pipecgi/greeter.cgi"));
    assertEquals(List.of("error", "close"), r.get("events"));
    String message = "session: 500 Internal Server Error";
    assertEquals(List.of(Map.of("message", message, "sequence", 0L, "status", 500L,
        "statusText", "Internal Server Error")), r.get("errors"));
    assertEquals(Map.of("code", 1006L, "reason", message, "wasClean", false), r.get("close"));
  }

  @Test
  void twoPagesChatThroughListenAndEachHearsEveryLineOnce() throws IOException {
    try (Browser other = Browser.start()) {
      other.open(web.page("blank.html"));
      Map<String, Object> args = Map.of("endpoint", "/pipecgi/chat.cgi");
      browser.run("join", with(args, "name", "ann"));
      other.run("join", with(args, "name", "bob"));
      browser.run("say", Map.of("count", 10));
      other.run("say", Map.of("count", 10));
      Map<String, Object> members = Map.of("members", List.of("ann", "bob"));
      Map<String, Object> ann = browser.runForMap("heard", members);
      Map<String, Object> bob = other.runForMap("heard", members);
      for (Map<String, Object> member : List.of(ann, bob)) {
        List<?> lines = (List<?>) member.get("lines");
        assertEquals(22, lines.size(), member.toString());
        assertEquals(List.of(), member.get("errors"));
        for (String who : List.of("ann", "bob")) {
          List<String> expected = new ArrayList<>();
          for (int i = 0; i < 10; i++) {
            expected.add(who + ": line " + i);
          }
          expected.add(who + ": bye");
          assertEquals(expected, lines.stream().filter(l -> l.toString().startsWith(who + ":"))
              .toList(), "each member's lines once, in the order said");
        }
      }
    }
  }

  @Test
  void theDemoPageOpensItsConnectionsAndAnswers() throws Exception {
    GatewayBrowserIT.theDemoPageAnswers(browser, web, false);
  }

  private static Map<String, Object> with(Map<String, Object> map, String key, Object value) {
    Map<String, Object> copy = new LinkedHashMap<>(map);
    copy.put(key, value);
    return copy;
  }

  private static double number(Map<String, Object> r, String key) {
    return ((Number) r.get(key)).doubleValue();
  }
}
