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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import pipecgi.cgi.StartupArchive;
import pipecgi.core.Response;

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
      "--config /etc/passwd",
      "&dir \"&calc.exe\"", // Tomcat's CVE-2019-0232 cases
      "$(id) `id` ;id"})
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

  /** A temporary directory that cannot be written: a clean 500 or 502, no partial response. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"request body", "service output"})
  void anUnwritableTemporaryDirectoryIsACleanErrorAndOneLogLine(String what) throws IOException {
    Path conf = dir.resolve("svc.conf");
    boolean body = what.equals("request body");
    Files.writeString(conf, "memory-buffer-bytes = 1K\ncommand = "
        + (body ? "/bin/cat" : "/usr/bin/head -c 100000 /dev/zero") + "\n");
    byte[] input = new byte[body ? 100_000 : 5];
    Launch.Result r = Launch.endpoint("echo").env("PIPECGI_CONF", conf.toString())
        .env("TMPDIR", dir.resolve("no-such-dir").toString())
        .cgi("POST", "CONTENT_LENGTH", Integer.toString(input.length)).input(input).run();
    Cgi.Result cgi = r.cgi().assertFramed();
    int status = body ? 500 : 502;
    assertEquals(status, cgi.status);
    assertEquals(status + " " + Response.reasonPhrase(status) + "\n", cgi.bodyText());
    assertEquals(List.of("pipecgi[svc]: " + status + " " + Response.reasonPhrase(status) + ": "
        + (body ? "cannot keep the request body: " : "cannot keep the service's output: ")
        + "cannot write a temporary file in " + dir.resolve("no-such-dir")
        + " (no such file or directory)"), cgi.logLines());
  }

  /**
   * A full disk, made with the shell's file-size limit: writes past 32 KiB fail (EFBIG, where a
   * full disk gives ENOSPC; the JVM ignores SIGXFSZ), on the same path.
   */
  @Test
  void aTemporaryFileThatCannotGrowIsA500AndOneLogLine() throws IOException {
    Path conf = Files.writeString(dir.resolve("svc.conf"),
        "memory-buffer-bytes = 1K\ncommand = /bin/cat\n");
    byte[] input = new byte[200_000];
    Launch.Result r = Launch.of("/bin/sh", "-c", "ulimit -f 64; exec \"$0\"",
            Launch.CGI_BIN.resolve("echo.cgi").toString())
        .env("PIPECGI_CONF", conf.toString()).env("TMPDIR", dir.toString())
        .cgi("POST", "CONTENT_LENGTH", Integer.toString(input.length)).input(input).run();
    Cgi.Result cgi = r.cgi().assertFramed();
    assertEquals(500, cgi.status);
    assertEquals(List.of("pipecgi[svc]: 500 Internal Server Error: cannot keep the request body:"
        + " cannot write a temporary file in " + dir + " (File too large)"), cgi.logLines());
    assertEquals(List.of("svc.conf"), list(), "no temporary file left");
  }

  /** A configuration that is a directory, cannot be read, or has a broken line. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"a directory", "unreadable", "a broken line"})
  void aConfigurationThatCannotBeUsedIsA500AndOneLogLine(String what) throws IOException {
    String conf = what.equals("a directory") ? dir.toString()
        : what.equals("unreadable") ? "/proc/1/mem" // read(2) fails, even for root
        : Files.writeString(dir.resolve("svc.conf"), "command = /bin/cat\nno equals sign\n")
            .toString();
    Launch.Result r = post(Launch.endpoint("echo").env("PIPECGI_CONF", conf));
    Cgi.Result cgi = r.cgi().assertFramed();
    assertEquals(500, cgi.status);
    assertEquals("500 Internal Server Error\n", cgi.bodyText());
    assertEquals(1, cgi.logLines().size(), r.err);
    assertTrue(r.err.contains(conf), r.err);
  }

  /** The server (or the client behind it) stops reading: exit 1 and one line, no stack trace. */
  @Test
  void stdoutClosedMidWriteIsExit1AndOneLogLine() throws Exception {
    Path conf = Files.writeString(dir.resolve("svc.conf"),
        "command = /usr/bin/head -c 20000000 /dev/zero\nmax-response-bytes = 30M\n");
    Process p = Launch.endpoint("echo").env("PIPECGI_CONF", conf.toString())
        .cgi("POST", "CONTENT_LENGTH", "0").start();
    p.getOutputStream().close();
    assertEquals('S', p.getInputStream().read());
    p.getInputStream().close(); // mid-response
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(Await.HANG.toSeconds(), TimeUnit.SECONDS));
    assertEquals(1, p.exitValue());
    assertEquals("pipecgi[svc]: cannot send the response (the client has probably gone): Broken"
        + " pipe\n", err);
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

  /** An installed copy that keeps its start-up archive beside the jar, as on a host. */
  private Launch installedWithArchiveDir(Path java) throws IOException {
    return installed("jar", "conf").env("PIPECGI_JAVA", java.toString())
        .env(StartupArchive.DIR_VARIABLE, "");
  }

  /** --make-archive, run with {@code java} as an installer would. */
  private void makeArchive(Path java) {
    Launch.Result made = Launch.of(java.toString(), "-jar", dir.resolve("pipecgi.jar").toString(),
        "--make-archive").env(StartupArchive.DIR_VARIABLE, "").run();
    assertEquals(0, made.exit, made.outText() + made.err);
    assertTrue(made.outText().startsWith("pipecgi: ok: made " + archive(java)), made.outText());
    assertEquals("", made.err);
  }

  /** pipecgi.aot for a java that has AOT caches (25 and later), else pipecgi.jsa. */
  private Path archive(Path java) {
    Launch.Result r = Launch.of(java.toString(), "-XshowSettings:properties", "-version").run();
    String version = r.err.replaceAll("(?s).*java\\.specification\\.version = (\\d+).*", "$1");
    return dir.resolve(Integer.parseInt(version) >= 25 ? StartupArchive.AOT : StartupArchive.JSA);
  }

  /**
   * Waits for a background maker to finish an archive that fits {@code java} and the jar: one
   * with the jar's time. (A key for this java alone is not enough: after the jar changes, the old
   * key stays until the maker, a JVM of its own, has started and taken the lock.)
   */
  private void awaitArchiveFor(Path java) throws Exception {
    Path key = dir.resolve(StartupArchive.KEY);
    Path archive = archive(java);
    FileTime jarTime = Files.getLastModifiedTime(dir.resolve("pipecgi.jar"));
    String home = java.getParent().getParent().toString();
    Await.until("an archive with the jar's time is made, and its lock gone",
        () -> Files.exists(key) && Files.readString(key).startsWith("java " + home + " ")
            && Files.exists(archive) && Files.getLastModifiedTime(archive).equals(jarTime)
            && Files.notExists(dir.resolve(StartupArchive.LOCK)));
    assertEquals(Stream.of(StartupArchive.KEY, "pipecgi.jar", archive.getFileName().toString(),
        "svc.cgi", "svc.conf").sorted().toList(), list(), "nothing else is left");
  }

  private List<String> list() throws IOException {
    try (var files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  /** Whether a request's JVM maps {@code archive} into its memory (and says nothing about it). */
  private static boolean mapsArchive(Launch launch, Path archive) throws Exception {
    Process p = launch.cgi("POST", "CONTENT_LENGTH", "0").start();
    p.getOutputStream().close(); // no body
    boolean mapped = false;
    while (p.isAlive() && !mapped) {
      try {
        mapped = Files.readString(Path.of("/proc/" + p.pid() + "/maps"))
            .contains(archive.toString());
      } catch (IOException e) {
        break; // it has just exited
      }
      Thread.sleep(20);
    }
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    assertEquals("", err);
    return mapped;
  }

  private Launch sleeping(Launch launch) throws IOException {
    Files.writeString(dir.resolve("sleep.conf"), "command = /bin/sleep 2\n");
    return launch.env("PIPECGI_CONF", dir.resolve("sleep.conf").toString());
  }

  @ParameterizedTest
  @MethodSource("pipecgi.Launch#javas")
  void theFirstRequestMakesTheArchiveAndTheNextUsesIt(Path java) throws Exception {
    Launch launch = installedWithArchiveDir(java);
    Launch.Result first = post(launch);
    assertEquals("ping\n", first.cgi().assertFramed().bodyText());
    assertEquals("", first.err);
    awaitArchiveFor(java);
    assertTrue(mapsArchive(sleeping(launch), archive(java)), "the archive is mapped");
  }

  @ParameterizedTest
  @MethodSource("pipecgi.Launch#javas")
  void anArchiveForAnotherJarIsNeverMappedAndIsMadeAgain(Path java) throws Exception {
    Launch launch = installedWithArchiveDir(java);
    makeArchive(java);
    Path jar = dir.resolve("pipecgi.jar");
    Files.setLastModifiedTime(jar, FileTime.fromMillis(
        Files.getLastModifiedTime(jar).toMillis() + 60_000)); // as if rebuilt
    assertFalse(mapsArchive(sleeping(launch), archive(java)), "a stale archive is not mapped");
    Files.delete(dir.resolve("sleep.conf"));
    awaitArchiveFor(java);
  }

  /** What the JVM refuses, it leaves out, silently: the request is answered all the same. */
  @ParameterizedTest
  @MethodSource("pipecgi.Launch#javas")
  void anArchiveTheJvmRefusesIsLeftOutSilently(Path java) throws Exception {
    Launch launch = installedWithArchiveDir(java);
    FileTime jarTime = Files.getLastModifiedTime(dir.resolve("pipecgi.jar"));
    byte[] noise = new byte[64 * 1024];
    new Random(2).nextBytes(noise);
    Path lock = Files.createFile(dir.resolve(StartupArchive.LOCK)); // no maker: keep the noise
    for (String name : List.of(StartupArchive.JSA, StartupArchive.AOT)) {
      Files.write(dir.resolve(name), noise);
      Files.setLastModifiedTime(dir.resolve(name), jarTime); // so the launcher passes it on
      Launch.Result r = post(launch);
      assertEquals("ping\n", r.cgi().assertFramed().bodyText(), name);
      assertEquals("", r.err, name);
      Files.delete(dir.resolve(name));
    }
    Files.delete(lock);
    for (Path other : Launch.javas()) {
      if (!other.equals(java)) { // an archive another java made, then this java is installed
        makeArchive(other);
        Launch.Result r = post(launch);
        assertEquals("ping\n", r.cgi().assertFramed().bodyText(), other.toString());
        assertEquals("", r.err, other.toString());
        awaitArchiveFor(java);
      }
    }
  }

  @Test
  void anArchiveDirectoryThatCannotBeWrittenChangesNothing() throws Exception {
    Launch.Result r = post(installed("jar", "conf").env(StartupArchive.DIR_VARIABLE, "/proc/1"));
    assertEquals("ping\n", r.cgi().assertFramed().bodyText());
    assertEquals("", r.err);
    // A maker, if the request started one, did so before it exited; it fails to take its lock.
    Await.until("no archive maker runs for this jar",
        () -> Processes.withArgument(dir.resolve("pipecgi.jar").toString()).isEmpty());
    assertEquals(List.of("pipecgi.jar", "svc.cgi", "svc.conf"), list());
  }

  @Test
  void manyFirstRequestsAtOnceMakeOneArchive() throws Exception {
    Path java = Launch.javas().get(0);
    Launch launch = installedWithArchiveDir(java);
    List<Process> requests = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Process p = launch.cgi("POST", "CONTENT_LENGTH", "5").start();
      try (var in = p.getOutputStream()) {
        in.write(BODY);
      }
      requests.add(p);
    }
    for (Process p : requests) {
      byte[] out = p.getInputStream().readAllBytes();
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(Await.HANG.toSeconds(), TimeUnit.SECONDS));
      assertEquals("ping\n", new Cgi.Result(p.exitValue(), out, err).assertFramed().bodyText());
      assertEquals("", err);
    }
    awaitArchiveFor(java);
  }

  @Test
  void makeArchiveUsesTheLaunchersFlags() throws IOException {
    String launcher = Files.readString(Launch.CGI_BIN.resolve("pipecgi.cgi"));
    List<String> flags = StartupArchive.LAUNCHER_FLAGS;
    assertTrue(launcher.contains("\n  " + String.join(" ", flags.subList(0, 3)) + " \\\n  "
        + String.join(" ", flags.subList(3, 5)) + " ${log:+\"$log\"} \\\n"), launcher);
    assertTrue(launcher.contains("\nlog=" + flags.get(5) + "\n"), launcher);
  }
}
