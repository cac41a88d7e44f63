package pipecgi.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import pipecgi.Cgi;

class ServiceOutputTest {
  private static final String DEFAULT_TYPE = "application/x-default";

  private static Spool spool(byte[] bytes, int memory) throws Exception {
    Spool s = new Spool(memory, Long.MAX_VALUE);
    s.write(bytes, 0, bytes.length);
    return s;
  }

  /** Parses cgi-mode output and returns the response pipecgi would write. */
  private static Cgi.Result cgi(String output) throws Exception {
    return cgi(output.getBytes(StandardCharsets.ISO_8859_1), 1 << 20);
  }

  private static Cgi.Result cgi(byte[] output, int memory) throws Exception {
    Response r = ServiceOutput.cgi(spool(output, memory), DEFAULT_TYPE);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    r.writeTo(out, false);
    return new Cgi.Result(0, out.toByteArray(), "");
  }

  private static String rejection(String output) {
    HttpError e = assertThrows(HttpError.class, () -> cgi(output));
    assertEquals(502, e.status);
    return e.getMessage();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"\n", "\r\n"})
  void headersThenABlankLineThenTheBody(String eol) throws Exception {
    Cgi.Result r = cgi("Content-Type: text/plain" + eol + "X-A: 1" + eol + eol + "body\r\nbytes");
    assertEquals(200, r.status);
    assertEquals("text/plain", r.header("Content-Type"));
    assertEquals("1", r.header("X-A"));
    assertEquals("body\r\nbytes", r.bodyText());
    assertEquals("11", r.header("Content-Length"));
  }

  @Test
  void bodyIsExactWhenItIsSpooledToAFile() throws Exception {
    byte[] body = new byte[200_000];
    new java.util.Random(2).nextBytes(body);
    byte[] head = "Content-Type: a/b\n\n".getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[head.length + body.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(body, 0, all, head.length, body.length);
    Cgi.Result r = cgi(all, 1024);
    assertArrayEquals(body, r.body);
    assertEquals("200000", r.header("Content-Length"));
  }

  static Stream<Arguments> statusHeaders() {
    return Stream.of(
        arguments("Status: 404 Not Found", "Status: 404 Not Found"),
        arguments("Status: 404", "Status: 404 Not Found"),
        arguments("Status:201 Made it", "Status: 201 Made it"),
        arguments("status: 503  Busy  ", "Status: 503 Busy"),
        arguments("Status: 299", "Status: 299 Status 299"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("statusHeaders")
  void statusHeaderSetsTheStatus(String header, String statusLine) throws Exception {
    assertEquals(statusLine, cgi(header + "\n\n").statusLine);
  }

  @Test
  void locationWithoutStatusIsA302() throws Exception {
    Cgi.Result r = cgi("Location: https://example.org/next\n\n");
    assertEquals("Status: 302 Found", r.statusLine);
    assertEquals("https://example.org/next", r.header("Location"));
  }

  @Test
  void explicitStatusIsKeptWithALocation() throws Exception {
    assertEquals(301, cgi("Location: /moved\nStatus: 301\n\n").status);
    assertEquals(201, cgi("Status: 201 Created\nLocation: /items/7\n\n").status);
  }

  @Test
  void missingContentTypeGetsTheConfiguredOne() throws Exception {
    assertEquals(DEFAULT_TYPE, cgi("X-A: 1\n\n").header("Content-Type"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(ints = {204, 304})
  void noContentTypeNoLengthAndNoBodyOn204And304(int status) throws Exception {
    Cgi.Result r = cgi("Status: " + status + "\n\nignored body");
    assertEquals(status, r.status);
    assertNull(r.header("Content-Type"));
    assertNull(r.header("Content-Length"));
    assertEquals(0, r.body.length);
  }

  @Test
  void framingAndHopByHopFieldsAreDropped() throws Exception {
    Cgi.Result r =
        cgi("Content-Length: 999\nTransfer-Encoding: chunked\nConnection: close\nKeep-Alive: 5\n"
            + "Proxy-Connection: x\nTE: trailers\nTrailer: X\nUpgrade: websocket\n"
            + "X-Content-Type-Options: none\nX-Kept: yes\n\nabc");
    assertEquals(
        List.of("content-type", "x-kept", "content-length"), List.copyOf(r.headers.keySet()));
    assertEquals("3", r.header("Content-Length"));
  }

  @Test
  void repeatedFieldsLikeSetCookieAreKeptInOrder() throws Exception {
    assertEquals(List.of("a=1", "b=2"), cgi("Set-Cookie: a=1\nSet-Cookie: b=2\n\n").headers.get("set-cookie"));
  }

  @Test
  void bytesAbove127InValuesPassUnchanged() throws Exception {
    Cgi.Result r = cgi("X-Name: caf\u00e9\n\n");
    assertEquals("caf\u00e9", new String(r.header("X-Name").getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.ISO_8859_1));
    assertTrue(new String(r.raw, StandardCharsets.ISO_8859_1).contains("X-Name: caf\u00e9\r\n"));
  }

  @Test
  void aHeaderLineOfExactly8KiBIsAccepted() throws Exception {
    String line = "X: " + "a".repeat(8192 - 3);
    assertEquals(8189, cgi(line + "\r\n\r\n").header("X").length());
  }

  static Stream<Arguments> brokenOutputs() {
    return Stream.of(
        arguments("Content-Type text/plain\n\n", "has no ':'"),
        arguments("Bad Name: x\n\n", "not an RFC 9110 token"),
        arguments(": empty name\n\n", "not an RFC 9110 token"),
        arguments(" Folded: x\n\n", "not an RFC 9110 token"),
        arguments("X(y): z\n\n", "not an RFC 9110 token"),
        arguments("N\u00e9: z\n\n", "not an RFC 9110 token"),
        arguments("X: a\u0001b\n\n", "control character"),
        arguments("X: a\rb\n\n", "control character"),
        arguments("X: a\u0000b\n\n", "control character"),
        arguments("X: a\u007fb\n\n", "control character"),
        arguments("X: \u001b[31m\n\n", "control character"),
        arguments("X: " + "a".repeat(8190) + "\n\n", "longer than 8192 bytes"),
        arguments("X: " + "a".repeat(9000), "longer than 8192 bytes"),
        arguments("X: 1\n".repeat(20_000), "header block is longer than 65536 bytes"),
        arguments("Content-Type: text/plain\n", "no blank line"),
        arguments("Content-Type: text/plain", "no blank line"),
        arguments("", "printed nothing"),
        arguments("Status: 20\n\n", "Status is not a 3-digit code"),
        arguments("Status: 2000\n\n", "Status is not a 3-digit code"),
        arguments("Status: abc\n\n", "Status is not a 3-digit code"),
        arguments("Status: 200OK\n\n", "Status is not a 3-digit code"),
        arguments("Status: 100 Continue\n\n", "Status is not a 3-digit code"),
        arguments("Status: 199\n\n", "Status is not a 3-digit code"),
        arguments("Status: 600\n\n", "Status is not a 3-digit code"),
        arguments("Status: 999\n\n", "Status is not a 3-digit code"),
        arguments("Status: \n\n", "Status is not a 3-digit code"),
        arguments("Status: 200\nStatus: 404\n\n", "Status appears more than once"),
        arguments("Location: /a\nLocation: /b\n\n", "Location appears more than once"),
        arguments("Content-Type: a/b\ncontent-type: c/d\n\n", "content-type appears more than once"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("brokenOutputs")
  void brokenCgiOutputIs502NamingTheRule(String output, String rule) {
    String message = rejection(output);
    assertTrue(message.startsWith("cgi output: "), message);
    assertTrue(message.contains(rule), message);
  }

  @Test
  void bodyModeIsTheWholeOutputWithTheConfiguredType() throws Exception {
    Response r = ServiceOutput.body(spool(Cgi.bytes("Status: 500\n\nraw"), 100), "text/plain");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    r.writeTo(out, false);
    Cgi.Result result = new Cgi.Result(0, out.toByteArray(), "");
    assertEquals(200, result.status);
    assertEquals("text/plain", result.header("Content-Type"));
    assertEquals("Status: 500\n\nraw", result.bodyText());
  }
}
