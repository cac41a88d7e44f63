package pipecgi.core;

import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The validated settings of one endpoint, from its configuration file and the command line.
 * Building one checks every value, so the rest of the program never sees a bad one.
 */
public final class EndpointConfig {
  /** The environment variable naming the configuration file when --config is not given. */
  public static final String CONFIG_VARIABLE = "PIPECGI_CONF";

  private static final long MIB = 1024 * 1024;
  private static final long MAX_TIMEOUT_SECONDS = 24 * 3600;

  final File configFile;
  final String name;
  final List<String> command;
  final boolean cgiOutput;
  final String contentType;
  final long timeoutMillis;
  final long maxRequestBytes;
  final long maxResponseBytes;
  final int memoryBufferBytes;
  final List<String> methods;
  /** The allowed cross-origin requester, or null for none. */
  final String corsOrigin;
  final List<String> passEnv;
  /** The service's working directory, or null to keep pipecgi's own. */
  final File workdir;
  /** Whether this is a session endpoint (session = line). */
  final boolean session;
  final long sessionIdleMillis;
  final int maxSessions;
  final long maxQueuedBytes;
  /** Where each given setting was given ("echo.conf line 3: timeout", "--timeout"). */
  private final Map<OptionKey, String> places = new EnumMap<>(OptionKey.class);

  /**
   * Reads the configuration file that {@code given} names (--config), or else {@code
   * PIPECGI_CONF} in {@code env}, then applies the endpoint settings of {@code given}, which win.
   */
  public static EndpointConfig read(Map<OptionKey, Setting> given, Map<String, String> env)
      throws UsageException {
    File config = configFile(given.get(OptionKey.CONFIG), env.get(CONFIG_VARIABLE));
    Map<OptionKey, Setting> settings =
        config == null ? new EnumMap<>(OptionKey.class) : ConfigFile.read(config);
    for (Map.Entry<OptionKey, Setting> e : given.entrySet()) {
      if (e.getKey().kind == OptionKey.Kind.ENDPOINT) {
        settings.put(e.getKey(), e.getValue());
      }
    }
    return new EndpointConfig(config, settings);
  }

  /** Reads one configuration file, with nothing from the command line. */
  public static EndpointConfig read(File config) throws UsageException {
    return new EndpointConfig(config, ConfigFile.read(config));
  }

  private static File configFile(Setting option, String variable) {
    if (option != null) {
      return option.path();
    }
    return variable == null || variable.isEmpty() ? null : new File(variable);
  }

  private EndpointConfig(File configFile, Map<OptionKey, Setting> s) throws UsageException {
    this.configFile = configFile;
    for (Map.Entry<OptionKey, Setting> e : s.entrySet()) {
      places.put(e.getKey(), e.getValue().where);
    }
    Setting commandValue = s.get(OptionKey.COMMAND);
    if (commandValue == null) {
      throw new UsageException(
          configFile == null
              ? "no command: give --command, or a configuration file (--config, or "
                  + CONFIG_VARIABLE
                  + ") with a 'command = ...' line"
              : configFile.getPath() + ": no 'command = ...' line");
    }
    this.command = command(commandValue);
    this.name = name(configFile, command);
    this.cgiOutput = output(s.get(OptionKey.OUTPUT));
    this.contentType = contentType(s.get(OptionKey.CONTENT_TYPE));
    Setting timeout = s.get(OptionKey.TIMEOUT);
    this.timeoutMillis = timeout == null ? 30_000 : timeout.millis(MAX_TIMEOUT_SECONDS);
    this.maxRequestBytes = bytes(s.get(OptionKey.MAX_REQUEST_BYTES), 10 * MIB, Long.MAX_VALUE);
    this.maxResponseBytes = bytes(s.get(OptionKey.MAX_RESPONSE_BYTES), 100 * MIB, Long.MAX_VALUE);
    this.memoryBufferBytes = (int) bytes(s.get(OptionKey.MEMORY_BUFFER_BYTES), MIB, 1024 * MIB);
    this.methods = methods(s.get(OptionKey.METHODS));
    this.corsOrigin = corsOrigin(s.get(OptionKey.CORS_ORIGIN));
    this.passEnv = passEnv(s.get(OptionKey.PASS_ENV));
    this.workdir = workdir(s.get(OptionKey.WORKDIR), configFile);
    this.session = session(s);
    Setting idle = s.get(OptionKey.SESSION_IDLE);
    this.sessionIdleMillis = idle == null ? 60_000 : idle.millis(MAX_TIMEOUT_SECONDS);
    Setting sessions = s.get(OptionKey.MAX_SESSIONS);
    this.maxSessions = sessions == null ? 100 : sessions.count(1, 100_000);
    this.maxQueuedBytes = bytes(s.get(OptionKey.MAX_QUEUED_BYTES), MIB, 1024 * MIB);
  }

