package pipecgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import pipecgi.core.ExitStatus;
import pipecgi.core.OptionKey;

class MainTest {
  @TempDir Path dir;

  /** Runs with plain output (help, version, check): exit status and stdout. */
  private static String[] plain(String... args) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    int exit = new Main(Map.of(), new java.io.ByteArrayInputStream(new byte[0]), out, err).run(args);
    return new String[] {Integer.toString(exit), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
  }

  private Path config(String text) throws Exception {
    return Files.writeString(dir.resolve("svc.conf"), text);
  }

  @Test
  void helpStartsWithItsUsageLineAndFitsEightyColumnsWithNoTrailingBlanks() {
    String[] r = plain("--help");
    assertEquals("0", r[0]);
    assertTrue(r[1].startsWith("usage: java -jar pipecgi.jar [options]\n"), r[1]);
    assertTrue(r[1].endsWith("\n") && !r[1].endsWith("\n\n"), "one line end at the end");
    for (String line : r[1].split("\n", -1)) {
      assertTrue(line.length() <= 80, "over 80 columns: " + line);
      assertFalse(line.endsWith(" ") || line.endsWith("\t"), "trailing blank: '" + line + "'");
    }
  }

  @Test
  void helpGivesTheActionsThenTheOptionsThenWhereToReadMore() {
    String help = plain("--help")[1];
    int actions = help.indexOf("\nActions:\n");
    int settings = help.indexOf("\nAn endpoint's settings");
    int commandLine = help.indexOf("\nOn the command line only:\n");
    int more = help.indexOf("\nMore: README.md");
    assertTrue(actions > 0 && actions < settings && settings < commandLine && commandLine < more,
        help);
    for (OptionKey k : OptionKey.values()) {
      int at = help.indexOf("\n  --" + k.longName + (k.takesValue() ? " " + k.valueName : ""));
      int sectionStart = k.kind == OptionKey.Kind.ACTION ? actions
          : k.kind == OptionKey.Kind.ENDPOINT ? settings : commandLine;
      int sectionEnd = k.kind == OptionKey.Kind.ACTION ? settings
          : k.kind == OptionKey.Kind.ENDPOINT ? commandLine : more;
      assertTrue(at > sectionStart && at < sectionEnd, k.longName + " in its section");
    }
  }

  @Test
  void helpListsEveryOption() {
    String[] r = plain("--help");
    assertEquals("0", r[0]);
    for (OptionKey k : OptionKey.values()) {
      assertTrue(r[1].contains("--" + k.longName), k.longName);
    }
  }

  @Test
  void versionIsPrinted() {
    String[] r = plain("--version");
    assertEquals("0", r[0]);
    assertTrue(r[1].startsWith("pipecgi "), r[1]);
  }

  @Test
  void checkPassesForAGoodConfiguration() throws Exception {
    String[] r = plain("--check", "--config", config("command = cat -u\ntimeout = 2.5\n").toString());
    assertEquals("0", r[0]);
    assertEquals(
        "pipecgi: ok: svc runs /usr/bin/cat (body output, methods GET,HEAD,POST, timeout 2.5 s)\n",
        r[1]);
  }

  @Test
  void checkFailsForAMissingProgram() throws Exception {
    String[] r = plain("--check", "--command", dir + "/nope");
    assertEquals("1", r[0]);
    assertEquals("pipecgi: error: --command: " + dir + "/nope: no such file\n", r[1]);
  }

