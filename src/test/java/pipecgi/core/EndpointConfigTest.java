package pipecgi.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

class EndpointConfigTest {
  @TempDir Path dir;

  private Path config(String text) throws IOException {
    Path f = dir.resolve("svc.conf");
    Files.write(f, text.getBytes(StandardCharsets.UTF_8));
    return f;
  }

  private static EndpointConfig parse(String... args) throws UsageException {
    return CommandLine.parse(args).endpoint(Map.of());
  }

  private String error(String configText) throws IOException {
    Path f = config(configText);
    return assertThrows(UsageException.class, () -> parse("--config", f.toString()))
        .getMessage();
  }

  @Test
  void configKeysAreTheLongOptionNames() throws Exception {
    Files.createDirectory(dir.resolve("work"));
    Path f =
        config(
            "command = /bin/cat -u\n"
                + "output = cgi\n"
                + "content-type = text/plain; charset=utf-8\n"
                + "timeout = 2.5\n"
                + "max-request-bytes = 2K\n"
                + "max-response-bytes = 3M\n"
                + "memory-buffer-bytes = 1G\n"
                + "methods = GET, POST PUT\n"
                + "cors-origin = https://example.org:8443\n"
                + "pass-env = TZ,LANG\n"
                + "workdir = work\n");
    EndpointConfig o = parse("--config", f.toString());
    assertEquals(List.of("/bin/cat", "-u"), o.command);
    assertTrue(o.cgiOutput);
    assertEquals("text/plain; charset=utf-8", o.contentType);
    assertEquals(2500, o.timeoutMillis);
    assertEquals(2048, o.maxRequestBytes);
    assertEquals(3 << 20, o.maxResponseBytes);
    assertEquals(1 << 30, o.memoryBufferBytes);
    assertEquals(List.of("GET", "POST", "PUT"), o.methods);
    assertEquals("https://example.org:8443", o.corsOrigin);
    assertEquals(List.of("TZ", "LANG"), o.passEnv);
    assertEquals(dir.resolve("work").toFile(), o.workdir);
    assertEquals("svc", o.name);
  }

  @Test
  void defaultsAreTheDocumentedOnes() throws Exception {
    EndpointConfig o = parse("--command", "cat");
    assertEquals(false, o.cgiOutput);
    assertEquals("application/octet-stream", o.contentType);
    assertEquals(30_000, o.timeoutMillis);
    assertEquals(10 << 20, o.maxRequestBytes);
    assertEquals(100 << 20, o.maxResponseBytes);
    assertEquals(1 << 20, o.memoryBufferBytes);
    assertEquals(List.of("GET", "HEAD", "POST"), o.methods);
    assertNull(o.corsOrigin);
    assertEquals(List.of(), o.passEnv);
    assertNull(o.workdir);
    assertEquals("cat", o.name);
  }

