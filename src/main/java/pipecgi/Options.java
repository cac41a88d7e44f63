package pipecgi;

import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The validated settings of one endpoint, from the command line and the configuration file.
 * Building one checks every value, so the rest of the program never sees a bad one.
 */
final class Options {
  /** The environment variable naming the configuration file when --config is not given. */
  static final String CONFIG_VARIABLE = "PIPECGI_CONF";

  private static final long KIB = 1024;
  private static final long MIB = 1024 * KIB;
  private static final long GIB = 1024 * MIB;
  private static final long MAX_TIMEOUT_MILLIS = 24 * 3600 * 1000L;

  /** A setting's text and where it came from, for error messages and relative paths. */
  static final class Value {
    final String text;
    /** "echo.conf line 3: timeout" or "--timeout". */
    final String where;
    /** The directory relative paths are resolved against. */
    final File base;

    Value(String text, String where, File base) {
      this.text = text;
      this.where = where;
      this.base = base;
    }
  }

  /** CHECK, HELP or VERSION; null to answer a request. */
  final OptionKey action;

  final File configFile;
  final String endpointName;
  final String commandLine;
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
  /** The endpoint --self-test sends its requests to. */
  final String selfTestUrl;

  /**
   * Reads the command line, then the configuration file it names (or {@code PIPECGI_CONF} names).
   * Options on the command line win over the file.
   */
  static Options parse(String[] args, Map<String, String> env) throws UsageException {
    // commons-cli costs about 20 ms of start-up; the launcher passes no arguments at all.
    Map<OptionKey, Value> given =
        args.length == 0 ? new EnumMap<>(OptionKey.class) : CommandLineArgs.parse(args);
    OptionKey action = null;
    OptionKey[] actions = {
        OptionKey.HELP, OptionKey.VERSION, OptionKey.SELF_TEST, OptionKey.MAKE_ARCHIVE,
        OptionKey.CHECK};
    for (OptionKey k : actions) {
      if (action == null && given.containsKey(k)) {
        action = k;
      }
    }
    if (isStandalone(action)) {
      return new Options(action, null, given);
    }
    File config = configFile(given.get(OptionKey.CONFIG), env.get(CONFIG_VARIABLE));
    Map<OptionKey, Value> settings =
        config == null ? new EnumMap<>(OptionKey.class) : ConfigFile.read(config);
    settings.putAll(given);
    return new Options(action, config, settings);
  }

  private static File configFile(Value option, String variable) {
    if (option != null) {
      return resolve(option.text, option.base);
    }
    return variable == null || variable.isEmpty() ? null : new File(variable);
  }

  private Options(OptionKey action, File configFile, Map<OptionKey, Value> s)
      throws UsageException {
    this.action = action;
    this.configFile = configFile;
    Value commandValue = s.get(OptionKey.COMMAND);
    if (commandValue == null && !isStandalone(action)) {
      throw new UsageException(
          configFile == null
              ? "no command: give --command, or a configuration file (--config, or "
                  + CONFIG_VARIABLE
                  + ") with a 'command = ...' line"
              : configFile.getPath() + ": no 'command = ...' line");
    }
    this.commandLine = commandValue == null ? null : commandValue.text;
    this.command = commandValue == null ? null : command(commandValue);
    this.endpointName = endpointName(configFile, command);
    this.cgiOutput = output(s.get(OptionKey.OUTPUT));
    this.contentType = contentType(s.get(OptionKey.CONTENT_TYPE));
    this.timeoutMillis = timeout(s.get(OptionKey.TIMEOUT));
    this.maxRequestBytes = bytes(s.get(OptionKey.MAX_REQUEST_BYTES), 10 * MIB, Long.MAX_VALUE);
    this.maxResponseBytes = bytes(s.get(OptionKey.MAX_RESPONSE_BYTES), 100 * MIB, Long.MAX_VALUE);
    this.memoryBufferBytes = (int) bytes(s.get(OptionKey.MEMORY_BUFFER_BYTES), MIB, GIB);
    this.methods = methods(s.get(OptionKey.METHODS));
    this.corsOrigin = corsOrigin(s.get(OptionKey.CORS_ORIGIN));
    this.passEnv = passEnv(s.get(OptionKey.PASS_ENV));
    this.workdir = workdir(s.get(OptionKey.WORKDIR), configFile);
    Value selfTest = s.get(OptionKey.SELF_TEST);
    this.selfTestUrl = selfTest == null ? null : selfTest.text;
  }

  /** Actions that need no service configuration. */
  private static boolean isStandalone(OptionKey action) {
    return action == OptionKey.HELP || action == OptionKey.VERSION
        || action == OptionKey.SELF_TEST || action == OptionKey.MAKE_ARCHIVE;
  }

  /** The timeout in seconds as a person would write it: "30", "2.5". */
  String timeoutText() {
    return timeoutMillis % 1000 == 0
        ? Long.toString(timeoutMillis / 1000)
        : Double.toString(timeoutMillis / 1000.0);
  }

  private static List<String> command(Value v) throws UsageException {
    List<String> words;
    try {
      words = ShellWords.split(v.text);
    } catch (IllegalArgumentException e) {
      throw invalid(v, e.getMessage());
    }
    String program = words.get(0);
    if (program.indexOf('/') >= 0) {
      words.set(0, resolve(program, v.base).getPath());
    }
    return Collections.unmodifiableList(words);
  }

