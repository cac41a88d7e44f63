package pipecgi.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import pipecgi.Cgi;

/**
 * Coverage-guided fuzzing (Jazzer) of every parser that sees untrusted bytes. `mvn verify` runs
 * each target on its committed seeds (src/test/resources/pipecgi/ParsersFuzzTestInputs/TARGET) and
 * on what earlier runs found; `src/bench/fuzz TARGET [SECONDS]` fuzzes one for real. Whatever the
 * input, pipecgi must answer with a well-formed CGI response, and no exception may escape.
 */
class ParsersFuzzTest {
  private static final Path CONF_DIR = Path.of("target/fuzz-conf").toAbsolutePath();

  /** What the service printed, in cgi mode: any bytes. */
  @FuzzTest(maxDuration = "10s")
  void cgiOutputAlwaysBecomesAWellFormedResponse(byte[] output) throws IOException {
    Spool spool = new Spool(64 * 1024, 1 << 20);
    spool.write(output, 0, output.length);
    Response r;
    try {
      r = ServiceOutput.cgi(spool, "text/plain");
    } catch (HttpError e) {
      assertEquals(502, e.status);
      r = Response.error(e.status);
    }
    assertWellFormed(r, "GET");
  }

  /** The request: method, CONTENT_LENGTH, and a body that may be shorter or longer. */
  @FuzzTest(maxDuration = "10s")
  void anyRequestIsReadOrRefusedWithA4xxOr5xx(FuzzedDataProvider data) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("REQUEST_METHOD", data.consumeString(10));
    if (data.consumeBoolean()) {
      env.put("CONTENT_LENGTH", data.consumeString(24));
    }
    byte[] body = data.consumeRemainingAsBytes();
    EndpointConfig options = CommandLine.parse(new String[] {"--command", "cat", "--max-request-bytes", "1K",
        "--methods", "GET,POST,PUT"}).endpoint(Map.of());
    try {
      CgiRequest request = CgiRequest.read(env.get("REQUEST_METHOD"), env.get("CONTENT_LENGTH"), new ByteArrayInputStream(body), options);
      long size = request.body.size();
      assertTrue(size <= 1024 && size <= body.length, size + " of " + body.length);
      String declared = env.get("CONTENT_LENGTH");
      if (!request.isOptions() && declared != null && !declared.isEmpty()) {
        assertEquals(Long.parseLong(declared), size, "exactly CONTENT_LENGTH bytes");
      }
    } catch (HttpError e) {
      assertTrue(List.of(400, 405, 413, 500).contains(e.status), Integer.toString(e.status));
      assertWellFormed(Response.error(e.status), "GET");
    }
  }

  /** The environment the server gives: any names and values; the service gets only safe ones. */
  @FuzzTest(maxDuration = "10s")
  void theServiceEnvironmentHoldsOnlySafeNames(FuzzedDataProvider data) {
    Map<String, String> server = new HashMap<>();
    int n = data.consumeInt(0, 20);
    for (int i = 0; i < n; i++) {
      server.put(data.consumeString(20), data.consumeString(40));
    }
    Map<String, String> env = ServiceEnv.build(server, server, data.consumeLong(0, 1 << 20), List.of());
    for (Map.Entry<String, String> e : env.entrySet()) {
      String name = e.getKey();
      boolean header = name.startsWith("HTTP_") && !name.equals("HTTP_PROXY");
      assertTrue(header || ServiceEnv.isSafe(name) || name.equals("PATH")
          || name.equals("CONTENT_LENGTH"), name);
      if (!name.equals("PATH") && !name.equals("CONTENT_LENGTH")) {
        assertEquals(server.get(name), e.getValue(), "verbatim: " + name);
      }
    }
    assertEquals(ServiceEnv.SAFE_PATH, env.get("PATH"));
  }

  /** A configuration file: any bytes. */
  @FuzzTest(maxDuration = "10s")
  void anyConfigurationFileIsTakenOrRefusedWithItsLine(byte[] text) throws IOException {
    Files.createDirectories(CONF_DIR);
    Path conf = Files.write(CONF_DIR.resolve("fuzz.conf"), text);
    try {
      EndpointConfig o = CommandLine.parse(new String[] {"--config", conf.toString()}).endpoint(Map.of());
      assertFalse(o.command.isEmpty());
      assertTrue(o.timeoutMillis > 0 && o.maxRequestBytes >= 0 && o.maxResponseBytes >= 0);
    } catch (UsageException e) {
      assertTrue(e.getMessage().startsWith(conf.toString()), e.getMessage());
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
  }

  /** The command line of `command = ...`: any text. */
  @FuzzTest(maxDuration = "10s")
  void anyCommandLineSplitsIntoWordsOrIsRefused(FuzzedDataProvider data) {
    String line = data.consumeRemainingAsString();
    List<String> words;
    try {
      words = ShellWords.split(line);
    } catch (IllegalArgumentException e) {
      assertFalse(e.getMessage().isEmpty());
      return;
    }
    assertFalse(words.isEmpty(), "no command in '" + line + "'");
    int inWords = 0;
    for (String w : words) {
      inWords += w.length();
    }
    assertTrue(inWords <= line.length(), "words only lose quotes, blanks and escapes");
  }

  /** A response written by pipecgi, parsed strictly as a web server would. */
  private static void assertWellFormed(Response r, String method) throws IOException {
    r.set("X-Content-Type-Options", "nosniff");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    r.writeTo(out, "HEAD".equals(method));
    Cgi.Result parsed = new Cgi.Result(0, out.toByteArray(), "").assertFramed(method);
    assertTrue(parsed.status >= 200 && parsed.status <= 599, parsed.statusLine);
    for (Map.Entry<String, List<String>> h : parsed.headers.entrySet()) {
      assertTrue(HttpSyntax.isToken(h.getKey()), h.getKey());
      for (String v : h.getValue()) {
        assertFalse(v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0 || v.indexOf(0) >= 0, v);
      }
    }
    if (Response.mayHaveBody(parsed.status)) {
      assertEquals(Long.toString(r.contentLength()), parsed.header("Content-Length"));
    }
  }
}