  @Test
  void aSessionEndpointsDefaultsAreTheDocumentedOnes() throws Exception {
    EndpointConfig o = parse("--config", config("command = cat\nsession = line\n").toString());
    assertTrue(o.isSession());
    assertEquals(60_000, o.sessionIdleMillis());
    assertEquals(100, o.maxSessions());
    assertEquals(1 << 20, o.maxQueuedBytes());
    assertFalse(parse("--command", "cat").isSession());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"session-idle = 5", "max-sessions = 3", "max-queued-bytes = 2M"})
  void aSessionSettingWithoutSessionLineIsAnError(String line) throws Exception {
    String message = error("command = cat\n" + line + "\n");
    assertTrue(message.endsWith("is a session endpoint's setting: it needs 'session = line'"),
        message);
  }

  @Test
  void commentsBlankLinesCrlfAndByteOrderMarkAreAccepted() throws Exception {
    Path f = config("\uFEFF# a comment\r\n\r\n   # indented comment\r\ncommand = printf a#b\r\n");
    assertEquals(List.of("printf", "a#b"), parse("--config", f.toString()).command);
  }

  @Test
  void unknownKeyIsAnErrorNamingFileAndLine() throws Exception {
    String message = error("command = cat\n\ncomand = cat\n");
    assertEquals(dir.resolve("svc.conf") + " line 3: unknown key 'comand'", message);
  }

  @ParameterizedTest(name = "[{index}] {0} = {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "output|html",
        "content-type|text",
        "content-type|'text/plain\u0001'",
        "timeout|abc",
        "timeout|0",
        "timeout|-1",
        "timeout|+5",
        "timeout|1.2345",
        "timeout|86401",
        "timeout|''",
        "max-request-bytes|ten",
        "max-request-bytes|-1",
        "max-request-bytes|1.5M",
        "max-request-bytes|10T",
        "max-response-bytes|99999999999999999999",
        "memory-buffer-bytes|2G",
        "methods|GET,,B@D",
        "methods|get",
        "methods|,",
        "cors-origin|example.org",
        "cors-origin|https://example.org/",
        "cors-origin|https://Example.org",
        "cors-origin|null",
        "cors-origin|https://example.org:99999",
        "pass-env|1BAD",
        "pass-env|HTTP_PROXY",
        "workdir|no-such-directory",
        "command|cat > out",
        "session|lines",
        "session|json",
        "max-sessions|0",
        "max-sessions|many",
        "session-idle|0",
        "session-idle|forever",
        "max-queued-bytes|2G",
      })
  void badValueIsAnErrorNamingFileLineAndKey(String key, String value) throws Exception {
    String others = (key.equals("command") ? "" : "command = cat\n")
        + (key.startsWith("session") ? "" : "session = line\n");
    String message = error("# line 1\n" + key + " = " + value + "\n" + others);
    String where = dir.resolve("svc.conf") + " line 2: " + key + ": '" + value + "' ";
    assertTrue(message.startsWith(where), message);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {
      "just words", "check = 1", "config = other.conf", "help = yes", "self-test = http://x/"})
  void linesThatAreNotSettingsAreErrors(String line) throws Exception {
    String message = error("command = cat\n" + line + "\n");
    assertTrue(message.startsWith(dir.resolve("svc.conf") + " line 2: "), message);
  }

  @Test
  void keySetTwiceIsAnError() throws Exception {
    assertTrue(error("command = cat\ncommand = wc\n").endsWith("line 2: 'command' is set twice"));
  }

  @Test
  void missingCommandIsAnError() throws Exception {
    assertTrue(error("timeout = 5\n").endsWith("no 'command = ...' line"));
    assertTrue(
        assertThrows(UsageException.class, () -> parse()).getMessage().startsWith("no command"));
  }

  @Test
  void unreadableConfigIsAnError() {
    String message =
        assertThrows(UsageException.class, () -> parse("--config", dir + "/missing.conf"))
            .getMessage();
    assertTrue(message.contains("missing.conf"), message);
  }

  @Test
  void commandLineWinsOverTheConfigFile() throws Exception {
    Path f = config("command = cat\ntimeout = 5\n");
    EndpointConfig o = parse("--config", f.toString(), "--timeout", "7", "--command", "wc -l");
    assertEquals(7000, o.timeoutMillis);
    assertEquals(List.of("wc", "-l"), o.command);
  }

  @Test
  void pipecgiConfNamesTheConfigFileWhenNoConfigOptionIsGiven() throws Exception {
    Path f = config("command = wc\n");
    EndpointConfig o = CommandLine.parse(new String[0]).endpoint(Map.of("PIPECGI_CONF", f.toString()));
    assertEquals(List.of("wc"), o.command);
    assertEquals(f.toFile(), o.configFile);
    Path other = dir.resolve("other.conf");
    Files.writeString(other, "command = cat\n");
    EndpointConfig winner =
        CommandLine.parse(new String[] {"--config", other.toString()}).endpoint(Map.of("PIPECGI_CONF", f.toString()));
    assertEquals(List.of("cat"), winner.command);
  }

  @Test
  void relativePathsInAConfigFileAreRelativeToIt() throws Exception {
    Files.createDirectory(dir.resolve("data"));
    Path f = config("command = bin/svc --flag\nworkdir = data\n");
    EndpointConfig o = parse("--config", f.toString());
    assertEquals(new File(dir.toFile(), "bin/svc").getPath(), o.command.get(0));
    assertEquals(new File(dir.toFile(), "data"), o.workdir);
  }

  @Test
  void workdirDefaultsToTheConfigFilesDirectory() throws Exception {
    assertEquals(dir.toFile(), parse("--config", config("command = pwd\n").toString()).workdir);
  }

  @ParameterizedTest(name = "[{index}] {0} = {1} bytes")
  @CsvSource({"0,0", "123,123", "2k,2048", "2K,2048", "3M,3145728", "1G,1073741824"})
  void sizesTakeBinarySuffixes(String text, long bytes) throws Exception {
    assertEquals(bytes, parse("--command", "cat", "--max-request-bytes", text).maxRequestBytes);
  }

  @ParameterizedTest(name = "[{index}] {0} s = {1} ms")
  @CsvSource({"1,1000", "0.5,500", "2.25,2250", ".1,100", "86400,86400000"})
  void timeoutIsSecondsWithUpToThreeDecimals(String text, long millis) throws Exception {
    assertEquals(millis, parse("--command", "cat", "--timeout", text).timeoutMillis);
  }

  static Stream<Arguments> badCommandLines() {
    return Stream.of(
        arguments(List.of("--command", "cat", "--bogus"), "Unrecognized option: --bogus"),
        arguments(List.of("--comm", "cat"), "Unrecognized option: --comm"),
        arguments(List.of("--command", "cat", "extra"), "unexpected argument 'extra'"),
        arguments(List.of("--command", "cat", "-Xmx1m"), "Unrecognized option: -Xmx1m"),
        arguments(List.of("--command", "cat", "--command", "wc"), "--command is given twice"),
        arguments(List.of("--command"), "Missing argument for option: command"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("badCommandLines")
  void badCommandLinesAreRefused(List<String> args, String message) {
    UsageException e =
        assertThrows(UsageException.class, () -> parse(args.toArray(new String[0])));
    assertTrue(e.getMessage().startsWith(message), e.getMessage());
  }

  @Test
  void optionValuesKeepTheirQuotes() throws Exception {
    // commons-cli strips surrounding double quotes unless told not to.
    assertEquals(List.of("/opt/my prog"), parse("--command", "\"/opt/my prog\"").command);
    assertEquals(5000, parse("--command=cat", "--timeout=5").timeoutMillis);
  }

  @Test
  void helpAndVersionNeedNoCommand() throws Exception {
    assertEquals(OptionKey.HELP, CommandLine.parse(new String[] {"--help"}).action);
    assertEquals(OptionKey.VERSION, CommandLine.parse(new String[] {"--version"}).action);
  }
}
