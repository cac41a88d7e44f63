package pipecgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * apache-conf/pipecgi.service, the systemd unit of the warm gateway: it runs as a user of its own
 * with the usual hardening, and systemd reads it without a complaint where systemd-analyze is.
 */
class ServiceUnitTest {
  private static final Path UNIT = Path.of("apache-conf/pipecgi.service");

  @Test
  void theGatewayRunsAsAUserOfItsOwnWithTheUsualHardening() throws Exception {
    List<String> lines = Files.readAllLines(UNIT);
    for (String setting : List.of("User=pipecgi", "NoNewPrivileges=yes", "ProtectSystem=strict",
        "PrivateTmp=yes", "ProtectHome=yes", "Restart=on-failure")) {
      assertTrue(lines.contains(setting), setting);
    }
    String unit = String.join("\n", lines);
    assertTrue(unit.contains("pipecgi.jar \\\n  --http 127.0.0.1:8081"), "ExecStart runs --http");
  }

  @Test
  void systemdReadsItWithoutAComplaint() throws Exception {
    File analyze = new File("/usr/bin/systemd-analyze");
    if (analyze.canExecute()) { // on a machine with systemd; the keys above are checked anyway
      Launch.Result r = Launch.of(analyze.getPath(), "verify", UNIT.toAbsolutePath().toString())
          .run();
      assertEquals("", r.err + r.outText());
      assertEquals(0, r.exit);
    }
  }
}
