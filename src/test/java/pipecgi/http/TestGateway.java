package pipecgi.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import pipecgi.core.GatewayConfig;
import pipecgi.selftest.HttpConnection;

/**
 * A warm gateway in the test's own JVM, on a free loopback port, serving a directory of the given
 * endpoints, with its log kept for the test to read.
 */
public final class TestGateway implements AutoCloseable {
  /** What the gateway's own environment holds: none of it may reach a service unasked. */
  static final Map<String, String> OWN_ENV = Map.of("PATH", "/opt/gateway/bin", "TZ", "Gateway/Own",
      "SECRET_TOKEN", "s3cret", "LANG", "C.UTF-8");

  final Path dir;
  public final HttpGateway gateway;
  private final ByteArrayOutputStream err;

  private TestGateway(Path dir, HttpGateway gateway, ByteArrayOutputStream err) {
    this.dir = dir;
    this.gateway = gateway;
    this.err = err;
  }

  /** Writes NAME.conf for each endpoint in {@code dir}, and serves them with {@code options}. */
  public static TestGateway start(Path dir, Map<String, String> endpoints, String... options)
      throws Exception {
    for (Map.Entry<String, String> e : endpoints.entrySet()) {
      Files.writeString(dir.resolve(e.getKey() + ".conf"), e.getValue());
    }
    List<String> all = new ArrayList<>(List.of(options));
    if (!all.contains("--grace")) {
      all.addAll(List.of("--grace", "5")); // a test that stops with requests running ends soon
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    GatewayConfig config = GatewayConfig.of(address(options), dir.toFile(), without(all));
    return new TestGateway(dir, HttpGateway.start(config, OWN_ENV, err), err);
  }

  /** A test may give its own address as "--at ADDRESS"; else any free loopback port. */
  private static String address(String[] options) {
    for (int i = 0; i + 1 < options.length; i++) {
      if (options[i].equals("--at")) {
        return options[i + 1];
      }
    }
    return "127.0.0.1:0";
  }

  private static String[] without(List<String> options) {
    List<String> rest = new ArrayList<>(options);
    int at = rest.indexOf("--at");
    if (at >= 0) {
      rest.remove(at + 1);
      rest.remove(at);
    }
    return rest.toArray(new String[0]);
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + gateway.port() + path);
  }

  HttpConnection connect() throws IOException {
    return new HttpConnection(uri("/"), 120_000);
  }

  /** One request on a connection of its own. */
  HttpConnection.Reply request(String method, String path, byte[] body) throws IOException {
    try (HttpConnection c = connect()) {
      c.send(HttpConnection.request(method, uri(path), "HTTP/1.1", body, false));
      return c.read(method);
    }
  }

  /** Everything the gateway has logged so far. */
  String log() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** The log lines that start with {@code prefix}, such as "pipecgi[echo]: 5". */
  List<String> logLines(String prefix) {
    return log().lines().filter(l -> l.startsWith(prefix)).toList();
  }

  @Override
  public void close() {
    gateway.stop("the test is over");
  }
}
