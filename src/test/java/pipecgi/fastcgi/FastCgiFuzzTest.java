package pipecgi.fastcgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import pipecgi.core.GatewayConfig;

/**
 * Coverage-guided fuzzing (Jazzer) of the FastCGI codec and the connection's rules: whatever bytes
 * a peer sends, the connection ends (no hang, no exception), and everything the application wrote
 * back is whole records of the kinds it may send. The endpoint directory is empty, so every
 * request is a 404 and no service runs. `mvn verify` replays the committed seeds.
 */
class FastCgiFuzzTest {
  private static final Set<Integer> ANSWERS = Set.of(Record.STDOUT, Record.STDERR,
      Record.END_REQUEST, Record.GET_VALUES_RESULT, Record.UNKNOWN_TYPE);
  private static FastCgiServer server;

  @BeforeAll
  static void start() throws Exception {
    Path empty = Files.createDirectories(Path.of("target/fuzz-fastcgi").toAbsolutePath());
    server = FastCgiServer.start(GatewayConfig.fastcgi("127.0.0.1:0", empty.toFile()), null,
        null, Map.of(), new ByteArrayOutputStream());
  }

  @AfterAll
  static void stop() {
    server.stop("the fuzzing is over");
  }

  @FuzzTest(maxDuration = "10s")
  void anyBytesAreAnsweredInRecordsOrTheConnectionIsClosed(byte[] input) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FastCgiConnection c = new FastCgiConnection(memory(input, out), server);
    Thread t = new Thread(c, "fuzzed-connection");
    t.start();
    t.join(60_000);
    assertFalse(t.isAlive(), "the connection ended");
    RecordReader written = new RecordReader(new ByteArrayInputStream(out.toByteArray()));
    for (Record r; (r = written.next()) != null; ) {
      assertTrue(ANSWERS.contains(r.type()), Record.name(r.type()));
      if (r.type() == Record.END_REQUEST) {
        assertEquals(8, r.content().length);
      }
    }
  }

  private static FastCgiConnection.Transport memory(byte[] input, OutputStream out) {
    InputStream in = new ByteArrayInputStream(input);
    return new FastCgiConnection.Transport() {
      @Override
      public InputStream in() {
        return in;
      }

      @Override
      public OutputStream out() {
        return out;
      }

      @Override
      public void close() {
        // nothing to release in memory
      }
    };
  }
}
