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
import pipecgi.cgi.StartupArchive;

/**
 * Every request in test-fixtures/ through test-fixtures/run, the launcher and the built jar, on
 * every JDK installed here, and with the start-up archive in each state it can be found in: the
 * raw CGI output must equal NAME.response byte for byte, and the error log NAME.log (empty when
 * there is no such file).
 */
class FixturesIT {
  static final Path FIXTURES = Launch.ROOT.resolve("test-fixtures");
  /** Where each state of the archive is set up, per java. */
  static final Path STATES = Launch.ROOT.resolve("target/archive-states");

  static List<Arguments> fixtures() throws IOException {
    List<Path> requests;
    try (var files = Files.walk(FIXTURES)) {
      requests = files.filter(f -> f.toString().endsWith(".request")).sorted().toList();
    }
    List<Arguments> cases = new ArrayList<>();
    for (ArchiveState state : ArchiveState.values()) {
      for (Path java : Launch.javas()) {
        for (Path request : requests) {
          String name = FIXTURES.relativize(request).toString().replace(".request", "");
          cases.add(Arguments.of(name, java, state));
        }
      }
    }
    return cases;
  }

  /** The start-up archive as a request may find it; each but the first is set up once. */
  enum ArchiveState {
    NONE, FITTING, MADE_FOR_ANOTHER_JAR, REFUSED_BY_THE_JVM, IN_A_DIRECTORY_NOT_WRITABLE;

    private final java.util.Map<Path, String> dirs = new java.util.HashMap<>();

    synchronized String dir(Path java) throws IOException {
      String d = dirs.get(java);
      if (d == null) {
        d = setUp(java);
        dirs.put(java, d);
      }
      return d;
    }

    private String setUp(Path java) throws IOException {
      if (this == NONE) {
        return StartupArchive.OFF;
      } else if (this == IN_A_DIRECTORY_NOT_WRITABLE) {
        return "/proc/1";
      }
      Path dir = STATES.resolve(name() + "-" + Launch.javas().indexOf(java));
      Launch.Result gone = Launch.of("rm", "-rf", dir.toString()).run();
      assertEquals(0, gone.exit, gone.err);
      Files.createDirectories(dir);
      Path jar = Launch.CGI_BIN.resolve("pipecgi.jar");
      if (this == FITTING) {
        make(java, jar, dir);
        return dir.toString();
      }
      if (this == MADE_FOR_ANOTHER_JAR) { // another build, given this one's time (cp -p)
        Path other = Files.createDirectories(dir.resolve("other")).resolve("pipecgi.jar");
        Files.copy(jar, other);
        Files.writeString(dir.resolve("other/extra.txt"), "another build\n");
        Launch.Result r = Launch.of(java.getParent().resolve("jar").toString(), "uf",
            other.toString(), "-C", dir.resolve("other").toString(), "extra.txt").run();
        assertEquals(0, r.exit, r.err);
        make(java, other, dir);
      } else { // REFUSED_BY_THE_JVM
        byte[] noise = new byte[64 * 1024];
        new java.util.Random(3).nextBytes(noise);
        Files.write(dir.resolve(StartupArchive.JSA), noise);
        Files.write(dir.resolve(StartupArchive.AOT), noise);
      }
      for (String name : List.of(StartupArchive.JSA, StartupArchive.AOT)) {
        if (Files.exists(dir.resolve(name))) { // so that the launcher passes it on
          Files.setLastModifiedTime(dir.resolve(name), Files.getLastModifiedTime(jar));
        }
      }
      // As if a maker were at work, so that no request replaces this archive during the test.
      Files.writeString(dir.resolve(StartupArchive.LOCK), "");
      return dir.toString();
    }

    private static void make(Path java, Path jar, Path dir) {
      Launch.Result r = Launch.of(java.toString(), "-jar", jar.toString(), "--make-archive")
          .env(StartupArchive.DIR_VARIABLE, dir.toString()).run();
      assertEquals(0, r.exit, r.outText() + r.err);
    }
  }

  @ParameterizedTest(name = "{0} on {1}, archive {2}")
  @MethodSource("fixtures")
  void fixtureGivesItsExpectedResponse(String name, Path java, ArchiveState archive)
      throws IOException {
    String endpoint = name.substring(0, name.indexOf('/'));
    Launch.Result r =
        Launch.of("test-fixtures/run", "cgi-bin/" + endpoint + ".cgi")
            .env("PIPECGI_JAVA", java.toString())
            .env(StartupArchive.DIR_VARIABLE, archive.dir(java))
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
