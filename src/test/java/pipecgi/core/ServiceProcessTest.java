package pipecgi.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import pipecgi.Cgi;
import pipecgi.Processes;

/** The service rules, with real child processes. */
@Timeout(60)
class ServiceProcessTest {
  @TempDir Path dir;
  private String savedTmpdir;

  @BeforeEach
  void privateTmpdir() throws Exception {
    savedTmpdir = System.getProperty("java.io.tmpdir");
    Files.createDirectory(dir.resolve("tmp"));
    System.setProperty("java.io.tmpdir", dir.resolve("tmp").toString());
  }

  @AfterEach
  void noTemporaryFileIsLeft() throws Exception {
    System.setProperty("java.io.tmpdir", savedTmpdir);
    try (var files = Files.list(dir.resolve("tmp"))) {
      assertEquals(List.of(), files.toList());
    }
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  @Test
  void tenMegabyteBodyGoesThroughCatExactly() {
    byte[] body = random(10_000_000);
    Cgi.Result r = Cgi.run(Cgi.post(body), body, "--command", "cat").assertFramed();
    assertEquals(200, r.status);
    assertArrayEquals(body, r.body);
  }

  @Test
  void serviceThatWritesMegabytesBeforeReadingDoesNotDeadlock() {
    byte[] body = random(4_000_000);
    Cgi.Result r =
        Cgi.run(Cgi.post(body), body, "--command",
            "sh -c 'head -c 4000000 /dev/zero; cat >/dev/null; echo done'").assertFramed();
    assertEquals(200, r.status);
    assertEquals(4_000_005, r.body.length);
  }

  @Test
  void serviceThatNeverReadsItsInputStillAnswers() {
    byte[] body = random(3_000_000);
    Cgi.Result r = Cgi.run(Cgi.post(body), body, "--command", "echo ignored").assertFramed();
    assertEquals(200, r.status);
    assertEquals("ignored\n", r.bodyText());
  }

  @Test
  void stderrFloodDoesNotDeadlockAndIsCappedAt64KiB() {
    Cgi.Result r =
        Cgi.run(Cgi.env("GET"), new byte[0], "--command",
            "sh -c 'head -c 1048576 /dev/zero | tr \"\\0\" x >&2; echo ok'").assertFramed();
    assertEquals(200, r.status);
    assertEquals("ok\n", r.bodyText());
    long logged = r.log.chars().filter(c -> c == 'x').count();
    assertEquals(StderrRelay.CAP, logged);
    assertTrue(r.log.contains("stderr: 983040 more bytes not logged"), r.log);
  }

  @Test
  void stderrLinesAreLoggedPrefixedAndEscaped() {
    Cgi.Result r =
        Cgi.run(Cgi.env("GET"), new byte[0], "--command",
            "sh -c 'printf \"first\\nred \\033[31m alert\\r\\nno newline\" >&2'");
    assertEquals(
        List.of("pipecgi[sh]: stderr: first", "pipecgi[sh]: stderr: red \\x1b[31m alert",
            "pipecgi[sh]: stderr: no newline"),
        r.logLines());
  }

  @ParameterizedTest(name = "[{index}] exit {0}")
  @ValueSource(ints = {0, 1})
  void stderrNeverReachesTheClient(int exit) {
    Cgi.Result r =
        Cgi.run(Cgi.env("GET"), new byte[0], "--command",
            "sh -c 'echo out; echo SECRET-123 >&2; exit " + exit + "'");
    assertFalse(new String(r.raw).contains("SECRET"));
    assertTrue(r.log.contains("SECRET-123"));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 255})
  void nonZeroExitIs502WithoutAPartialBody(int exit) {
    Cgi.Result r =
        Cgi.run(Cgi.env("GET"), new byte[0], "--command", "sh -c 'echo partial; exit " + exit + "'")
            .assertFramed();
    assertEquals(502, r.status);
    assertEquals("502 Bad Gateway\n", r.bodyText());
    assertEquals(
        List.of("pipecgi[sh]: 502 Bad Gateway: the service exited with status " + exit),
        r.logLines());
  }

