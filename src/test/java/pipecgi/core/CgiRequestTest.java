package pipecgi.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pipecgi.Cgi;

class CgiRequestTest {
  private static final byte[] HELLO_WORLD = Cgi.bytes("hello world");

  private static EndpointConfig options(String... args) throws UsageException {
    String[] all = new String[args.length + 2];
    all[0] = "--command";
    all[1] = "cat";
    System.arraycopy(args, 0, all, 2, args.length);
    return CommandLine.parse(all).endpoint(Map.of());
  }

  private static Map<String, String> env(String method, String contentLength) {
    Map<String, String> env = new HashMap<>();
    env.put("REQUEST_METHOD", method);
    if (contentLength != null) {
      env.put("CONTENT_LENGTH", contentLength);
    }
    return env;
  }

  private static byte[] body(CgiRequest r) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    r.body.writeTo(out, new byte[0], 0);
    return out.toByteArray();
  }

  private static int status(Map<String, String> env, InputStream in, EndpointConfig o) {
    return assertThrows(HttpError.class, () -> read(env, in, o)).status;
  }

  private static CgiRequest read(Map<String, String> env, InputStream in, EndpointConfig o)
      throws HttpError {
    return CgiRequest.read(env.get("REQUEST_METHOD"), env.get("CONTENT_LENGTH"), in, o);
  }

  /** An input that fails the test if anyone reads it. */
  private static final InputStream UNREADABLE =
      new InputStream() {
        @Override
        public int read() {
          throw new AssertionError("the body was read");
        }
      };

  @ParameterizedTest(name = "[{index}] CONTENT_LENGTH={0}")
  @ValueSource(strings = {"abc", "+3", "-1", " 3", "3 ", "0x10", "1e3", "3.0", "\u0663", "3,0"})
  void contentLengthMustBeDigitsOnly(String contentLength) throws Exception {
    assertEquals(400, status(env("POST", contentLength), UNREADABLE, options()));
  }

  @Test
  void readsExactlyContentLengthBytes() throws Exception {
    ByteArrayInputStream in = new ByteArrayInputStream(HELLO_WORLD);
    CgiRequest r = read(env("POST", "5"), in, options());
    assertArrayEquals(Cgi.bytes("hello"), body(r));
    assertEquals(6, in.available(), "bytes past CONTENT_LENGTH are left unread");
  }

  @Test
  void contentLengthWithLeadingZerosIsANumber() throws Exception {
    CgiRequest r = read(env("POST", "003"), new ByteArrayInputStream(HELLO_WORLD), options());
    assertArrayEquals(Cgi.bytes("hel"), body(r));
  }

  @Test
  void earlyEndOfInputIs400() throws Exception {
    assertEquals(400, status(env("POST", "12"), new ByteArrayInputStream(HELLO_WORLD), options()));
  }

  @ParameterizedTest(name = "[{index}] CONTENT_LENGTH={0}")
  @ValueSource(strings = {"<unset>", ""})
  void withoutContentLengthTheBodyIsReadToTheEnd(String contentLength) throws Exception {
    Map<String, String> env = env("POST", contentLength.equals("<unset>") ? null : contentLength);
    env.put("HTTP_TRANSFER_ENCODING", "chunked");
    CgiRequest r = CgiRequest.read(env.get("REQUEST_METHOD"), env.get("CONTENT_LENGTH"), new ByteArrayInputStream(HELLO_WORLD), options());
    assertArrayEquals(HELLO_WORLD, body(r));
  }

  @ParameterizedTest(name = "[{index}] CONTENT_LENGTH={0}")
  @ValueSource(strings = {"11", "1000", "99999999999999999999999999"})
  void declaredLengthOverTheLimitIs413WithoutReading(String contentLength) throws Exception {
    assertEquals(413, status(env("POST", contentLength), UNREADABLE, options("--max-request-bytes", "10")));
  }

  @Test
  void countedLengthOverTheLimitIs413() throws Exception {
    InputStream in = new ByteArrayInputStream(HELLO_WORLD);
    assertEquals(413, status(env("POST", null), in, options("--max-request-bytes", "10")));
  }

  @Test
  void bodyAtTheLimitIsAccepted() throws Exception {
    EndpointConfig o = options("--max-request-bytes", "11");
    assertArrayEquals(HELLO_WORLD, body(read(env("POST", "11"), new ByteArrayInputStream(HELLO_WORLD), o)));
    assertArrayEquals(HELLO_WORLD, body(read(env("POST", null), new ByteArrayInputStream(HELLO_WORLD), o)));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"PUT", "DELETE", "get", "PATCH", "CONNECT", "TRACE"})
  void methodOutsideTheListIs405WithoutReading(String method) throws Exception {
    assertEquals(405, status(env(method, "5"), UNREADABLE, options()));
  }

  @Test
  void methodsListDecidesWhatPasses() throws Exception {
    EndpointConfig o = options("--methods", "PUT");
    assertEquals("PUT", read(env("PUT", "0"), UNREADABLE, o).method);
    assertEquals(405, status(env("GET", null), UNREADABLE, o));
  }

  @Test
  void optionsIsAnsweredWithoutReadingTheBody() throws Exception {
    CgiRequest r = read(env("OPTIONS", "5"), UNREADABLE, options("--methods", "POST"));
    assertTrue(r.isOptions());
    assertEquals(0, r.body.size());
  }

  @Test
  void missingRequestMethodIs500() throws Exception {
    assertEquals(500, status(new HashMap<>(), UNREADABLE, options()));
  }

  @Test
  void bodyLargerThanTheMemoryBufferIsSpooledAndExact() throws Exception {
    byte[] big = new byte[300_000];
    new java.util.Random(1).nextBytes(big);
    CgiRequest r =
        read(env("POST", "300000"), new ByteArrayInputStream(big), options("--memory-buffer-bytes", "64K"));
    assertFalse(r.body.inMemory());
    assertArrayEquals(big, body(r));
    r.body.close();
  }
}
