package pipecgi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import pipecgi.core.GatewayConfig;
import pipecgi.fastcgi.FastCgiClient;
import pipecgi.fastcgi.FastCgiServer;
import pipecgi.http.TestGateway;

/**
 * Every request of test-fixtures/ through the three front ends, against the repository's cgi-bin:
 * as a CGI request (its environment and body, as a web server gives them), as the same request in
 * HTTP to a warm gateway serving that cgi-bin, and as FastCGI records to a FastCGI application
 * serving it. The status, the header fields and the body must be the same; over HTTP only what
 * belongs to the connection (Date, Connection) and HTTP's own reason phrases may differ, and
 * FastCGI's answer is the CGI program's, byte for byte.
 */
@Timeout(120)
class FrontEndsTest {
  private static final Path FIXTURES = Path.of("test-fixtures").toAbsolutePath();
  private static final Path CGI_BIN = Path.of("cgi-bin").toAbsolutePath();
  private static TestGateway gateway;
  private static FastCgiServer fastcgi;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(CGI_BIN, Map.of());
    fastcgi = FastCgiServer.start(GatewayConfig.fastcgi("127.0.0.1:0", CGI_BIN.toFile()), null,
        null, Map.of(), new ByteArrayOutputStream());
  }

  @AfterAll
  static void stop() {
    gateway.close();
    fastcgi.stop("the test is over");
  }

  static Stream<String> fixtures() throws IOException {
    try (var files = Files.walk(FIXTURES)) {
      return files.filter(f -> f.toString().endsWith(".request")).sorted()
          .map(f -> FIXTURES.relativize(f).toString().replace(".request", "")).toList().stream();
    }
  }

  /** A fixture: its variables and its body. */
  private record Fixture(Map<String, String> env, byte[] body) {
    static Fixture read(String name) throws IOException {
      byte[] all = Files.readAllBytes(FIXTURES.resolve(name + ".request"));
      String text = new String(all, StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\n\n");
      Map<String, String> env = new LinkedHashMap<>();
      for (String line : text.substring(0, end).split("\n")) {
        if (!line.startsWith("#")) {
          env.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
        }
      }
      return new Fixture(env, Arrays.copyOfRange(all, end + 2, all.length));
    }
  }

  /** What a response says, apart from its connection. */
  private record Answer(int status, Map<String, List<String>> fields, byte[] body) {}

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void aFixtureGetsTheSameAnswerThroughEitherFrontEnd(String name) throws Exception {
    Fixture f = Fixture.read(name);
    String endpoint = name.substring(0, name.indexOf('/'));
    Answer cgi = cgi(f, endpoint);
    Answer http = http(f, endpoint);
    assertEquals(cgi.status, http.status, name);
    assertEquals(cgi.fields, http.fields, name);
    assertArrayEquals(cgi.body, http.body, name);
    assertEquals(new String(cgiRaw(f, endpoint), StandardCharsets.ISO_8859_1),
        new String(fastcgi(f, endpoint), StandardCharsets.ISO_8859_1), name);
  }

  private static Answer cgi(Fixture f, String endpoint) {
    Cgi.Result r = Cgi.run(cgiEnv(f, endpoint), f.body);
    Map<String, List<String>> fields = new TreeMap<>(r.headers);
    return new Answer(r.status, fields, r.body);
  }

  private static byte[] cgiRaw(Fixture f, String endpoint) {
    return Cgi.run(cgiEnv(f, endpoint), f.body).raw;
  }

  private static Map<String, String> cgiEnv(Fixture f, String endpoint) {
    Map<String, String> env = new LinkedHashMap<>(f.env);
    env.put("PIPECGI_CONF", CGI_BIN.resolve(endpoint + ".conf").toString());
    return env;
  }

  /**
   * The fixture as a web server sends it: its variables as PARAMS, with the script's file, and
   * its body as STDIN, to its end (a body shorter than its CONTENT_LENGTH is such an end).
   */
  private static byte[] fastcgi(Fixture f, String endpoint) throws Exception {
    Map<String, String> params = new LinkedHashMap<>(f.env);
    params.put("SCRIPT_FILENAME", CGI_BIN.resolve(endpoint + ".fcgi").toString());
    try (FastCgiClient c = new FastCgiClient(fastcgi.port())) {
      c.send(FastCgiClient.request(1, false, params, f.body));
      return c.answer(1).stdout();
    }
  }

  private static Answer http(Fixture f, String endpoint) throws IOException {
    Map<String, String> env = f.env;
    String method = env.get("REQUEST_METHOD");
    String query = env.getOrDefault("QUERY_STRING", "");
    StringBuilder head = new StringBuilder(method + " /" + endpoint + ".cgi"
        + (query.isEmpty() ? "" : "?" + query) + " HTTP/1.1\r\n");
    boolean chunked = "chunked".equals(env.get("HTTP_TRANSFER_ENCODING"));
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (e.getKey().startsWith("HTTP_")) {
        head.append(e.getKey().substring(5).replace('_', '-')).append(": ").append(e.getValue())
            .append("\r\n");
      }
    }
    if (env.containsKey("CONTENT_TYPE")) {
      head.append("Content-Type: ").append(env.get("CONTENT_TYPE")).append("\r\n");
    }
    if (env.containsKey("CONTENT_LENGTH")) {
      head.append("Content-Length: ").append(env.get("CONTENT_LENGTH")).append("\r\n");
    }
    head.append("Connection: close\r\n\r\n");
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    request.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (chunked) {
      request.writeBytes((Integer.toHexString(f.body.length) + "\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      request.writeBytes(f.body);
      request.writeBytes("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    } else {
      request.writeBytes(f.body);
    }
    try (Socket s = new Socket("127.0.0.1", gateway.gateway.port())) {
      s.setSoTimeout(60_000);
      s.getOutputStream().write(request.toByteArray());
      s.shutdownOutput(); // a body shorter than its Content-Length ends here, as the fixture's
      return parse(s.getInputStream().readAllBytes());
    }
  }

  private static Answer parse(byte[] raw) {
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    String[] lines = text.substring(0, end).split("\r\n");
    Map<String, List<String>> fields = new TreeMap<>();
    for (int i = 1; i < lines.length; i++) {
      String name = lines[i].substring(0, lines[i].indexOf(':')).toLowerCase(Locale.ROOT);
      if (!name.equals("date") && !name.equals("connection")) {
        fields.computeIfAbsent(name, k -> new ArrayList<>())
            .add(lines[i].substring(lines[i].indexOf(':') + 1).trim());
      }
    }
    int status = Integer.parseInt(lines[0].substring(9, 12));
    return new Answer(status, fields, Arrays.copyOfRange(raw, end + 4, raw.length));
  }
}
