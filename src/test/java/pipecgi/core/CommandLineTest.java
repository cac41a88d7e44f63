package pipecgi.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.File;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the command line asks for, and what it refuses to mix. */
class CommandLineTest {
  @TempDir Path dir;

  private static CommandLine parse(String... args) throws UsageException {
    return CommandLine.parse(args);
  }

  @Test
  void noArgumentsAnswersACgiRequest() throws Exception {
    assertNull(parse().action);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "--check --self-test http://x/|--check and --self-test cannot be given together",
      "--dir /tmp|--dir goes with --http, --fastcgi or --check only",
      "--quiet|--quiet goes with --http or --fastcgi only",
      "--check --max-concurrent 5|--max-concurrent goes with --http or --fastcgi only",
      "--http 8080 --timeout 5|--timeout is one endpoint's setting: for a directory of endpoints,"
          + " set it in each NAME.conf",
      "--http 8080 --config x.conf|--config is one endpoint's setting: for a directory of"
          + " endpoints, set it in each NAME.conf",
      "--check --dir /tmp --command cat|--command is one endpoint's setting: for a directory of"
          + " endpoints, set it in each NAME.conf",
      "--http 8080 --proxy http://p:3128|--proxy goes with --self-test only",
      "--insecure|--insecure goes with --self-test only",
      "--check --cacert ca.pem|--cacert goes with --self-test only",
      "--self-test https://x/ --insecure --cacert ca.pem|--cacert and --insecure cannot be given"
          + " together: --insecure checks no certificate"})
  void whatDoesNotGoTogetherIsRefused(String args, String message) {
    assertEquals(message, assertThrows(UsageException.class, () -> parse(args.split(" ")))
        .getMessage());
  }

  @Test
  void helpWinsOverEverything() throws Exception {
    assertEquals(OptionKey.HELP, parse("--check", "--help", "--dir", "/x").action);
  }

  @Test
  void aGatewayHasTheDocumentedDefaults() throws Exception {
    GatewayConfig g = parse("--http", "8080").gateway(dir.toFile());
    assertEquals("127.0.0.1:8080", g.address.toString());
    assertEquals(dir.toFile(), g.dir);
    assertEquals("", g.prefix);
    assertNull(g.www);
    assertEquals(false, g.quiet);
    assertEquals(true, g.trustedProxies.isEmpty());
    assertEquals(1000, g.maxConcurrent);
    assertEquals(4000, g.maxConnections);
    assertEquals(30_000, g.idleTimeoutMillis);
    assertEquals(20_000, g.headerTimeoutMillis);
    assertEquals(20_000, g.graceMillis);
  }

  @Test
  void aGatewaysOptionsAreRead() throws Exception {
    File www = dir.toFile();
    GatewayConfig g = parse("--http", "unix:/run/p.sock", "--dir", dir.toString(), "--prefix",
        "/a/b/", "--www", www.toString(), "--quiet", "--max-concurrent", "7",
        "--max-connections", "9", "--idle-timeout", "1.5", "--header-timeout", "2",
        "--grace", "0.25", "--trusted-proxies", "unix").gateway(null);
    assertEquals("unix:/run/p.sock", g.address.toString());
    assertEquals("/a/b", g.prefix);
    assertEquals(www, g.www);
    assertEquals(true, g.quiet);
    assertEquals(true, g.trustedProxies.trustsUnix());
    assertEquals(7, g.maxConcurrent);
    assertEquals(9, g.maxConnections);
    assertEquals(1500, g.idleTimeoutMillis);
    assertEquals(2000, g.headerTimeoutMillis);
    assertEquals(250, g.graceMillis);
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', value = {
      "--http|localhost|--http: 'localhost' is not [HOST:]PORT (like 8080 or 127.0.0.1:8080, 0"
          + " for any free port) or unix:PATH",
      "--http|70000|--http: '70000' is not [HOST:]PORT (like 8080 or 127.0.0.1:8080, 0 for any"
          + " free port) or unix:PATH",
      "--http|unix:|--http: 'unix:' names no socket path (unix:/run/pipecgi/pipecgi.sock)",
      "--prefix|pipecgi|--prefix: 'pipecgi' is not a path like /pipecgi (letters, digits, '-',"
          + " '_' and '.')",
      "--prefix|/a/../b|--prefix: '/a/../b' is not a path like /pipecgi (letters, digits, '-',"
          + " '_' and '.')",
      "--max-concurrent|0|--max-concurrent: '0' is not a whole number from 1 to 1000000",
      "--grace|soon|--grace: 'soon' is not a number of seconds from 0.001 to 86400 (like 30 or"
          + " 2.5)",
      "--trusted-proxies|10.0.0.1, proxy.example|--trusted-proxies: '10.0.0.1, proxy.example'"
          + " has 'proxy.example', which is not an IP address, address/prefix or unix",
      "--trusted-proxies|10.0.0.0/33|--trusted-proxies: '10.0.0.0/33' has '10.0.0.0/33', which"
          + " is not an IP address, address/prefix or unix"})
  void aBadGatewayOptionSaysWhatIsWrong(String option, String value, String message) {
    String[] args = option.equals("--http") ? new String[] {"--http", value}
        : new String[] {"--http", "8080", option, value};
    assertEquals(message, assertThrows(UsageException.class,
        () -> parse(args).gateway(dir.toFile())).getMessage());
  }
}
