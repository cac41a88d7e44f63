package pipecgi.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import pipecgi.Await;
import pipecgi.SessionClient;

/**
 * Sessions through the warm gateway, with real services: state kept across messages, push,
 * order at the service whatever order the requests arrive in, every way a session ends, and
 * every limit.
 */
@Timeout(600)
class SessionGatewayTest {
  @TempDir static Path dir;
  private static TestGateway gateway;
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    Map<String, String> endpoints = new LinkedHashMap<>();
    endpoints.put("cat", "command = /bin/cat\nsession = line\nmax-request-bytes = 1K\n");
    endpoints.put("counter", session("n=0; while read line; do n=$((n+1)); echo \"$n $line\";"
        + " done"));
    endpoints.put("ticker", session("echo $$ > " + dir + "/ticker.pid; i=0; while :; do"
        + " i=$((i+1)); echo tick $i; sleep 0.1; done"));
    endpoints.put("once", session("read line; echo \"got $line\"; echo oops >&2; exit 3"));
    endpoints.put("done", session("read line; echo bye"));
    endpoints.put("killed", session("read line; kill -TERM $$"));
    endpoints.put("env", session("echo \"$REQUEST_METHOD $QUERY_STRING ${SECRET_TOKEN:-none}"
        + " ${CONTENT_LENGTH:-none}\"; cat"));
    endpoints.put("family", session("sleep 1000 & echo $! > " + dir + "/family.pid; cat"));
    endpoints.put("idle", "command = /bin/cat\nsession = line\nsession-idle = 1\n");
    endpoints.put("two", "command = /bin/cat\nsession = line\nmax-sessions = 2\n");
    endpoints.put("flood", "command = /usr/bin/yes 0123456789\nsession = line\n"
        + "max-queued-bytes = 1K\n");
    endpoints.put("plain", "command = /bin/cat\n");
    endpoints.put("shared", "command = /bin/cat\nsession = line\ncors-origin ="
        + " https://app.example\n");
    gateway = TestGateway.start(dir, endpoints);
  }

  private static String session(String script) {
    return "command = /bin/sh -c '" + script + "'\nsession = line\n";
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private static URI uri(String name) {
    return gateway.uri("/" + name);
  }

  @Test
  void aServiceKeepsItsStateAcrossAThousandMessages() throws Exception {
    SessionClient s = SessionClient.open(uri("counter"));
    for (int i = 1; i <= 1000; i++) {
      assertEquals(204, s.send("m" + i));
    }
    List<String> lines = s.read(1000);
    assertEquals(IntStream.rangeClosed(1, 1000).mapToObj(i -> i + " m" + i).toList(), lines);
    assertEquals(204, s.close());
  }

  @Test
  void messagesReachTheServiceInTheOrderSentWhateverOrderTheyArriveIn() throws Exception {
    SessionClient s = SessionClient.open(uri("counter"));
    List<Long> order = new ArrayList<>();
    for (long n = 1; n <= 200; n++) {
      order.add(n);
    }
    Collections.shuffle(order, new java.util.Random(20));
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    for (long n : order) {
      sent.add(s.sendAsync(n, "m" + n));
    }
    for (CompletableFuture<HttpResponse<String>> f : sent) {
      assertEquals(204, f.join().statusCode());
    }
    assertEquals(IntStream.rangeClosed(1, 200).mapToObj(i -> i + " m" + i).toList(),
        s.read(200));
    s.close();
  }

  @Test
  void aMessageSentAgainIsWrittenOnce() throws Exception {
    SessionClient s = SessionClient.open(uri("counter"));
    CompletableFuture<HttpResponse<String>> second = s.sendAsync(2, "second");
    CompletableFuture<HttpResponse<String>> secondAgain = s.sendAsync(2, "second");
    assertEquals(204, s.send(1, "first"));
    assertEquals(204, s.send(1, "first"), "a browser's or proxy's retry is answered");
    assertEquals(204, second.join().statusCode());
    assertEquals(204, secondAgain.join().statusCode());
    assertEquals(204, s.send(3, "third"));
    assertEquals(List.of("1 first", "2 second", "3 third"), s.read(3));
    s.close();
  }

  @Test
  void aSessionOpenedWithARouteHasAnIdThatStartsWithIt() throws Exception {
    SessionClient s = SessionClient.open(uri("counter"), "myRoute_1");
    assertTrue(s.id.startsWith("myRoute_1."), s.id);
    assertEquals(204, s.send("routed"));
    assertEquals(List.of("1 routed"), s.read(1));
    s.close();
  }

  @Test
  void aBurstOfLinesComesInOnePoll() throws Exception {
    SessionClient s = SessionClient.open(uri("cat"));
    for (int i = 1; i <= 1000; i++) {
      s.send("line " + i);
    }
    // every message was written when its POST was answered; cat echoes each at once
    Await.until("cat echoed the 1000 lines", () -> s.poll(0).lines().size() == 1000);
    SessionClient.Poll burst = s.poll(0);
    assertEquals(200, burst.status());
    assertEquals(1000, burst.lines().size());
    assertEquals(1000, burst.cursor());
    s.close();
  }

  @Test
  void aLostPollIsAskedAgainFromTheSameCursorWithNothingMissedOrRepeated() throws Exception {
    SessionClient s = SessionClient.open(uri("cat"));
    s.send("a");
    s.send("b");
    Await.until("both lines are there", () -> s.poll(0).lines().size() == 2);
    SessionClient.Poll lost = s.poll(0);
    s.send("c");
    Await.until("the third is there", () -> s.poll(0).lines().size() == 3);
    SessionClient.Poll again = s.poll(0);
    assertEquals(List.of("a", "b"), lost.lines());
    assertEquals(List.of("a", "b", "c"), again.lines());
    s.send("d");
    assertEquals(List.of("d"), s.poll(again.cursor()).lines());
    s.close();
  }

  @Test
  void aServicePushesLinesWithoutBeingAsked() throws Exception {
    SessionClient s = SessionClient.open(uri("ticker"));
    assertEquals(List.of("tick 1", "tick 2", "tick 3"), s.read(3).subList(0, 3));
    assertEquals(204, s.close());
    long pid = Long.parseLong(Files.readString(dir.resolve("ticker.pid")).trim());
    Await.until("the closed session's service has stopped",
        () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
    List<String> rest = new ArrayList<>();
    assertEquals("1000 its page closed it", s.readToEnd(rest).closed());
  }

  @Test
  void closingASessionStopsItsServiceAndEverythingItStarted() throws Exception {
    SessionClient s = SessionClient.open(uri("family"));
    Path pidFile = dir.resolve("family.pid");
    Await.until("the service started its child", () -> Files.exists(pidFile)
        && !Files.readString(pidFile).isBlank());
    long child = Long.parseLong(Files.readString(pidFile).trim());
    assertEquals(204, s.close());
    Await.until("the child has stopped too",
        () -> ProcessHandle.of(child).map(p -> !p.isAlive()).orElse(true));
    assertEquals(410, s.send("late"), "a closed session takes no message");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"done, 1000, the service exited with status 0",
      "once, 1011, the service exited with status 3",
      "killed, 1011, the service was killed by signal 15"})
  void theServiceExitingEndsTheSessionAndThePageHearsHow(String name, int code, String how)
      throws Exception {
    SessionClient s = SessionClient.open(uri(name));
    assertEquals(204, s.send("x"));
    List<String> lines = new ArrayList<>();
    SessionClient.Poll end = s.readToEnd(lines);
    assertEquals(410, end.status());
    assertEquals(code + " " + how, end.closed());
    assertEquals(Map.of("done", List.of("bye"), "once", List.of("got x"), "killed", List.of())
        .get(name), lines, "every line it wrote before it exited reaches the page");
    Await.until("the end is logged", () -> gateway.log().contains(
        "pipecgi[" + name + " " + shortForm(s) + "]: the session ends: " + how));
  }

  @Test
  void theServicesStderrGoesToTheLogTaggedWithTheSessionNeverToThePage() throws Exception {
    SessionClient s = SessionClient.open(uri("once"));
    s.send("x");
    List<String> lines = new ArrayList<>();
    s.readToEnd(lines);
    assertFalse(lines.contains("oops"));
    Await.until("stderr is logged", () -> gateway.log().contains(
        "pipecgi[once " + shortForm(s) + "]: stderr: oops"));
  }

  @Test
  void theServiceSeesTheOpeningRequestsVariablesAndNoneOfThePipecgiEnvironment()
      throws Exception {
    HttpResponse<String> r = HTTP.send(SessionClient.request(gateway.uri("/env?room=7"), "new")
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(201, r.statusCode());
    String id = r.headers().firstValue("Pipecgi-Session").orElseThrow();
    HttpResponse<String> first = HTTP.send(SessionClient.request(gateway.uri("/env"), id)
        .header("Pipecgi-Cursor", "0").GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals("POST room=7 none none\n", first.body());
  }

  @Test
  void anIdleSessionEnds() throws Exception {
    SessionClient s = SessionClient.open(uri("idle"));
    String ends = "pipecgi[idle " + shortForm(s) + "]: the session ends: nothing was sent or"
        + " read for session-idle (1.0 s)";
    Await.until("the idle session ends", () -> gateway.log().contains(ends));
    SessionClient.Poll p = s.poll(0);
    assertEquals(410, p.status());
    assertEquals("1001 nothing was sent or read for session-idle (1.0 s)", p.closed());
  }

  @Test
  void aWaitingPollKeepsASessionFromIdling() throws Exception {
    SessionClient s = SessionClient.open(uri("idle"));
    for (int i = 0; i < 3; i++) {
      assertEquals(204, s.send("ping " + i));
      assertEquals(List.of("ping " + i), s.read(1));
    }
    assertEquals(204, s.close());
  }

  @Test
  void sessionsBeyondMaxSessionsAreRefusedWith503() throws Exception {
    SessionClient a = SessionClient.open(uri("two"));
    SessionClient b = SessionClient.open(uri("two"));
    assertEquals(503, SessionClient.opening(uri("two")).statusCode());
    assertTrue(gateway.log().contains("pipecgi[two]: 503 Service Unavailable: 2 sessions are"
        + " open, as many as max-sessions allows"));
    a.close();
    SessionClient c = SessionClient.open(uri("two"));
    b.close();
    c.close();
  }

  @Test
  void outputThatThePageDoesNotReadIsCappedAndEndsTheSession() throws Exception {
    SessionClient s = SessionClient.open(uri("flood"));
    Await.until("the flood ends its session", () -> gateway.log().contains("pipecgi[flood "
        + shortForm(s) + "]: the session ends: its page did not read"));
    List<String> lines = new ArrayList<>();
    SessionClient.Poll end = s.readToEnd(lines);
    assertEquals("1008 its page did not read its messages: more than max-queued-bytes (1024)"
        + " waited", end.closed());
    assertEquals(1024 / 11, lines.size(), "what was kept, up to the cap (each line with its LF),"
        + " still reaches the page");
  }

  @ParameterizedTest(name = "{0} {1}: {3}")
  @CsvSource(delimiter = '|', value = {
      "GET|/cat|-|400|needs a Pipecgi-Session header",
      "GET|/cat|new|405|a session is opened with POST",
      "POST|/cat|notanid|404|no session",
      "PUT|/cat|new|405|a session is opened with POST",
      "POST|/cat|new.a/b|400|a session's route is 1 to 64 letters, digits, '-' or '_'",
      "POST|/cat|new.|400|a session's route is 1 to 64 letters"})
  void aRequestThatIsNotOfASessionIsRefused(String method, String path, String id, int status,
      String logged) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(gateway.uri(path)).timeout(Await.HANG)
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (!id.equals("-")) {
      r.header("Pipecgi-Session", id);
    }
    assertEquals(status, HTTP.send(r.build(), HttpResponse.BodyHandlers.discarding())
        .statusCode());
    Await.until("the refusal is logged", () -> gateway.log().contains(logged));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "two lines|two|-|400",
      "over max-request-bytes|long|-|413",
      "sequence 0|x|0|400",
      "no sequence number|x|none|400",
      "too far ahead|x|2000|409"})
  void aMessageThatIsNotOneLineInItsPlaceIsRefused(String what, String body, String sequence,
      int status) throws Exception {
    SessionClient s = SessionClient.open(uri("cat"));
    String line = body.equals("long") ? "x".repeat(1025) : body.equals("two") ? "a\nb" : body;
    HttpRequest.Builder r = SessionClient.request(uri("cat"), s.id)
        .POST(HttpRequest.BodyPublishers.ofString(line));
    if (!sequence.equals("none")) {
      r.header("Pipecgi-Sequence", sequence.equals("-") ? "1" : sequence);
    }
    assertEquals(status, HTTP.send(r.build(), HttpResponse.BodyHandlers.discarding())
        .statusCode());
    assertEquals(204, s.send(1, "still fine"), "the session goes on");
    assertEquals(List.of("still fine"), s.read(1));
    s.close();
  }

  @Test
  void aMessageOfExactlyMaxRequestBytesGoesThrough() throws Exception {
    SessionClient s = SessionClient.open(uri("cat"));
    assertEquals(204, s.send("y".repeat(1024)));
    assertEquals(List.of("y".repeat(1024)), s.read(1));
    s.close();
  }

  @Test
  void aCursorAheadOfTheLinesIsRefused() throws Exception {
    SessionClient s = SessionClient.open(uri("cat"));
    assertEquals(409, s.poll(5).status());
    s.close();
  }

  @Test
  void anUnknownSessionGets404AndTheLogNeverHoldsAWholeId() throws Exception {
    SessionClient s = SessionClient.open(uri("cat"));
    String forged = s.id.substring(0, s.id.length() - 1) + (s.id.endsWith("A") ? "B" : "A");
    HttpResponse<Void> r = HTTP.send(SessionClient.request(uri("cat"), forged)
        .header("Pipecgi-Cursor", "0").GET().build(), HttpResponse.BodyHandlers.discarding());
    assertEquals(404, r.statusCode());
    assertEquals(404, HTTP.send(SessionClient.request(uri("two"), s.id)
        .header("Pipecgi-Cursor", "0").GET().build(), HttpResponse.BodyHandlers.discarding())
        .statusCode(), "an id opens its own endpoint's session only");
    s.close();
    assertFalse(gateway.log().contains(s.id));
    assertFalse(gateway.log().contains(forged));
  }

  @Test
  void aHundredSessionsAtOnce() throws Exception {
    ExecutorService pages = Executors.newFixedThreadPool(100);
    try {
      List<Future<List<String>>> talks = new ArrayList<>();
      for (int p = 0; p < 100; p++) {
        int page = p;
        talks.add(pages.submit(() -> {
          SessionClient s = SessionClient.open(uri("counter"));
          for (int i = 1; i <= 5; i++) {
            s.send("page " + page + " message " + i);
          }
          List<String> lines = s.read(5);
          s.close();
          return lines;
        }));
      }
      for (int p = 0; p < 100; p++) {
        int page = p;
        assertEquals(IntStream.rangeClosed(1, 5).mapToObj(i -> i + " page " + page
            + " message " + i).toList(), talks.get(p).get());
      }
    } finally {
      pages.shutdownNow();
    }
  }

  @Test
  void stoppingPipecgiEndsEverySessionAndAWaitingPollHearsWhy(@TempDir Path own)
      throws Exception {
    TestGateway other = TestGateway.start(own, Map.of("ticker", "command = /bin/sh -c"
        + " 'echo $$ > " + own + "/pid; echo ready; exec sleep 1000'\nsession = line\n"));
    SessionClient s;
    CompletableFuture<SessionClient.Poll> waiting;
    try {
      s = SessionClient.open(other.uri("/ticker"));
      assertEquals(List.of("ready"), s.read(1));
      waiting = CompletableFuture.supplyAsync(() -> {
        try {
          return s.poll();
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      Await.until("the poll waits", () -> other.log().contains("the session begins"));
    } finally {
      other.close();
    }
    assertEquals(410, waiting.join().status());
    assertEquals("1001 pipecgi is stopping", waiting.join().closed());
    long pid = Long.parseLong(Files.readString(own.resolve("pid")).trim());
    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
        "stop returns once every session's service is gone");
    assertTrue(other.log().contains("; 1 session ended"), other.log());
  }

  @Test
  void aCrossOriginPageMayOpenASessionAndReadItsHeaders() throws Exception {
    HttpResponse<Void> preflight = HTTP.send(HttpRequest.newBuilder(uri("shared"))
        .header("Origin", "https://app.example")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "pipecgi-session, pipecgi-sequence")
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.discarding());
    assertEquals(204, preflight.statusCode());
    assertEquals("https://app.example", header(preflight, "Access-Control-Allow-Origin"));
    assertEquals("GET, POST, DELETE", header(preflight, "Access-Control-Allow-Methods"));
    assertEquals("Pipecgi-Session, Pipecgi-Sequence, Pipecgi-Cursor, Content-Type",
        header(preflight, "Access-Control-Allow-Headers"));
    HttpResponse<String> opened = SessionClient.opening(uri("shared"));
    assertEquals(201, opened.statusCode());
    assertEquals("Pipecgi-Session, Pipecgi-Cursor, Pipecgi-Close",
        header(opened, "Access-Control-Expose-Headers"), "the page may read the id and cursors");
    assertEquals(null, header(SessionClient.opening(uri("cat")), "Access-Control-Allow-Origin"),
        "no CORS without cors-origin");
  }

  @Test
  void aMethodThatASessionDoesNotKnowIs405WithAllow() throws Exception {
    HttpResponse<Void> r = HTTP.send(SessionClient.request(uri("cat"), "new")
        .method("PATCH", HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.discarding());
    assertEquals(405, r.statusCode());
    assertEquals("GET, POST, DELETE, OPTIONS", header(r, "Allow"));
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }

  @Test
  void aPlainEndpointIsUnchanged() throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri("plain"))
        .POST(HttpRequest.BodyPublishers.ofString("hello")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals("hello", r.body());
  }

  private static String shortForm(SessionClient s) throws Exception {
    java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
    return java.util.HexFormat.of().formatHex(sha.digest(s.id.getBytes(
        java.nio.charset.StandardCharsets.UTF_8)), 0, 4);
  }
}