  /** session = line, and the session options, which mean nothing without it. */
  private static boolean session(Map<OptionKey, Setting> s) throws UsageException {
    Setting v = s.get(OptionKey.SESSION);
    if (v != null && !v.text.equals("line")) {
      throw v.invalid("is not 'line' (each line of the service's stdin and stdout a message)");
    }
    if (v == null) {
      for (OptionKey k : new OptionKey[] {OptionKey.SESSION_IDLE, OptionKey.MAX_SESSIONS,
          OptionKey.MAX_QUEUED_BYTES}) {
        if (s.containsKey(k)) {
          throw s.get(k).invalid("is a session endpoint's setting: it needs 'session = line'");
        }
      }
    }
    return v != null;
  }

  /**
   * Where {@code key} was given, for a message about its value ("echo.conf line 3: command",
   * "--command"); for a default, the configuration file, or null when there is none.
   */
  String where(OptionKey key) {
    String place = places.get(key);
    return place != null || configFile == null ? place : configFile.getPath();
  }

  /** Whether this is a session endpoint (session = line). */
  public boolean isSession() {
    return session;
  }

  public long sessionIdleMillis() {
    return sessionIdleMillis;
  }

  public int maxSessions() {
    return maxSessions;
  }

  public long maxQueuedBytes() {
    return maxQueuedBytes;
  }

  /** cors-origin: the origin allowed to call the endpoint from a page, or null. */
  public String corsOrigin() {
    return corsOrigin;
  }

  public long maxRequestBytes() {
    return maxRequestBytes;
  }

  /** The endpoint's name: its configuration file's, without .conf; else its program's. */
  public String name() {
    return name;
  }

  /** The timeout in seconds as a person would write it: "30", "2.5". */
  String timeoutText() {
    return timeoutMillis % 1000 == 0
        ? Long.toString(timeoutMillis / 1000)
        : Double.toString(timeoutMillis / 1000.0);
  }

  private static List<String> command(Setting v) throws UsageException {
    List<String> words;
    try {
      words = ShellWords.split(v.text);
    } catch (IllegalArgumentException e) {
      throw v.invalid(e.getMessage());
    }
    String program = words.get(0);
    if (program.indexOf('/') >= 0) {
      words.set(0, Setting.resolve(program, v.base).getPath());
    }
    return Collections.unmodifiableList(words);
  }

  private static String name(File configFile, List<String> command) {
    String path = configFile != null ? configFile.getName() : command.get(0);
    String name = path.substring(path.lastIndexOf('/') + 1);
    name = name.endsWith(".conf") ? name.substring(0, name.length() - 5) : name;
    return name.isEmpty() ? "pipecgi" : name;
  }

  private static boolean output(Setting v) throws UsageException {
    if (v == null || v.text.equals("body")) {
      return false;
    } else if (v.text.equals("cgi")) {
      return true;
    }
    throw v.invalid("is neither 'body' nor 'cgi'");
  }

