package pipecgi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every request in test-fixtures/ through test-fixtures/run, the launcher and the built jar, on
 * every JDK installed here: the raw CGI output must equal NAME.response byte for byte, and the
 * error log NAME.log (empty when there is no such file).
 */
class FixturesIT {
  static final Path FIXTURES = Launch.ROOT.resolve("test-fixtures");

  static List<Arguments> fixtures() throws IOException {
    List<Path> requests;
    try (var files = Files.walk(FIXTURES)) {
      requests = files.filter(f -> f.toString().endsWith(".request")).sorted().toList();
    }
    List<Arguments> cases = new ArrayList<>();
    for (Path java : Launch.javas()) {
      for (Path request : requests) {
        String name = FIXTURES.relativize(request).toString().replace(".request", "");
        cases.add(Arguments.of(name, java));
      }
    }
    return cases;
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("fixtures")
  void fixtureGivesItsExpectedResponse(String name, Path java) throws IOException {
    String endpoint = name.substring(0, name.indexOf('/'));
    Launch.Result r =
        Launch.of("test-fixtures/run", "cgi-bin/" + endpoint + ".cgi")
            .env("PIPECGI_JAVA", java.toString())
            .stdin(FIXTURES.resolve(name + ".request").toFile())
            .run();
    assertEquals(0, r.exit, r.err);
    assertEquals(expected(name + ".log"), r.err);
    assertEquals(expected(name + ".response"), new String(r.out, StandardCharsets.ISO_8859_1));
    String request = expected(name + ".request");
    r.cgi().assertFramed(request.contains("\nREQUEST_METHOD=HEAD\n") ? "HEAD" : "POST");
  }

  private static String expected(String file) throws IOException {
    Path p = FIXTURES.resolve(file);
    return Files.exists(p) ? new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1) : "";
  }
}
