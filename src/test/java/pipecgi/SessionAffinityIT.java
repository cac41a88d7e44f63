package pipecgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import pipecgi.selftest.HttpConnection;

/**
 * Sessions beyond one machine: two gateways behind nginx, with affinity on the session header
 * (apache-conf/nginx-pipecgi-sessions.conf, as apache-conf/serve nginx-sessions runs it).
 * Sessions spread over both instances, every request of a session reaches its own, other
 * endpoints spread as before; and when an instance stops, its sessions' pages hear it.
 */
@Timeout(600)
class SessionAffinityIT {
  private WebServer web;

  @BeforeEach
  void start() throws Exception {
    Map<String, String> endpoints = new LinkedHashMap<>();
    endpoints.put("echo", Files.readString(Launch.CGI_BIN.resolve("echo.conf")));
    endpoints.put("counter", "command = /bin/sh -c 'n=0; while IFS= read -r l; do n=$((n+1));"
        + " echo \"$n $l\"; done'\nsession = line\n");
    endpoints.put("lines", "command = /bin/cat\nsession = line\n");
    web = WebServer.start("nginx-sessions", endpoints);
  }

  @AfterEach
  void stop() throws Exception {
    web.close();
  }

  private String log(int instance) throws Exception {
    return Files.readString(web.runFile(instance == 1 ? "gateway.log" : "gateway2.log"),
        StandardCharsets.UTF_8);
  }

  /** Which instance's log says that the session began: 1 or 2. */
  private int instanceOf(SessionClient s) throws Exception {
    String began = "[" + s.uri.getPath().substring(s.uri.getPath().lastIndexOf('/') + 1) + " "
        + shortForm(s.id) + "]: the session begins";
    boolean first = log(1).contains(began);
    boolean second = log(2).contains(began);
    assertTrue(first ^ second, "the session began on one instance: " + s.id);
    return first ? 1 : 2;
  }

  @Test
  void sessionsSpreadOverTheInstancesAndEachRequestReachesItsOwn() throws Exception {
    List<SessionClient> sessions = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      sessions.add(SessionClient.open(web.uri("counter"), "route" + (1000 + i * 7919)));
    }
    for (int m = 1; m <= 10; m++) {
      for (SessionClient s : sessions) {
        assertEquals(204, s.send("message " + m));
      }
    }
    int[] held = new int[3];
    for (SessionClient s : sessions) {
      assertEquals(IntStream.rangeClosed(1, 10).mapToObj(m -> m + " message " + m).toList(),
          s.read(10), "each session's service got all its messages, in order: one instance");
      held[instanceOf(s)]++;
      assertEquals(204, s.close());
    }
    assertTrue(held[1] > 0 && held[2] > 0, "both instances hold sessions: " + held[1] + " and "
        + held[2]);
    for (int instance = 1; instance <= 2; instance++) {
      assertTrue(!log(instance).contains(" 404 "), "no request reached the other instance");
    }
  }

  @Test
  void requestsOfOtherEndpointsKeepSpreading() throws Exception {
    for (int i = 0; i < 40; i++) {
      try (HttpConnection c = new HttpConnection(web.uri(""), 60_000)) {
        c.send(HttpConnection.request("POST", web.uri("echo"), "HTTP/1.1",
            ("hello " + i).getBytes(StandardCharsets.UTF_8), false));
        assertEquals("hello " + i, new String(c.read("POST").body, StandardCharsets.UTF_8));
      }
    }
    // An instance logs a request once its answer is on its way: the last may not be there yet.
    Await.until("the 40 requests in the instances' logs", () -> echoes(1) + echoes(2) >= 40);
    long first = echoes(1);
    long second = echoes(2);
    assertEquals(40, first + second);
    assertTrue(first > 0 && second > 0, "both instances answered: " + first + " and " + second);
  }

  /** The requests to the echo endpoint in instance {@code n}'s log. */
  private long echoes(int n) throws Exception {
    return log(n).lines().filter(l -> l.contains("access: ") && l.contains("/echo ")).count();
  }

  /**
   * A page holds at most a few sessions (each keeps a poll waiting on one of the browser's six
   * connections to a host), so the page opens four, and this test's own clients open sessions
   * until both instances hold some. The instance that stops is one that holds a page's session.
   */
  @Test
  void whenAnInstanceStopsItsSessionsPagesHearItAndTheOthersGoOn() throws Exception {
    try (Browser browser = Browser.start()) {
      browser.open(web.page("blank.html"));
      Map<String, Object> opened = browser.runForMap("openSessions", Map.of(
          "endpoint", "/pipecgi/lines", "count", 4));
      assertEquals(4L, opened.get("open"));
      long[] pages = {0, count(1, "[lines "), count(2, "[lines ")};
      List<SessionClient> clients = new ArrayList<>();
      int[] held = new int[3];
      for (int i = 0; i < 40 && (held[1] == 0 || held[2] == 0); i++) {
        SessionClient s = SessionClient.open(web.uri("counter"), "route" + (1000 + i * 7919));
        clients.add(s);
        held[instanceOf(s)]++;
      }
      assertTrue(held[1] > 0 && held[2] > 0, "both instances hold sessions");
      int stopped = pages[2] > 0 ? 2 : 1;
      stopInstance(stopped);
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> outcomes = (List<Map<String, Object>>) browser.runForMap(
          "sessionsAfterAStop", Map.of()).get("outcomes");
      assertEquals(pages[stopped], outcomes.stream().filter(o -> o.containsKey("closed"))
          .count(), outcomes.toString());
      for (Map<String, Object> o : outcomes) {
        if (o.containsKey("closed")) {
          // A poll that waited there when it stopped hears why (1001); a request that came later
          // reaches the other instance, which does not know the session (404).
          assertTrue(List.of(1001L, 4404L).contains(o.get("closed")), o.toString());
        } else {
          assertEquals("still there?", o.get("answered"));
        }
      }
      for (SessionClient s : clients) {
        if (instanceOf(s) == stopped) {
          SessionClient.Poll p = s.poll();
          assertTrue(p.status() == 410 || p.status() == 404, "gone: " + p);
        } else {
          assertEquals(204, s.send("after the stop"));
          assertEquals(List.of("1 after the stop"), s.read(1));
        }
      }
    }
  }

  private long count(int instance, String endpoint) throws Exception {
    return log(instance).lines().filter(l -> l.contains(endpoint)
        && l.endsWith("the session begins")).count();
  }

  private void stopInstance(int instance) throws Exception {
    long pid = Long.parseLong(Files.readString(web.runFile(instance == 1 ? "gateway.pid"
        : "gateway2.pid")).trim());
    ProcessHandle gateway = ProcessHandle.of(pid).orElseThrow();
    gateway.destroy();
    Await.until("gateway " + instance + " has stopped", () -> !gateway.isAlive());
  }

  private static String shortForm(String id) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(id.getBytes(StandardCharsets.UTF_8)), 0, 4);
  }
}