  @Test
  void checkFailsForAProgramThatIsNotExecutable() throws Exception {
    Path p = Files.writeString(dir.resolve("svc.sh"), "#!/bin/sh\n");
    String[] r = plain("--check", "--command", p.toString());
    assertEquals("pipecgi: error: --command: " + p + ": not executable (chmod +x)\n", r[1]);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"program", "config"})
  void checkFailsForAFileEveryUserMayChange(String which) throws Exception {
    Path program = Files.writeString(dir.resolve("svc.sh"), "#!/bin/sh\n");
    Path conf = config("command = " + program + "\n");
    Path writable = which.equals("program") ? program : conf;
    Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(writable, PosixFilePermissions.fromString("rwxrwxrwx"));
    String[] r = plain("--check", "--config", conf.toString());
    assertEquals("1", r[0]);
    assertEquals("pipecgi: error: " + (which.equals("program")
        ? conf + " line 1: command: " + program + ": writable by its group or by others (chmod go-w)\n"
        : conf + ": writable by every user (chmod o-w)\n"), r[1]);
  }

  @Test
  void checkReportsABadConfigurationWithItsLine() throws Exception {
    String[] r = plain("--check", "--config", config("command = cat\ntimeout = soon\n").toString());
    assertEquals("1", r[0]);
    assertTrue(r[1].startsWith("pipecgi: error: " + dir.resolve("svc.conf") + " line 2: timeout: 'soon'"), r[1]);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"--bogus", "--timeout=x", "--config=/no/such.conf", "stray"})
  void aBadConfigurationIs500WithOneLogLineAndNoDetailForTheClient(String arg) {
    Cgi.Result r = Cgi.run(Cgi.env("GET"), new byte[0], "--command", "cat", arg).assertFramed();
    assertEquals(ExitStatus.BAD_CONFIGURATION, r.exit);
    assertEquals(500, r.status);
    assertEquals("500 Internal Server Error\n", r.bodyText());
    List<String> log = r.logLines();
    assertEquals(1, log.size(), r.log);
    assertTrue(log.get(0).startsWith("pipecgi: 500 Internal Server Error: bad configuration: "), log.get(0));
  }

  /** Each kind of problem --check finds: the configuration text, then what follows its place. */
  static Stream<Arguments> checkProblems() {
    return Stream.of(
        arguments("a missing program", "command = /usr/bin/no-such-program\n",
            " line 1: command: /usr/bin/no-such-program: no such file"),
        arguments("a program not on the safe PATH", "# svc\ncommand = no-such-program -x\n",
            " line 2: command: no-such-program: not found in "),
        arguments("a program that is not executable", "command = ./data.txt\n",
            " line 1: command: DIR/./data.txt: not executable (chmod +x)"),
        arguments("a directory as the program", "command = /tmp\n",
            " line 1: command: /tmp: not a regular file"),
        arguments("a bad value", "command = cat\ntimeout = soon\n",
            " line 2: timeout: 'soon' is not a number of seconds"),
        arguments("an unknown key", "command = cat\ntimout = 5\n",
            " line 2: unknown key 'timout'"),
        arguments("a key given twice", "command = cat\ncommand = wc\n",
            " line 2: 'command' is set twice"),
        arguments("a command-line option in the file", "command = cat\nhttp = 8080\n",
            " line 2: 'http' can only be given on the command line"),
        arguments("no command", "timeout = 5\n", ": no 'command = ...' line"),
        arguments("a session endpoint alone", "command = cat\n\nsession = line\n",
            " line 3: session: a session endpoint (session = line) needs the warm gateway"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("checkProblems")
  void everyCheckProblemNamesTheConfigurationFileAndLine(String kind, String text, String said)
      throws Exception {
    Files.writeString(dir.resolve("data.txt"), "not a program\n");
    Path conf = config(text);
    String[] r = plain("--check", "--config", conf.toString());
    assertEquals("1", r[0], r[1]);
    String expected = "pipecgi: error: " + conf + said.replace("DIR", dir.toString());
    assertTrue(r[1].startsWith(expected), "expected " + expected + "\ngot " + r[1]);
    assertEquals(1, r[1].split("\n").length, r[1]);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("checkProblems")
  void everyCheckProblemInADirectoryNamesTheConfigurationFileAndLine(String kind, String text,
      String said) throws Exception {
    Files.writeString(dir.resolve("data.txt"), "not a program\n");
    Path conf = config(text);
    String[] r = plain("--check", "--dir", dir.toString());
    if (kind.equals("a session endpoint alone")) {
      assertEquals("0", r[0], "a directory's sessions run under --http or --fastcgi: " + r[1]);
      return;
    }
    assertEquals("1", r[0], r[1]);
    String expected = "pipecgi: error: " + conf + said.replace("DIR", dir.toString());
    assertTrue(r[1].startsWith(expected), "expected " + expected + "\ngot " + r[1]);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "--bogus | Unrecognized option: --bogus (see --help)",
      "--command cat --bogus | Unrecognized option: --bogus (see --help)",
      "--command | Missing argument for option: command (see --help)",
      "stray | unexpected argument 'stray': pipecgi takes options only",
      "--command cat --timeout=x | --timeout: 'x' is not a number of seconds",
      "--config=/no/such.conf | cannot read configuration file /no/such.conf",
      "--check --bogus | Unrecognized option: --bogus (see --help)",
      "--check --http 8080 | --check and --http cannot be given together"})
  void aBadCommandLineFromAShellIsOneUsageLineOnStderrAndExit2(String args, String said) {
    String[] r = plain(args.split(" "));
    assertEquals(Integer.toString(ExitStatus.BAD_CONFIGURATION), r[0]);
    assertEquals("", r[1], "nothing on stdout, no CGI response");
    assertTrue(r[2].startsWith("pipecgi: error: " + said), r[2]);
    assertTrue(r[2].endsWith("\n") && r[2].indexOf('\n') == r[2].length() - 1, r[2]);
  }

  @Test
  void checkSaysThatASessionEndpointNeedsAGateway() throws Exception {
    String[] r = plain("--check", "--config", config("command = cat\nsession = line\n")
        .toString());
    assertEquals("1", r[0]);
    assertEquals("pipecgi: error: " + dir.resolve("svc.conf") + " line 2: session: a session"
        + " endpoint (session = line) needs the warm gateway"
        + " (--http) or a FastCGI application on a socket of its own (--fastcgi ADDRESS): one"
        + " process that keeps its sessions' services running between requests\n", r[1]);
  }

  @Test
  void checkOfADirectoryPassesASessionEndpointAndSaysWhereItRuns() throws Exception {
    config("command = cat\nsession = line\n");
    String[] r = plain("--check", "--dir", dir.toString());
    assertEquals("0", r[0], r[1]);
    assertEquals("pipecgi: ok: svc runs /usr/bin/cat (body output, methods GET,HEAD,POST, timeout"
        + " 30 s; a session endpoint, for --http or --fastcgi ADDRESS only)\n", r[1]);
  }

  @Test
  void aSessionEndpointRunAsACgiProgramIs500WithALogLineThatSaysWhatItNeeds() throws Exception {
    Path conf = config("command = cat\nsession = line\n");
    Cgi.Result r = Cgi.run(Cgi.env("POST"), "hello".getBytes(StandardCharsets.UTF_8),
        "--config", conf.toString()).assertFramed();
    assertEquals(500, r.status);
    assertEquals("500 Internal Server Error\n", r.bodyText());
    assertEquals(List.of("pipecgi[svc]: 500 Internal Server Error: a session endpoint (session ="
        + " line) needs the warm gateway (--http) or a FastCGI application on a socket of its own"
        + " (--fastcgi ADDRESS): one process that keeps its sessions' services running between"
        + " requests"), r.logLines());
  }

  @Test
  void fromAShellWithoutACgiEnvironmentItSaysHowToTryIt() {
    Cgi.Result r = Cgi.run(Map.of(), new byte[0], "--command", "cat");
    assertEquals(500, r.status);
    assertTrue(r.log.contains("use test-fixtures/run"), r.log);
  }

  /**
   * An answer given without reading the body (405, 413, 400, 500) still reads the rest of stdin:
   * a CGI program that exits with input unread makes Apache cut the response or the connection.
   */
  @ParameterizedTest
  @CsvSource({
      "PUT, 5000, --command /bin/cat, 405",
      "POST, 5000, --command /bin/cat --max-request-bytes 1K, 413",
      "POST, +5000, --command /bin/cat, 400",
      "POST, 5000, --timeout never, 500"})
  void anEarlyAnswerStillReadsTheWholeBody(String method, String length, String args, int status) {
    java.io.ByteArrayInputStream body = new java.io.ByteArrayInputStream(new byte[5000]);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    Map<String, String> env = Cgi.env(method, "CONTENT_LENGTH", length);
    new Main(env, body, out, new java.io.ByteArrayOutputStream()).run(args.split(" "));
    assertEquals(status, new Cgi.Result(0, out.toByteArray(), "").status);
    assertEquals(0, body.available(), "left unread");
  }

  @Test
  void fromATerminalABadConfigurationDoesNotWaitForInput() {
    java.io.ByteArrayInputStream stdin = new java.io.ByteArrayInputStream(new byte[100]);
    new Main(Map.of(), stdin, new java.io.ByteArrayOutputStream(),
        new java.io.ByteArrayOutputStream()).run(new String[] {"--timeout", "never"});
    assertEquals(100, stdin.available());
  }
}