  @Test
  void missingProgramIs502() {
    Cgi.Result r = Cgi.run(Cgi.env("GET"), new byte[0], "--command", dir + "/no-such-program");
    assertEquals(502, r.status);
    assertTrue(r.log.contains("502 Bad Gateway: cannot start the service"), r.log);
    assertEquals(1, r.logLines().size());
  }

  @Test
  void programNotOnTheSafePathIs502() {
    Cgi.Result r = Cgi.run(Cgi.env("GET"), new byte[0], "--command", "no-such-program-42");
    assertEquals(502, r.status);
    assertTrue(r.log.contains("no-such-program-42: not found in /usr/local/bin:/usr/bin:/bin"), r.log);
  }

  @Test
  void programThatIsNotExecutableIs502() throws Exception {
    Path script = Files.writeString(dir.resolve("svc.sh"), "#!/bin/sh\necho hi\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
    Cgi.Result r = Cgi.run(Cgi.env("GET"), new byte[0], "--command", script.toString());
    assertEquals(502, r.status);
    assertEquals(List.of("pipecgi[svc.sh]: 502 Bad Gateway: cannot start the service: " + script
        + ": not executable (chmod +x)"), r.logLines());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"head -c 100000 /dev/zero", "yes"})
  void outputOverTheLimitIs502WithoutAPartialBody(String command) {
    // Stopped at the limit, not by the timeout: that would be a 504.
    Cgi.Result r =
        Cgi.run(Cgi.env("GET"), new byte[0], "--command", command,
            "--max-response-bytes", "1000", "--timeout", "60").assertFramed();
    assertEquals(502, r.status);
    assertEquals("502 Bad Gateway\n", r.bodyText());
    assertTrue(r.log.contains("wrote more than max-response-bytes (1000)"), r.log);
  }

  @Test
  void largeOutputIsSpooledToAnUnlinkedTemporaryFileAndExact() {
    // The service lists pipecgi's temporary directory while pipecgi is already spooling to it.
    String tmp = System.getProperty("java.io.tmpdir");
    Cgi.Result r =
        Cgi.run(Cgi.env("GET", "SPOOL_DIR", tmp), new byte[0], "--pass-env", "SPOOL_DIR",
            "--memory-buffer-bytes", "64K", "--command",
            "sh -c 'head -c 3000000 /dev/zero; ls -A \"$SPOOL_DIR\"; echo end'").assertFramed();
    assertEquals(200, r.status);
    assertEquals(3_000_004, r.body.length, "nothing was listed: the spool file has no name");
  }

  @Test
  void timeoutIs504AndStopsTheServiceAndItsChildren() throws Exception {
    String marker = Processes.uniqueSleep();
    Cgi.Result r =
        Cgi.run(Cgi.env("GET"), new byte[0], "--timeout", "1", "--command",
            "sh -c 'sleep " + marker + " & sh -c \"sleep " + marker + "\" & sleep " + marker + "'")
            .assertFramed();
    assertEquals(504, r.status);
    assertTrue(r.log.contains("504 Gateway Timeout: the service did not finish within the timeout (1 s)"), r.log);
    assertEquals(List.of(), Processes.awaitGone(marker), "no process left behind");
  }

  /** An orphan (its parent, a subshell, exits at once) is no descendant, but still in the session. */
  @Test
  void timeoutStopsOrphansThatIgnoreSigtermToo() throws Exception {
    String marker = Processes.uniqueSleep();
    Cgi.Result r =
        Cgi.run(Cgi.env("GET"), new byte[0], "--timeout", "1", "--command",
            "sh -c '(sleep " + marker + " &); (trap \"\" TERM; sleep " + marker + ") & sleep "
                + marker + "'").assertFramed();
    assertEquals(504, r.status);
    assertEquals(List.of(), Processes.awaitGone(marker), "no orphan left");
  }