  private static String endpointName(File configFile, List<String> command) {
    String path = configFile != null ? configFile.getName() : command != null ? command.get(0) : "";
    String name = path.substring(path.lastIndexOf('/') + 1);
    name = name.endsWith(".conf") ? name.substring(0, name.length() - 5) : name;
    return name.isEmpty() ? "pipecgi" : name;
  }

  private static boolean output(Value v) throws UsageException {
    if (v == null || v.text.equals("body")) {
      return false;
    } else if (v.text.equals("cgi")) {
      return true;
    }
    throw invalid(v, "is neither 'body' nor 'cgi'");
  }

  private static String contentType(Value v) throws UsageException {
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
      throw invalid(v, "is not a media type like text/plain; charset=utf-8");
    }
    return t;
  }

  private static long timeout(Value v) throws UsageException {
    if (v == null) {
      return 30_000;
    }
    String t = v.text;
    int dot = t.indexOf('.');
    String whole = dot < 0 ? t : t.substring(0, dot);
    String fraction = dot < 0 ? "" : t.substring(dot + 1);
    long seconds = whole.isEmpty() ? 0 : digits(whole);
    boolean valid =
        seconds >= 0
            && (dot < 0 || (fraction.length() >= 1 && fraction.length() <= 3))
            && (fraction.isEmpty() || digits(fraction) >= 0)
            && !(whole.isEmpty() && fraction.isEmpty());
    long millis = valid ? seconds * 1000 + (fraction.isEmpty() ? 0 : fractionMillis(fraction)) : -1;
    if (!valid || millis <= 0 || millis > MAX_TIMEOUT_MILLIS) {
      throw invalid(v, "is not a number of seconds from 0.001 to 86400 (like 30 or 2.5)");
    }
    return millis;
  }

  private static long fractionMillis(String fraction) {
    long n = digits(fraction);
    for (int i = fraction.length(); i < 3; i++) {
      n *= 10;
    }
    return n;
  }

  /** Parses a byte count with an optional binary K, M or G suffix. */
  private static long bytes(Value v, long byDefault, long max) throws UsageException {
    if (v == null) {
      return byDefault;
    }
    String t = v.text;
    long unit = 1;
    char last = t.isEmpty() ? ' ' : Character.toUpperCase(t.charAt(t.length() - 1));
    if (last == 'K' || last == 'M' || last == 'G') {
      unit = last == 'K' ? KIB : last == 'M' ? MIB : GIB;
      t = t.substring(0, t.length() - 1);
    }
    long n = digits(t);
    if (n < 0 || n > max / unit) {
      throw invalid(
          v,
          "is not a number of bytes from 0 to "
              + max
              + " (a whole number, optionally followed by K, M or G)");
    }
    return n * unit;
  }

  private static List<String> methods(Value v) throws UsageException {
    if (v == null) {
      return List.of("GET", "HEAD", "POST");
    }
    List<String> methods = splitList(v.text);
    for (String m : methods) {
      if (!HttpSyntax.isToken(m)) {
        throw invalid(v, "has '" + m + "', which is not a method name");
      }
      if (!m.toUpperCase(java.util.Locale.ROOT).equals(m)) {
        throw invalid(v, "has '" + m + "': methods are case-sensitive and the standard ones are"
            + " upper case");
      }
    }
    if (methods.isEmpty()) {
      throw invalid(v, "names no method");
    }
    return Collections.unmodifiableList(methods);
  }

  private static String corsOrigin(Value v) throws UsageException {
    if (v == null) {
      return null;
    }
    if (!v.text.equals("*") && !isOrigin(v.text)) {
      throw invalid(v, "is not * or an origin like https://example.org (scheme, lower-case host"
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
      long port = digits(s.substring(colon + 1));
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

  private static List<String> passEnv(Value v) throws UsageException {
    if (v == null) {
      return List.of();
    }
    List<String> names = splitList(v.text);
    for (String name : names) {
      if (!ShellWords.isName(name)) {
        throw invalid(v, "has '" + name + "', which is not a variable name");
      }
      if (name.equals("HTTP_PROXY")) {
        throw invalid(v, "has HTTP_PROXY, which is the client's Proxy header (httpoxy) and is"
            + " never passed");
      }
    }
    return Collections.unmodifiableList(names);
  }

  private static File workdir(Value v, File configFile) throws UsageException {
    if (v == null) {
      return configFile == null ? null : configFile.getAbsoluteFile().getParentFile();
    }
    File dir = resolve(v.text, v.base);
    if (!dir.isDirectory()) {
      throw invalid(v, "is not a directory");
    }
    return dir;
  }

  /** Splits a list written with commas, spaces or both. */
  private static List<String> splitList(String text) {
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

  /** The value of a string of 1 to 18 ASCII digits, else -1 (no signs, no spaces, no overflow). */
  static long digits(String s) {
    if (s.isEmpty() || s.length() > 18) {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  private static File resolve(String path, File base) {
    File f = new File(path);
    return f.isAbsolute() || base == null ? f.getAbsoluteFile() : new File(base, path);
  }

  private static UsageException invalid(Value v, String problem) {
    return new UsageException(v.where + ": '" + v.text + "' " + problem);
  }
}
