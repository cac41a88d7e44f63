package pipecgi.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pipecgi.Cgi;
import pipecgi.Main;

/** suEXEC's rules for the program pipecgi runs, with real files and real modes. */
class ServiceProgramTest {
  @TempDir Path tmp;
  private Path dir;
  private Path program;

  @BeforeEach
  void aSafeProgramInASafeDirectory() throws Exception {
    dir = Files.createDirectory(tmp.resolve("bin"));
    mode(dir, 0755);
    program = Files.writeString(dir.resolve("svc"), "#!/bin/sh\ntouch \"$0.ran\"\ncat\n");
    mode(program, 0755);
  }

  private static void mode(Path p, int mode) throws Exception {
    Files.setAttribute(p, "unix:mode", mode);
  }

  private String refusal() {
    return refusal(program.toFile());
  }

  /** Null when the program may run; else the rule that refuses it, or why it cannot run. */
  private static String refusal(File f) {
    try {
      ServiceProgram.check(f.getPath());
      return null;
    } catch (ServiceProgram.Problem e) {
      return e.refused ? e.getMessage() : "cannot run: " + e.getMessage();
    }
  }

  @ParameterizedTest(name = "mode {0}")
  @ValueSource(ints = {0755, 0700, 0555, 0750})
  void aProgramOnlyItsOwnerCanWriteRuns(int mode) throws Exception {
    mode(program, mode);
    assertNull(refusal());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"/bin/cat", "/usr/bin/wc", "/bin/sh", "/usr/bin/printenv"})
  void theSystemsOwnProgramsRun(String path) {
    assertNull(refusal(new File(path)));
  }

  @ParameterizedTest(name = "mode {0}")
  @ValueSource(ints = {0775, 0757, 0777, 0735, 0753})
  void aProgramWritableByItsGroupOrOthersIsRefused(int mode) throws Exception {
    mode(program, mode);
    assertEquals(program + ": writable by its group or by others (chmod go-w)", refusal());
  }

  @ParameterizedTest(name = "mode {0}")
  @ValueSource(ints = {04755, 02755, 06755, 04700})
  void aSetuidOrSetgidProgramIsRefused(int mode) throws Exception {
    mode(program, mode);
    assertEquals(program + ": setuid or setgid (chmod ug-s)", refusal());
  }

  @ParameterizedTest(name = "mode {0}")
  @ValueSource(ints = {0775, 0757, 0777, 01777, 02775})
  void aProgramInADirectoryItsGroupOrOthersCanWriteIsRefused(int mode) throws Exception {
    mode(dir, mode);
    assertEquals(program + ": in " + dir + ", which its group or others can write (chmod go-w "
        + dir + ")", refusal());
  }

  @Test
  void aLinkIsJudgedByTheFileItLeadsToAndThatFilesDirectory() throws Exception {
    Path open = Files.createDirectory(tmp.resolve("open"));
    mode(open, 0777);
    Path target = Files.move(program, open.resolve("svc"));
    program = Files.createSymbolicLink(dir.resolve("link"), target);
    assertEquals(target + " (" + program + "): in " + open
        + ", which its group or others can write (chmod go-w " + open + ")", refusal());
  }

  @Test
  void aRefusedProgramIsA500AndNeverRuns() throws Exception {
    mode(dir, 0777);
    Cgi.Result r = Cgi.run(Cgi.post(Cgi.bytes("x")), Cgi.bytes("x"), "--command", program.toString())
        .assertFramed();
    assertEquals(500, r.status);
    assertEquals(List.of("pipecgi[svc]: 500 Internal Server Error: refused to run the service: "
        + program + ": in " + dir + ", which its group or others can write (chmod go-w " + dir
        + ")"), r.logLines());
    assertFalse(Files.exists(dir.resolve("svc.ran")), "the program never ran");
  }

  @Test
  void checkSaysWhichRuleRefusedTheProgram() throws Exception {
    mode(program, 04755);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit = new Main(Map.of(), new ByteArrayInputStream(new byte[0]), out,
        new ByteArrayOutputStream()).run(new String[] {"--check", "--command", program.toString()});
    assertEquals(ExitStatus.FAILED, exit);
    assertEquals("pipecgi: error: --command: " + program + ": setuid or setgid (chmod ug-s)\n",
        out.toString(StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"./svc", "../bin/svc", "./../bin/./svc"})
  void aRelativeProgramIsTakenFromTheConfigurationsDirectoryNeverTheWorkingDirectory(String path)
      throws Exception {
    Path conf = Files.writeString(dir.resolve("svc.conf"), "command = " + path + "\n");
    Cgi.Result r = Cgi.run(Cgi.post(Cgi.bytes("x")), Cgi.bytes("x"), "--config", conf.toString())
        .assertFramed();
    assertEquals(200, r.status, r.log);
    assertTrue(Files.exists(dir.resolve("svc.ran")));
  }

  @Test
  void aBareNameIsLookedUpInTheSafePathOnlyNeverBesideTheConfiguration() throws Exception {
    Path conf = Files.writeString(dir.resolve("svc.conf"), "command = svc\n");
    Cgi.Result r = Cgi.run(Cgi.post(Cgi.bytes("x")), Cgi.bytes("x"), "--config", conf.toString())
        .assertFramed();
    assertEquals(502, r.status);
    assertEquals(List.of("pipecgi[svc]: 502 Bad Gateway: cannot start the service: svc: not found"
        + " in /usr/local/bin:/usr/bin:/bin (give a full path)"), r.logLines());
    assertFalse(Files.exists(dir.resolve("svc.ran")));
  }

  @Test
  void aSafeProgramRunsThroughTheWholeRequest() {
    Cgi.Result r = Cgi.run(Cgi.post(Cgi.bytes("x")), Cgi.bytes("x"), "--command", program.toString())
        .assertFramed();
    assertEquals(200, r.status);
    assertEquals("x", r.bodyText());
    assertTrue(Files.exists(dir.resolve("svc.ran")));
  }
}
