package pipecgi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Services that misbehave, each as a real process: pipecgi answers, and nothing is left. */
class ServiceFaultsTest {
  private static final byte[] BIG = new byte[8 << 20];

  private static Cgi.Result post(byte[] body, String... args) {
    return Cgi.run(Cgi.post(body), body, args).assertFramed();
  }

  @Test
  void aServiceThatClosesStdinEarlyWhileALargeBodyIsWrittenIsAnswered() {
    Arrays.fill(BIG, (byte) 'a');
    Cgi.Result r = post(BIG, "--max-request-bytes", "16M", "--command",
        "sh -c 'head -c 10; exec 0<&-; sleep 0.2; echo done'");
    assertEquals(200, r.status);
    assertEquals("aaaaaaaaaadone\n", r.bodyText());
  }

  @Test
  void aServiceThatExitsBeforeReadingAnythingIsAnswered() {
    Cgi.Result r = post(BIG, "--max-request-bytes", "16M", "--command", "/bin/true");
    assertEquals(200, r.status);
    assertEquals(0, r.body.length);
  }

  @ParameterizedTest(name = "[{index}] signal {0}")
  @CsvSource({"KILL,9", "TERM,15", "SEGV,11", "ABRT,6"})
  void aServiceKilledByASignalIs502NamingTheSignal(String signal, int number) {
    Cgi.Result r = post(Cgi.bytes("x"), "--command", "sh -c 'echo partial; kill -" + signal
        + " $$'");
    assertEquals(502, r.status);
    assertEquals("502 Bad Gateway\n", r.bodyText(), "no partial body");
    assertEquals(List.of("pipecgi[sh]: 502 Bad Gateway: the service was killed by signal " + number
        + " (or exited with status " + (128 + number) + ")"), r.logLines());
  }

  @Test
  void aServiceThatWritesForeverIsStoppedAtTheCap() {
    Cgi.Result r = post(Cgi.bytes("x"), "--max-response-bytes", "1M", "--command",
        "/bin/cat /dev/zero");
    assertEquals(502, r.status);
    assertTrue(r.log.contains("wrote more than max-response-bytes (1048576)"), r.log);
  }

  @Test
  void aServiceThatWritesSlowlyForeverIsStoppedAtTheTimeLimit() throws Exception {
    String marker = Processes.uniqueSleep();
    Cgi.Result r = post(Cgi.bytes("x"), "--timeout", "1", "--command",
        "sh -c 'sleep " + marker + " & while :; do echo x; sleep 0.1; done'");
    assertEquals(504, r.status);
    assertEquals("504 Gateway Timeout\n", r.bodyText(), "no partial body");
    assertEquals(List.of(), Processes.awaitGone(marker));
  }

  @ParameterizedTest(name = "[{index}] {0} output")
  @CsvSource({"body,200", "cgi,502"})
  void aServiceThatPrintsNothingIsAnEmptyBodyOrInCgiModeA502(String output, int status) {
    Cgi.Result r = post(Cgi.bytes("x"), "--output", output, "--command", "/bin/true");
    assertEquals(status, r.status);
    if (status == 200) {
      assertArrayEquals(new byte[0], r.body);
    } else {
      assertTrue(r.log.contains("printed nothing"), r.log);
    }
  }
}