  @Test
  void theServiceLeadsASessionOfItsOwn() {
    // Fields 1 and 6 of /proc/PID/stat: the pid and the session.
    Cgi.Result r = Cgi.run(Cgi.env("GET"), new byte[0], "--command",
        "sh -c 'exec cut -d \" \" -f 1,6 /proc/$$/stat'").assertFramed();
    String[] pidAndSession = r.bodyText().trim().split(" ");
    assertEquals(pidAndSession[0], pidAndSession[1], r.bodyText());
  }

  @Test
  void childrenThatIgnoreSigtermAreKilled() throws Exception {
    String marker = Processes.uniqueSleep();
    Cgi.Result r =
        Cgi.run(Cgi.env("GET"), new byte[0], "--timeout", "0.5", "--command",
            "sh -c 'trap \"\" TERM; sleep " + marker + " & sleep " + marker + "; sleep " + marker + "'");
    assertEquals(504, r.status);
    assertEquals(List.of(), Processes.awaitGone(marker));
  }

  /**
   * With a pause before the exit, pipecgi is surely waiting in a read of stdout and stderr when the
   * service exits: the case where the JDK's own end-of-stream handling waits for the background
   * child (see PipeDrain). The child, or the orphan (its parent, a subshell, exits at once), is
   * then stopped: it is still in the service's session.
   */
  @ParameterizedTest(name = "[{index}] {0}, then{1}")
  @CsvSource(delimiter = '|', value = {"sleep %M &|''", "sleep %M &|; sleep 0.3",
      "(sleep %M &);|''", "(trap '' TERM; sleep %M) &|; sleep 0.3"})
  void aBackgroundChildHoldingStdoutDoesNotHoldTheResponseAndIsStopped(
      String child, String beforeExit) throws Exception {
    String marker = Processes.uniqueSleep();
    // Held until the child ends, the request would time out: a 504, not a 200.
    Cgi.Result r =
        Cgi.run(Cgi.env("GET"), new byte[0], "--timeout", "60", "--command",
            "sh -c \"" + child.replace("%M", marker) + " echo started; echo note >&2" + beforeExit
                + "\"").assertFramed();
    assertEquals(200, r.status);
    assertEquals("started\n", r.bodyText());
    assertEquals(List.of("pipecgi[sh]: stderr: note", "pipecgi[sh]: the service left processes"
        + " running after it exited; they were stopped"), r.logLines());
    assertEquals(List.of(), Processes.awaitGone(marker), "nothing left");
  }

  @Test
  void serviceRunsInTheWorkdirWithTheFreshEnvironment() throws Exception {
    File work = Files.createDirectory(dir.resolve("work")).toFile();
    Cgi.Result r =
        Cgi.run(Cgi.env("GET", "QUERY_STRING", "a=1", "HOME", "/root", "HTTP_PROXY", "x"),
            new byte[0], "--workdir", work.getPath(), "--command", "sh -c 'pwd; env | sort'");
    assertEquals(
        work.getCanonicalPath() + "\nCONTENT_LENGTH=0\nGATEWAY_INTERFACE=CGI/1.1\n"
            + "PATH=/usr/local/bin:/usr/bin:/bin\nPWD=" + work.getCanonicalPath() + "\n"
            + "QUERY_STRING=a=1\nREQUEST_METHOD=GET\n",
        r.bodyText());
  }

  @Test
  void theRequestCannotChangeTheCommandLine() {
    Cgi.Result r =
        Cgi.run(Cgi.env("GET", "QUERY_STRING", "-Xmx1m+--evil", "PATH_INFO", "/--evil",
                "HTTP_X_ARG", "--evil"),
            new byte[0], "--command", "sh -c 'printf \"[%s]\" \"$0\" \"$@\"' first second");
    assertEquals("[first][second]", r.bodyText());
  }
}
