package pipecgi.fastcgi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pipecgi.Await;
import pipecgi.Processes;
import pipecgi.core.GatewayConfig;

/**
 * The FastCGI front end, record by record, through real sockets to an application in this JVM:
 * the Responder role, GET_VALUES, FCGI_KEEP_CONN, ABORT_REQUEST, one request at a time, and every
 * way a peer can break the protocol, which closes its connection with one log line.
 */
@Timeout(120)
class FastCgiProtocolTest {
  @TempDir static Path dir;
  private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
  private static FastCgiServer server;
  private static String marker;

  @BeforeAll
  static void start() throws Exception {
    marker = Processes.uniqueSleep();
    Files.writeString(dir.resolve("echo.conf"), "command = /bin/cat\nmax-request-bytes = 30M\n");
    Files.writeString(dir.resolve("chat.conf"), "command = /bin/cat\nsession = line\n");
    Files.writeString(dir.resolve("penv.conf"), "command = /bin/sh -c 'echo"
        + " \"${SITE_NAME:-none} ${SECRET:-none}\"'\npass-env = SITE_NAME, SECRET\n");
    Files.writeString(dir.resolve("fail.conf"), "command = /bin/sh -c 'echo oops >&2; exit 3'\n");
    Files.writeString(dir.resolve("hang.conf"), "command = /bin/sh -c 'sleep " + marker
        + " & sleep " + marker + "'\ntimeout = 600\n");
    GatewayConfig config = GatewayConfig.fastcgi("127.0.0.1:0", dir.toFile());
    server = FastCgiServer.start(config, null, null, Map.of("SECRET", "s3cret"), LOG);
  }

  @AfterAll
  static void stop() {
    server.stop("the test is over");
  }

  private static FastCgiClient connect() throws Exception {
    return new FastCgiClient(server.port());
  }

