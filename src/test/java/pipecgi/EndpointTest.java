package pipecgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The HTTP rules, through the whole program in-process. */
class EndpointTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "[{index}] {0} CONTENT_LENGTH={1} -> {3}")
  @CsvSource(
      delimiter = '|',
      value = {
        "POST|abc|hello|400",
        "POST|5|hel|400",
        "POST|7|1234567|413",
        "POST|<unset>|1234567|413",
        "PUT|5|hello|405",
        "DELETE|<unset>|''|405",
      })
  void theServiceNeverStartsForARejectedRequest(
      String method, String contentLength, String body, int status) throws Exception {
    Path marker = dir.resolve("started");
    Map<String, String> env = Cgi.env(method);
    if (!contentLength.equals("<unset>")) {
      env.put("CONTENT_LENGTH", contentLength);
    }
    Cgi.Result r =
        Cgi.run(env, Cgi.bytes(body), "--max-request-bytes", "6", "--command", "touch " + marker)
            .assertFramed();
    assertEquals(status, r.status);
    assertFalse(Files.exists(marker), "the service ran");
    assertEquals(1, r.logLines().size(), r.log);
    assertTrue(r.log.startsWith("pipecgi[touch]: " + status + " "), r.log);
  }

  @Test
  void methodNotAllowedIs405WithAllow() {
    Cgi.Result r = Cgi.run(Cgi.env("PUT"), new byte[0], "--command", "cat").assertFramed();
    assertEquals(405, r.status);
    assertEquals("GET, HEAD, POST, OPTIONS", r.header("Allow"));
  }

  @Test
  void optionsIs204WithAllowAndTheServiceNeverRuns() throws Exception {
    Path marker = dir.resolve("started");
    Cgi.Result r =
        Cgi.run(Cgi.env("OPTIONS"), new byte[0], "--methods", "GET,PUT", "--command", "touch " + marker)
            .assertFramed();
    assertEquals(204, r.status);
    assertEquals("GET, PUT, OPTIONS", r.header("Allow"));
    assertNull(r.header("Access-Control-Allow-Origin"));
    assertFalse(Files.exists(marker));
    assertEquals("", r.log);
  }

  @Test
  void headRunsLikeGetAndSendsTheSameHeadersWithoutABody() {
    String[] args = {"--command", "sh -c 'echo $REQUEST_METHOD-ran'"};
    Cgi.Result get = Cgi.run(Cgi.env("GET"), new byte[0], args);
    Cgi.Result head = Cgi.run(Cgi.env("HEAD"), new byte[0], args);
    assertEquals("GET-ran\n", get.bodyText());
    assertEquals(200, head.status);
    assertEquals("9", head.header("Content-Length"), "the length HEAD-ran\\n would have");
    assertEquals(0, head.body.length);
    assertEquals(get.headers.keySet(), head.headers.keySet());
  }

  @Test
  void corsPreflightAnswersForTheConfiguredOrigin() {
    Cgi.Result r =
        Cgi.run(Cgi.env("OPTIONS", "HTTP_ORIGIN", "https://app.example",
                "HTTP_ACCESS_CONTROL_REQUEST_METHOD", "POST",
                "HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "content-type, x-seq"),
            new byte[0], "--cors-origin", "https://app.example", "--command", "cat").assertFramed();
    assertEquals(204, r.status);
    assertEquals("https://app.example", r.header("Access-Control-Allow-Origin"));
    assertEquals("GET, HEAD, POST", r.header("Access-Control-Allow-Methods"));
    assertEquals("content-type, x-seq", r.header("Access-Control-Allow-Headers"));
    assertEquals("600", r.header("Access-Control-Max-Age"));
  }

  @Test
  void corsRequestHeadersThatAreNotTokensAreNotEchoed() {
    Cgi.Result r =
        Cgi.run(Cgi.env("OPTIONS", "HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "x\r\nSet-Cookie: a=b"),
            new byte[0], "--cors-origin", "*", "--command", "cat");
    assertNull(r.header("Access-Control-Allow-Headers"));
  }

  @Test
  void everyResponseCarriesTheCorsOriginAndTheServicesOwnIsReplaced() {
    String[] args = {"--cors-origin", "*", "--output", "cgi", "--command",
        "printf 'Access-Control-Allow-Origin: https://evil.example\\n\\nok'"};
    Cgi.Result ok = Cgi.run(Cgi.env("GET"), new byte[0], args);
    assertEquals(List.of("*"), ok.headers.get("access-control-allow-origin"));
    Cgi.Result error = Cgi.run(Cgi.env("PUT"), new byte[0], args);
    assertEquals(405, error.status);
    assertEquals("*", error.header("Access-Control-Allow-Origin"));
  }

  @Test
  void brokenCgiOutputIs502WithOneLogLineNamingTheRule() {
    Cgi.Result r =
        Cgi.run(Cgi.env("GET"), new byte[0], "--output", "cgi", "--command",
            "printf 'Status: 999\\n\\nsecret body'").assertFramed();
    assertEquals(502, r.status);
    assertEquals("502 Bad Gateway\n", r.bodyText());
    assertEquals(
        List.of("pipecgi[printf]: 502 Bad Gateway: cgi output: Status is not a 3-digit code from"
            + " 200 to 599 with an optional reason: '999'"),
        r.logLines());
  }

  @Test
  void contentLengthTheServiceSeesIsTheBodyItGets() {
    Map<String, String> chunked = Cgi.env("POST", "HTTP_TRANSFER_ENCODING", "chunked");
    Cgi.Result r =
        Cgi.run(chunked, Cgi.bytes("seven!!"), "--command", "sh -c 'echo $CONTENT_LENGTH; cat'");
    assertEquals("7\nseven!!", r.bodyText());
  }
}
