package pipecgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import pipecgi.core.ExitStatus;

/**
 * java -jar pipecgi.jar with a bad command line, as a real process: a person at a terminal gets a
 * usage line, a web server a valid 500.
 */
class CommandLineIT {
  private static final String JAR = Launch.CGI_BIN.resolve("pipecgi.jar").toString();
  private static final String JAVA =
      Path.of(System.getProperty("java.home"), "bin", "java").toString();

  @Test
  void aBadCommandLineAtATerminalIsAUsageLineEvenWithARequestInTheEnvironment() {
    // script(1) runs the command on a pseudo-terminal: its stdout is a terminal, as a person's.
    Launch.Result r = Launch.of("script", "-q", "-e", "-c", JAVA + " -jar " + JAR + " --bogus",
        "/dev/null").cgi("GET").run();
    assertEquals(ExitStatus.BAD_CONFIGURATION, r.exit, r.outText() + r.err);
    // The terminal shows stdout and stderr alike, with its own line end.
    assertEquals("pipecgi: error: Unrecognized option: --bogus (see --help)\r\n", r.outText());
  }

  @Test
  void aBadCommandLineFromAShellIsAUsageLineOnStderr() {
    Launch.Result r = Launch.of(JAVA, "-jar", JAR, "--bogus").run();
    assertEquals(ExitStatus.BAD_CONFIGURATION, r.exit);
    assertEquals("", r.outText());
    assertEquals("pipecgi: error: Unrecognized option: --bogus (see --help)\n", r.err);
  }

  @Test
  void aBadCommandLineUnderAWebServerIsAValid500() {
    Launch.Result r = Launch.of(JAVA, "-jar", JAR, "--bogus").cgi("GET").run();
    Cgi.Result cgi = r.cgi().assertFramed();
    assertEquals(ExitStatus.BAD_CONFIGURATION, r.exit);
    assertEquals(500, cgi.status);
    assertTrue(r.err.startsWith("pipecgi: 500 Internal Server Error: bad configuration:"
        + " Unrecognized option: --bogus"), r.err);
  }
}
