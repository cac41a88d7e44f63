package pipecgi.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import pipecgi.Cgi;

/**
 * Cases from the suites of the systems people trust here, as vectors: the facts carry over, the
 * code is ours. Each source names the suite it comes from.
 */
class PeerVectorsTest {
  private static Response cgiOutput(String output) throws Exception {
    byte[] bytes = output.getBytes(StandardCharsets.ISO_8859_1);
    Spool s = new Spool(1 << 16, 1 << 20);
    s.write(bytes, 0, bytes.length);
    return ServiceOutput.cgi(s, "text/plain");
  }

  /** Apache httpd-tests, the CGI header strictness cases (mod_cgi, CVE-2024-24795 era). */
  static Stream<Arguments> apacheHeaderStrictness() {
    return Stream.of(
        arguments("Foo: bar", true),
        arguments("Foo:", true),
        arguments("Foo: b\tar", true),
        arguments(": bar", false),
        arguments("F\u0000oo: bar", false),
        arguments("Foo: b\u0000ar", false),
        arguments("F\u0001oo: bar", false),
        arguments("F\noo: bar", false), // the line "F" has no colon
        arguments("Foo: b\u0001ar", false));
  }

  @ParameterizedTest(name = "[{index}] {0} passes: {1}")
  @MethodSource("apacheHeaderStrictness")
  void apacheHttpdTestsHeaderStrictness(String line, boolean passes) throws Exception {
    String output = line + "\n\nbody";
    if (passes) {
      Response r = cgiOutput(output);
      assertEquals(200, r.status);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      r.set("X-Content-Type-Options", "nosniff").writeTo(out, false); // as Endpoint adds it
      Cgi.Result written = new Cgi.Result(0, out.toByteArray(), "").assertFramed();
      assertEquals(line.substring(line.indexOf(':') + 1).strip(), written.header("Foo"));
    } else {
      assertEquals(502, assertThrows(HttpError.class, () -> cgiOutput(output)).status);
    }
  }

  /** Go's net/http/cgi host (host.go, host_test.go): how a CGI program's output is read. */
  static Stream<Arguments> goHostCases() {
    return Stream.of(
        arguments("Location: /foo\n\n", 302), // TestRedirect: Location alone is a 302
        arguments("Status: 404\n\n", 404), // a code without reason text
        arguments("Status: 404 Not Found\nContent-Type: text/html\n\n", 404),
        arguments("Status: 2\n\n", 502), // "cgi: bogus status (short)"
        arguments("Status: abc\n\n", 502), // "cgi: bogus status"
        arguments("X-Foo bar\n\n", 502), // "cgi: bogus header line" (Go skips it; we refuse)
        arguments("", 502), // "cgi: no headers"
        arguments("Content-Type: text/plain\n", 502)); // "cgi: no headers" (no blank line)
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("goHostCases")
  void goNetHttpCgiHostCases(String output, int status) throws Exception {
    int got;
    try {
      got = cgiOutput(output).status;
    } catch (HttpError e) {
      got = e.status;
    }
    assertEquals(status, got);
  }

  /** Go's net/http/cgi child (child.go RequestFromMap, child_test.go): reading the request. */
  static Stream<Arguments> goChildCases() {
    return Stream.of(
        arguments(null, "5", 500), // "cgi: no REQUEST_METHOD in environment"
        arguments("POST", "foo", 400), // "cgi: bad CONTENT_LENGTH in environment"
        arguments("POST", "-1", 400),
        arguments("POST", "+5", 400),
        arguments("POST", " 5", 400),
        arguments("POST", "6", 400), // more declared than the body has
        arguments("POST", "5", 200),
        arguments("POST", "", 200)); // no length: read to the end
  }

  @ParameterizedTest(name = "[{index}] {0} CONTENT_LENGTH={1}")
  @MethodSource("goChildCases")
  void goNetHttpCgiChildCases(String method, String length, int status) throws Exception {
    Map<String, String> env = new HashMap<>();
    if (method != null) {
      env.put("REQUEST_METHOD", method);
    }
    env.put("CONTENT_LENGTH", length);
    EndpointConfig options = CommandLine.parse(new String[] {"--command", "cat"}).endpoint(Map.of());
    int got;
    try {
      CgiRequest r = CgiRequest.read(env.get("REQUEST_METHOD"), env.get("CONTENT_LENGTH"), new ByteArrayInputStream(Cgi.bytes("hello")), options);
      assertEquals(5, r.body.size());
      got = 200;
    } catch (HttpError e) {
      got = e.status;
    }
    assertEquals(status, got);
  }

  /**
   * Tomcat's CGIServlet command-line cases (CVE-2019-0232, enableCmdLineArguments): a query string
   * without '=' that tries to become arguments. pipecgi never takes arguments from the request:
   * the words are the configuration's, whatever the query string.
   */
  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"&dir", "%26dir", "\"&calc.exe\"", "a&b|c;d", "$(id)", "`id`",
      "..%2F..%2Fetc%2Fpasswd", "-Xmx1m+--evil", "%0aid", "a%00b"})
  void tomcatCommandLineArgumentCases(String query) throws Exception {
    Map<String, String> env = new HashMap<>(Cgi.env("GET", "QUERY_STRING", query));
    EndpointConfig options = CommandLine.parse(new String[] {"--command", "/bin/echo fixed"}).endpoint(env);
    assertEquals(List.of("/bin/echo", "fixed"), options.command);
    Cgi.Result r = Cgi.run(env, new byte[0], "--command", "/bin/echo fixed").assertFramed();
    assertEquals("fixed\n", r.bodyText());
    assertEquals(query, ServiceEnv.build(env, env, 0, List.of()).get("QUERY_STRING"), "verbatim");
  }

  /**
   * websocketd's environment isolation (its env tests): the service sees the request's variables
   * and no variable of the server's; a header value cannot smuggle in a variable of its own.
   */
  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"a\nLD_PRELOAD=/tmp/evil.so", "x; export BASH_ENV=/tmp/e",
      "() { :;}; echo pwned", "a\u0000PATH=/tmp", "=", "PATH=/tmp"})
  void websocketdEnvironmentIsolationCases(String value) {
    Map<String, String> server = new HashMap<>();
    server.put("REQUEST_METHOD", "GET");
    server.put("HTTP_X_INJECT", value);
    server.put("LD_PRELOAD", "/server/lib.so");
    server.put("SECRET_TOKEN", "s3cret");
    Map<String, String> env = ServiceEnv.build(server, server, 0, List.of());
    assertEquals(value, env.get("HTTP_X_INJECT"), "the value arrives verbatim, as one variable");
    assertFalse(env.containsKey("LD_PRELOAD"));
    assertFalse(env.containsKey("BASH_ENV"));
    assertFalse(env.containsKey("SECRET_TOKEN"));
    assertEquals(ServiceEnv.SAFE_PATH, env.get("PATH"));
  }
}
