package pipecgi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** cgi-bin/pipecgi.cgi, the POSIX sh launcher, run as a real process with the built jar. */
class LauncherIT {
  private static final byte[] BODY = Cgi.bytes("ping\n");

  @TempDir Path dir;

  private static Launch.Result post(Launch launch) {
    return launch.cgi("POST", "CONTENT_LENGTH", "5").input(BODY).run();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "-Xmx1m --evil",
      "-XX:OnOutOfMemoryError=\"id\" -version",
      "--command /bin/sh --output cgi",
      "--help",
      "--config /etc/passwd"})
  void argumentsAreNeverForwarded(String args) {
    Launch.Result plain = post(Launch.endpoint("echo"));
    Launch.Result attacked = post(Launch.endpoint("echo").args(args.split(" ")));
    assertEquals(0, attacked.exit, attacked.err);
    assertEquals("", attacked.err);
    assertArrayEquals(plain.out, attacked.out);
    assertEquals("ping\n", attacked.cgi().assertFramed().bodyText());
  }

  @Test
  void pipecgiConfNamesTheConfiguration() throws IOException {
    Path conf = dir.resolve("count.conf");
    Files.writeString(conf, "command = /usr/bin/wc -c\n");
    Launch.Result r = post(Launch.endpoint("echo").env("PIPECGI_CONF", conf.toString()));
    assertEquals("5\n", r.cgi().assertFramed().bodyText());
  }

  /** A copy of the launcher in a directory of its own, with only what {@code parts} names. */
  private Launch installed(String... parts) throws IOException {
    Path launcher = dir.resolve("svc.cgi");
    Files.copy(Launch.CGI_BIN.resolve("pipecgi.cgi"), launcher);
    if (List.of(parts).contains("jar")) {
      Files.copy(Launch.CGI_BIN.resolve("pipecgi.jar"), dir.resolve("pipecgi.jar"));
    }
    if (List.of(parts).contains("conf")) {
      Files.writeString(dir.resolve("svc.conf"), "command = /bin/cat\n");
    }
    return Launch.of(launcher.toString());
  }

  @Test
  void aCopyWithItsJarAndConfigurationWorks() throws IOException {
    Launch.Result r = post(installed("jar", "conf"));
    assertEquals("ping\n", r.cgi().assertFramed().bodyText());
  }

  static List<Object[]> missingPieces() {
    return List.of(
        new Object[] {"no java", new String[] {"jar", "conf"}, "PATH", "/nonexistent",
            "no java: set PIPECGI_JAVA or JAVA_HOME, or put java on the server's PATH"},
        new Object[] {"bad PIPECGI_JAVA", new String[] {"jar", "conf"}, "PIPECGI_JAVA", "/no/java",
            "/no/java is not an executable java"},
        new Object[] {"bad JAVA_HOME", new String[] {"jar", "conf"}, "JAVA_HOME", "/no/jdk",
            "/no/jdk/bin/java is not an executable java"},
        new Object[] {"no jar", new String[] {"conf"}, "X", "",
            "cannot read DIR/pipecgi.jar (build it with mvn package)"},
        new Object[] {"no configuration", new String[] {"jar"}, "X", "",
            "cannot read the configuration file DIR/svc.conf"});
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("missingPieces")
  void aMissingPieceIsAValid500AndOneLogLine(
      String what, String[] parts, String var, String value, String why) throws IOException {
    Launch.Result r = post(installed(parts).env(var, value));
    assertEquals(2, r.exit);
    Cgi.Result cgi = r.cgi().assertFramed();
    assertEquals(500, cgi.status);
    assertEquals("500 Internal Server Error\n", cgi.bodyText());
    assertEquals("pipecgi[svc]: 500 Internal Server Error: " + why.replace("DIR", dir.toString())
        + "\n", r.err);
  }

  @Test
  void aBadConfigurationIsA500AndOneLogLine() throws IOException {
    Path conf = dir.resolve("bad.conf");
    Files.writeString(conf, "command = /bin/cat\ntimeout = soon\n");
    Launch.Result r = post(Launch.endpoint("echo").env("PIPECGI_CONF", conf.toString()));
    assertEquals(2, r.exit);
    assertEquals(500, r.cgi().assertFramed().status);
    assertEquals(1, r.err.lines().count(), r.err);
    assertTrue(r.err.startsWith("pipecgi: 500 Internal Server Error: bad configuration: " + conf
        + " line 2: timeout: 'soon'"), r.err);
  }

  /**
   * The JVM prints class-data archive messages on stdout, where they would come before the CGI
   * headers. An administrator's JAVA_TOOL_OPTIONS with a broken archive (and, on JDK 17, -Xlog:cds
   * to make it talk) must not reach the client: the launcher sends JVM output to stderr.
   */
  @ParameterizedTest
  @MethodSource("pipecgi.Launch#javas")
  void jvmMessagesNeverReachStdout(Path java) throws IOException {
    Path junk = dir.resolve("broken.jsa");
    byte[] noise = new byte[4096];
    new Random(1).nextBytes(noise);
    Files.write(junk, noise);
    String options = "-Xlog:cds -XX:SharedArchiveFile=" + junk;

    Launch.Result direct = post(Launch.of(java.toString(), "-jar", "cgi-bin/pipecgi.jar")
        .env("PIPECGI_CONF", "cgi-bin/echo.conf").env("JAVA_TOOL_OPTIONS", options));
    assertFalse(direct.outText().startsWith("Status:"), "the trap is real: " + direct.outText());

    Launch.Result r = post(installed("jar", "conf")
        .env("PIPECGI_JAVA", java.toString()).env("JAVA_TOOL_OPTIONS", options));
    assertEquals("ping\n", r.cgi().assertFramed().bodyText());
    assertTrue(r.err.contains("cds"), r.err);
  }

  /**
   * Apache runs CGI programs with LANG=C, where Java would turn every non-ASCII byte of a header
   * into '?'. The launcher's UTF-8 locale lets valid UTF-8 through; other bytes become U+FFFD.
   */
  @ParameterizedTest
  @ValueSource(strings = {"Gr\\303\\274\\303\\237e \\342\\202\\254", "bad \\377 byte"})
  void headerBytesReachTheServiceAsUtf8(String printfBytes) throws IOException {
    Path conf = dir.resolve("header.conf");
    Files.writeString(conf, "command = /usr/bin/printenv HTTP_X_NAME\n");
    Launch.Result r =
        Launch.of("/bin/sh", "-c", "HTTP_X_NAME=$(printf '" + printfBytes + "') exec cgi-bin/echo.cgi")
            .cgi("GET", "LANG", "C", "PIPECGI_CONF", conf.toString())
            .run();
    Launch.Result expected = Launch.of("/bin/sh", "-c", "printf '" + printfBytes + "\\n'").run();
    String want = new String(expected.out, StandardCharsets.UTF_8); // invalid bytes: U+FFFD
    assertEquals(want, r.cgi().assertFramed().bodyText());
  }

  /** --make-archive, run with each java as an installer would, beside an installed copy. */
  private Launch installedWithArchive(Path java) throws IOException {
    Launch launch = installed("jar", "conf").env("PIPECGI_JAVA", java.toString());
    Launch.Result made =
        Launch.of(java.toString(), "-jar", dir.resolve("pipecgi.jar").toString(), "--make-archive")
            .run();
    assertEquals(0, made.exit, made.outText() + made.err);
    assertTrue(made.outText().startsWith("pipecgi: ok: made " + dir.resolve("pipecgi.jsa")),
        made.outText());
    assertEquals("", made.err);
    return launch;
  }

  /** The archive is mapped into the running JVM's memory (and nothing is said about it). */
  @ParameterizedTest
  @MethodSource("pipecgi.Launch#javas")
  void theLauncherUsesTheArchive(Path java) throws Exception {
    Launch launch = installedWithArchive(java);
    Files.writeString(dir.resolve("svc.conf"), "command = /bin/sleep 2\n");
    Process p = launch.cgi("GET").start();
    p.getOutputStream().close(); // no body
    boolean mapped = false;
    while (p.isAlive() && !mapped) {
      try {
        mapped = Files.readString(Path.of("/proc/" + p.pid() + "/maps")).contains("/pipecgi.jsa");
      } catch (IOException e) {
        break; // it has just exited
      }
      Thread.sleep(20);
    }
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    assertTrue(mapped, "pipecgi.jsa is mapped");
    assertEquals("", err);
  }

  @ParameterizedTest
  @MethodSource("pipecgi.Launch#javas")
  void anArchiveThatNoLongerFitsTheJarIsLeftOutSilently(Path java) throws IOException {
    Launch launch = installedWithArchive(java);
    Path jar = dir.resolve("pipecgi.jar");
    Files.setLastModifiedTime(jar, FileTime.fromMillis(
        Files.getLastModifiedTime(jar).toMillis() + 60_000)); // as if rebuilt
    Launch.Result r = post(launch);
    assertEquals("ping\n", r.cgi().assertFramed().bodyText());
    assertEquals("", r.err);
    Launch.Result strict = post(launch.env("JAVA_TOOL_OPTIONS", "-Xshare:on"));
    assertTrue(strict.exit != 0 && !strict.outText().startsWith("Status: 200"),
        "the JVM refused the archive: " + strict.outText() + strict.err);
  }

  @Test
  void makeArchiveUsesTheLaunchersFlags() throws IOException {
    String launcher = Files.readString(Launch.CGI_BIN.resolve("pipecgi.cgi"));
    assertTrue(launcher.contains("\n  " + String.join(" ",
        StartupArchive.LAUNCHER_FLAGS.subList(0, 3)) + " \\\n  " + String.join(" ",
        StartupArchive.LAUNCHER_FLAGS.subList(3, 6)) + " \\\n"), launcher);
  }
}
