package pipecgi;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Apache without {@code SetEnv ap_trust_cgilike_cl 1}: it drops pipecgi's Content-Length, sends
 * HTTP/1.1 responses chunked and closes HTTP/1.0 keep-alive connections, and --self-test says so
 * with the fix. Only the tests of {@link ServerTests}: in everything else this is the same Apache
 * as {@link ServersIT}'s.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"apache-event-untrusted", "apache-prefork-untrusted"})
@Timeout(300)
class UntrustedApacheIT extends ServerTests {
  UntrustedApacheIT(String server) {
    super(server);
  }

  @BeforeParameterizedClassInvocation
  static void start(String server) throws Exception {
    startServer(server);
  }

  @AfterParameterizedClassInvocation
  static void stop() throws Exception {
    stopServer();
  }

  @Override
  boolean trusted() {
    return false;
  }
}