  private static String contentType(Setting v) throws UsageException {
    if (v == null) {
      return "application/octet-stream";
    }
    String t = v.text;
    int semicolon = t.indexOf(';');
    String mediaType = HttpSyntax.trim(semicolon < 0 ? t : t.substring(0, semicolon));
    int slash = mediaType.indexOf('/');
    boolean valid =
        slash > 0
            && HttpSyntax.isToken(mediaType.substring(0, slash))
            && HttpSyntax.isToken(mediaType.substring(slash + 1))
            && HttpSyntax.isFieldValue(t);
    if (!valid) {
      throw v.invalid("is not a media type like text/plain; charset=utf-8");
    }
    return t;
  }

  private static long bytes(Setting v, long byDefault, long max) throws UsageException {
    return v == null ? byDefault : v.bytes(max);
  }

  private static List<String> methods(Setting v) throws UsageException {
    if (v == null) {
      return List.of("GET", "HEAD", "POST");
    }
    List<String> methods = splitList(v.text);
    for (String m : methods) {
      if (!HttpSyntax.isToken(m)) {
        throw v.invalid("has '" + m + "', which is not a method name");
      }
      if (!m.toUpperCase(Locale.ROOT).equals(m)) {
        throw v.invalid("has '" + m + "': methods are case-sensitive and the standard ones are"
            + " upper case");
      }
    }
    if (methods.isEmpty()) {
      throw v.invalid("names no method");
    }
    return Collections.unmodifiableList(methods);
  }

  private static String corsOrigin(Setting v) throws UsageException {
    if (v == null) {
      return null;
    }
    if (!v.text.equals("*") && !isOrigin(v.text)) {
      throw v.invalid("is not * or an origin like https://example.org (scheme, lower-case host"
          + " and optional port, no path)");
    }
    return v.text;
  }

  private static boolean isOrigin(String s) {
    int hostStart = s.startsWith("https://") ? 8 : s.startsWith("http://") ? 7 : -1;
    if (hostStart < 0 || hostStart == s.length()) {
      return false;
    }
    int colon = s.lastIndexOf(':');
    boolean hasPort = colon >= hostStart && s.lastIndexOf(']') < colon;
    String host = hasPort ? s.substring(hostStart, colon) : s.substring(hostStart);
    if (hasPort) {
      long port = Setting.digits(s.substring(colon + 1));
      if (port < 1 || port > 65535) {
        return false;
      }
    }
    String allowed = host.startsWith("[") && host.endsWith("]") ? "0123456789abcdef:.[]"
        : "abcdefghijklmnopqrstuvwxyz0123456789.-";
    for (int i = 0; i < host.length(); i++) {
      if (allowed.indexOf(host.charAt(i)) < 0) {
        return false;
      }
    }
    return !host.isEmpty();
  }

  private static List<String> passEnv(Setting v) throws UsageException {
    if (v == null) {
      return List.of();
    }
    List<String> names = splitList(v.text);
    for (String name : names) {
      if (!ShellWords.isName(name)) {
        throw v.invalid("has '" + name + "', which is not a variable name");
      }
      if (name.equals("HTTP_PROXY")) {
        throw v.invalid("has HTTP_PROXY, which is the client's Proxy header (httpoxy) and is"
            + " never passed");
      }
    }
    return Collections.unmodifiableList(names);
  }

  private static File workdir(Setting v, File configFile) throws UsageException {
    if (v == null) {
      return configFile == null ? null : configFile.getAbsoluteFile().getParentFile();
    }
    File dir = v.path();
    if (!dir.isDirectory()) {
      throw v.invalid("is not a directory");
    }
    return dir;
  }

  /** Splits a list written with commas, spaces or both. */
  static List<String> splitList(String text) {
    List<String> items = new ArrayList<>();
    int start = -1;
    for (int i = 0; i <= text.length(); i++) {
      boolean separator = i == text.length() || text.charAt(i) == ',' || text.charAt(i) == ' '
          || text.charAt(i) == '\t';
      if (separator && start >= 0) {
        items.add(text.substring(start, i));
        start = -1;
      } else if (!separator && start < 0) {
        start = i;
      }
    }
    return items;
  }
}