  private static Map<String, String> params(String script, String method, String... more) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("GATEWAY_INTERFACE", "CGI/1.1");
    p.put("REQUEST_METHOD", method);
    p.put("SCRIPT_NAME", "/" + script);
    p.put("SCRIPT_FILENAME", "/srv/cgi-bin/" + script);
    for (int i = 0; i < more.length; i += 2) {
      p.put(more[i], more[i + 1]);
    }
    return p;
  }

  private static String log() {
    synchronized (LOG) {
      return LOG.toString(StandardCharsets.UTF_8);
    }
  }

  @Test
  void aRequestIsAnsweredAsACgiProgramWouldOnStdoutThenEndRequest() throws Exception {
    try (FastCgiClient c = connect()) {
      byte[] body = "hello, fastcgi".getBytes(StandardCharsets.US_ASCII);
      c.send(FastCgiClient.request(1, true, params("echo.fcgi", "POST",
          "CONTENT_LENGTH", "14"), body));
      FastCgiClient.Answer a = c.answer(1);
      assertEquals("Status: 200 OK\r\nContent-Type: application/octet-stream\r\n"
          + "X-Content-Type-Options: nosniff\r\nContent-Length: 14\r\n\r\nhello, fastcgi", a.text());
      assertEquals(0, a.appStatus());
      assertEquals(Record.REQUEST_COMPLETE, a.protocolStatus());
      Record last = a.records().get(a.records().size() - 2);
      assertEquals(List.of(Record.STDOUT, 0), List.of(last.type(), last.content().length),
          "STDOUT is ended by an empty record");
    }
  }

  /** The value of header {@code name} in a CGI-style answer. */
  private static String field(FastCgiClient.Answer a, String name) {
    for (String line : a.text().split("\r\n")) {
      if (line.startsWith(name + ": ")) {
        return line.substring(name.length() + 2);
      }
    }
    return null;
  }

  @Test
  void anApplicationOnItsOwnSocketKeepsSessions() throws Exception {
    try (FastCgiClient c = connect()) {
      c.send(FastCgiClient.request(1, true, params("chat.fcgi", "POST",
          "HTTP_PIPECGI_SESSION", "new"), new byte[0]));
      FastCgiClient.Answer opened = c.answer(1);
      assertTrue(opened.text().startsWith("Status: 201 Created\r\n"), opened.text());
      String id = field(opened, "Pipecgi-Session");
      c.send(FastCgiClient.request(2, true, params("chat.fcgi", "POST", "HTTP_PIPECGI_SESSION",
          id, "HTTP_PIPECGI_SEQUENCE", "1", "CONTENT_LENGTH", "6"),
          "hello\n".getBytes(StandardCharsets.US_ASCII)));
      assertTrue(c.answer(2).text().startsWith("Status: 204 No Content\r\n"));
      c.send(FastCgiClient.request(3, true, params("chat.fcgi", "GET", "HTTP_PIPECGI_SESSION",
          id, "HTTP_PIPECGI_CURSOR", "0"), new byte[0]));
      FastCgiClient.Answer line = c.answer(3);
      assertTrue(line.text().endsWith("\r\n\r\nhello\n"), line.text());
      assertEquals("1", field(line, "Pipecgi-Cursor"));
      c.send(FastCgiClient.request(4, true, params("chat.fcgi", "DELETE", "HTTP_PIPECGI_SESSION",
          id), new byte[0]));
      assertTrue(c.answer(4).text().startsWith("Status: 204 No Content\r\n"));
    }
  }

  @Test
  void passEnvNamesComeFromTheRequestsParametersAsFromACgiProgramsEnvironment()
      throws Exception {
    try (FastCgiClient c = connect()) {
      // What Apache's SetEnv or nginx's fastcgi_param put in the request, over the JVM's own.
      c.send(FastCgiClient.request(1, true, params("penv.fcgi", "GET", "SITE_NAME", "blog"),
          new byte[0]));
      assertTrue(c.answer(1).text().endsWith("\r\n\r\nblog s3cret\n"));
      c.send(FastCgiClient.request(2, true, params("penv.fcgi", "GET", "SECRET", "per-request"),
          new byte[0]));
      assertTrue(c.answer(2).text().endsWith("\r\n\r\nnone per-request\n"));
    }
  }

  @Test
  void withKeepConnManyRequestsShareTheConnectionWithoutItTheApplicationCloses()
      throws Exception {
    try (FastCgiClient c = connect()) {
      for (int i = 1; i <= 20; i++) {
        byte[] body = new byte[i * 5000];
        java.util.Arrays.fill(body, (byte) ('a' + i % 26));
        c.send(FastCgiClient.request(i, true, params("echo", "POST",
            "CONTENT_LENGTH", Integer.toString(body.length)), body));
        FastCgiClient.Answer a = c.answer(i);
        assertTrue(a.text().endsWith("\r\n\r\n" + new String(body, StandardCharsets.US_ASCII)));
      }
      c.send(FastCgiClient.request(7, false, params("echo", "GET"), new byte[0]));
      assertNotNull(c.answer(7));
      assertTrue(c.closedByApplication());
    }
  }

  @Test
  void aLargeBodyAndALargeAnswerTravelInManyRecords() throws Exception {
    byte[] body = new byte[20_000_000];
    new java.util.Random(20).nextBytes(body);
    try (FastCgiClient c = connect()) {
      c.send(FastCgiClient.request(3, true, params("echo", "POST",
          "CONTENT_LENGTH", Integer.toString(body.length)), body));
      FastCgiClient.Answer a = c.answer(3);
      byte[] out = a.stdout();
      assertArrayEquals(body, java.util.Arrays.copyOfRange(out, out.length - body.length,
          out.length));
    }
  }

  @Test
  void theServicesStderrAndPipecgisLogLinesGoToStderrRecords() throws Exception {
    try (FastCgiClient c = connect()) {
      c.send(FastCgiClient.request(2, true, params("fail.fcgi", "GET"), new byte[0]));
      FastCgiClient.Answer a = c.answer(2);
      assertTrue(a.text().startsWith("Status: 502 Bad Gateway\r\n"), a.text());
      assertEquals("pipecgi[fail]: stderr: oops\npipecgi[fail]: 502 Bad Gateway: the service"
          + " exited with status 3\n", a.stderr());
    }
  }

  @Test
  void anUnknownEndpointIs404() throws Exception {
    try (FastCgiClient c = connect()) {
      c.send(FastCgiClient.request(5, true, params("nothing.fcgi", "GET"), new byte[0]));
      FastCgiClient.Answer a = c.answer(5);
      assertTrue(a.text().startsWith("Status: 404 Not Found\r\n"), a.text());
      assertTrue(a.stderr().startsWith("pipecgi: 404 Not Found: no endpoint for"
          + " /srv/cgi-bin/nothing.fcgi"), a.stderr());
    }
  }

  @Test
  void getValuesSaysOneRequestAtATimePerConnection() throws Exception {
    try (FastCgiClient c = connect()) {
      Map<String, String> asked = new LinkedHashMap<>();
      for (String name : List.of("FCGI_MAX_CONNS", "FCGI_MAX_REQS", "FCGI_MPXS_CONNS",
          "UNKNOWN")) {
        asked.put(name, "");
      }
      c.send(FastCgiClient.record(Record.GET_VALUES, 0, Params.encode(asked)));
      Record r = c.next();
      assertEquals(Record.GET_VALUES_RESULT, r.type());
      assertEquals(Map.of("FCGI_MAX_CONNS", "4000", "FCGI_MAX_REQS", "1000",
          "FCGI_MPXS_CONNS", "0"), Params.decode(r.content()));
    }
  }

  @Test
  void anUnknownManagementRecordGetsUnknownTypeAndTheConnectionGoesOn() throws Exception {
    try (FastCgiClient c = connect()) {
      c.send(FastCgiClient.record(42, 0, new byte[3]));
      Record r = c.next();
      assertEquals(Record.UNKNOWN_TYPE, r.type());
      assertEquals(42, r.content()[0]);
      c.send(FastCgiClient.request(1, true, params("echo", "GET"), new byte[0]));
      assertNotNull(c.answer(1));
    }
  }

  @ParameterizedTest(name = "role {0}")
  @ValueSource(ints = {2, 3, 9})
  void anotherRoleIsRefusedWithUnknownRole(int role) throws Exception {
    try (FastCgiClient c = connect()) {
      c.send(FastCgiClient.begin(4, role, true));
      FastCgiClient.Answer a = c.answer(4);
      assertEquals(Record.UNKNOWN_ROLE, a.protocolStatus());
      c.send(FastCgiClient.request(5, true, params("echo", "GET"), new byte[0]));
      assertEquals(Record.REQUEST_COMPLETE, c.answer(5).protocolStatus());
    }
  }

  @Test
  void aSecondRequestWhileOneIsOpenIsRefusedWithCantMpxConn() throws Exception {
    try (FastCgiClient c = connect()) {
      c.send(FastCgiClient.begin(1, Record.RESPONDER, true));
      c.send(FastCgiClient.begin(2, Record.RESPONDER, true));
      FastCgiClient.Answer refused = c.answer(2);
      assertEquals(Record.CANT_MPX_CONN, refused.protocolStatus());
    }
  }

  /** Unlike a CGI program, a FastCGI application is told when the client goes. */
  @Test
  void abortRequestStopsTheServiceTree() throws Exception {
    try (FastCgiClient c = connect()) {
      c.send(FastCgiClient.request(9, true, params("hang", "GET"), new byte[0]));
      Await.until("the service runs", () -> Processes.withArgument(marker).size() == 2);
      c.send(FastCgiClient.record(Record.ABORT_REQUEST, 9, new byte[0]));
      FastCgiClient.Answer a = c.answer(9);
      assertTrue(a.text().startsWith("Status: 503 "), a.text());
      assertTrue(a.stderr().contains("503 Service Unavailable: the web server aborted the request"
          + " (FCGI_ABORT_REQUEST: its client has gone); the service and its child processes"
          + " were stopped"), a.stderr());
      assertEquals(List.of(), Processes.awaitGone(marker));
    }
  }

  @Test
  void aConnectionThatEndsStopsItsRunningService() throws Exception {
    FastCgiClient c = connect();
    c.send(FastCgiClient.request(9, true, params("hang", "GET"), new byte[0]));
    Await.until("the service runs", () -> Processes.withArgument(marker).size() == 2);
    c.close();
    assertEquals(List.of(), Processes.awaitGone(marker));
  }

  static List<Object[]> violations() {
    byte[] begin = FastCgiClient.begin(1, Record.RESPONDER, true);
    byte[] huge = new byte[60_000];
    java.util.Arrays.fill(huge, (byte) 'x');
    ByteArrayOutputStream tooMany = new ByteArrayOutputStream();
    tooMany.writeBytes(begin);
    for (int i = 0; i < 20; i++) {
      tooMany.writeBytes(FastCgiClient.record(Record.PARAMS, 1, huge));
    }
    return List.of(
        new Object[] {"version 2", new byte[] {2, 1, 0, 1, 0, 8, 0, 0},
            "a record of version 2 (only 1 exists)"},
        new Object[] {"a request that is not open", FastCgiClient.record(Record.STDIN, 7,
            new byte[3]), "a STDIN record for request 7, which is not open"},
        new Object[] {"params over the limit", tooMany.toByteArray(),
            "PARAMS of request 1 over 1048576 bytes"},
        new Object[] {"a short BEGIN_REQUEST", FastCgiClient.record(Record.BEGIN_REQUEST, 1,
            new byte[3]), "a BEGIN_REQUEST of 3 bytes (it has 8)"},
        new Object[] {"STDIN before the end of PARAMS", concat(begin,
            FastCgiClient.record(Record.STDIN, 1, new byte[2])),
            "STDIN for request 1 before the end of its PARAMS"},
        new Object[] {"DATA", concat(begin, FastCgiClient.record(Record.DATA, 1, new byte[2])),
            "a DATA record for request 1 (pipecgi plays the Responder role"},
        new Object[] {"a name-value pair longer than its record", concat(begin,
            FastCgiClient.record(Record.PARAMS, 1, new byte[] {5, 100, 'A', 'B'}),
            FastCgiClient.record(Record.PARAMS, 1, new byte[0])),
            "a name-value pair longer than its PARAMS"},
        new Object[] {"a header cut short", new byte[] {1, 1, 0},
            "the connection ended in the middle of a record's header"},
        new Object[] {"content cut short", new byte[] {1, 4, 0, 1, 0, 100, 0, 0, 'A'},
            "the connection ended in the middle of a PARAMS record's 100 bytes"});
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    return b.toByteArray();
  }

  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.MethodSource("violations")
  void aPeerThatBreaksTheProtocolLosesItsConnectionWithOneLogLine(String name, byte[] bytes,
      String logged) throws Exception {
    try (FastCgiClient c = connect()) {
      c.send(bytes);
      c.socket.shutdownOutput(); // for the cases that end mid-record
      assertTrue(c.closedByApplication());
    }
    Await.until("the log says " + logged, () -> log().contains(
        "pipecgi: closed a FastCGI connection that broke the protocol: " + logged));
  }

  @Test
  void theLateRestOfABodyThatWasNotNeededIsDropped() throws Exception {
    try (FastCgiClient c = connect()) {
      c.send(FastCgiClient.begin(1, Record.RESPONDER, true));
      c.send(FastCgiClient.record(Record.PARAMS, 1, Params.encode(params("echo", "PUT",
          "CONTENT_LENGTH", "4"))));
      c.send(FastCgiClient.record(Record.PARAMS, 1, new byte[0]));
      FastCgiClient.Answer a = c.answer(1); // 405, before its body
      assertTrue(a.text().startsWith("Status: 405 "), a.text());
      c.send(FastCgiClient.record(Record.STDIN, 1, new byte[4]));
      c.send(FastCgiClient.record(Record.STDIN, 1, new byte[0]));
      c.send(FastCgiClient.request(2, true, params("echo", "GET"), new byte[0]));
      assertEquals(Record.REQUEST_COMPLETE, c.answer(2).protocolStatus());
    }
  }
}
