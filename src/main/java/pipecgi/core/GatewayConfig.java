package pipecgi.core;

import java.io.File;
import java.util.Map;

/**
 * The validated settings of a warm gateway, one long-lived process that serves every endpoint of a
 * directory: where it listens, its limits and timeouts, and whom it believes about the client.
 */
public final class GatewayConfig {
  private static final int MAX_COUNT = 1_000_000;
  private static final long MAX_SECONDS = 24 * 3600;

  /** Where it listens; null for a FastCGI application given its socket by a web server. */
  public final ListenAddress address;
  /** The directory of NAME.conf files. */
  public final File dir;
  /** Where the endpoints answer: "" for /NAME, or a path like /pipecgi for /pipecgi/NAME. */
  public final String prefix;
  /** A directory of files to serve at the paths that are not endpoints, or null. */
  public final File www;
  /** Whether to leave out the access log. */
  public final boolean quiet;
  public final TrustedProxies trustedProxies;
  /** Requests running at once; beyond, 503. */
  public final int maxConcurrent;
  /** Open connections; beyond, new ones wait to be accepted. */
  public final int maxConnections;
  public final long idleTimeoutMillis;
  public final long headerTimeoutMillis;
  /** On SIGTERM, how long running requests may take before their services are stopped. */
  public final long graceMillis;

  /** The settings {@code given} for the gateway {@code kind} (HTTP or FASTCGI). */
  GatewayConfig(Map<OptionKey, Setting> given, File dir, OptionKey kind) throws UsageException {
    Setting address = given.get(kind);
    this.address = address == null ? null : ListenAddress.parse(address);
    this.dir = dir;
    if (!dir.isDirectory()) {
      throw new UsageException("--dir: " + dir + " is not a directory");
    }
    this.prefix = prefix(given.get(OptionKey.PREFIX));
    Setting www = given.get(OptionKey.WWW);
    this.www = www == null ? null : www.path();
    if (this.www != null && !this.www.isDirectory()) {
      throw www.invalid("is not a directory");
    }
    this.quiet = given.containsKey(OptionKey.QUIET);
    Setting proxies = given.get(OptionKey.TRUSTED_PROXIES);
    this.trustedProxies = proxies == null ? TrustedProxies.NONE : TrustedProxies.parse(proxies);
    this.maxConcurrent = count(given.get(OptionKey.MAX_CONCURRENT), 1000);
    this.maxConnections = count(given.get(OptionKey.MAX_CONNECTIONS), 4000);
    this.idleTimeoutMillis = millis(given.get(OptionKey.IDLE_TIMEOUT), 30);
    this.headerTimeoutMillis = millis(given.get(OptionKey.HEADER_TIMEOUT), 20);
    this.graceMillis = millis(given.get(OptionKey.GRACE), 20);
  }

  /**
   * A FastCGI application that a web server spawned with its listening socket: every default,
   * serving {@code dir}.
   */
  public static GatewayConfig spawned(File dir) throws UsageException {
    return new GatewayConfig(new java.util.EnumMap<>(OptionKey.class), dir, OptionKey.FASTCGI);
  }

  /** An HTTP gateway's settings, every default but {@code options}: for tests. */
  public static GatewayConfig of(String address, File dir, String... options)
      throws UsageException {
    return of("--http", address, dir, options);
  }

  /** A FastCGI application's settings, every default but {@code options}: for tests. */
  public static GatewayConfig fastcgi(String address, File dir, String... options)
      throws UsageException {
    return of("--fastcgi", address, dir, options);
  }

  private static GatewayConfig of(String kind, String address, File dir, String... options)
      throws UsageException {
    String[] args = new String[options.length + 4];
    args[0] = kind;
    args[1] = address;
    args[2] = "--dir";
    args[3] = dir.getPath();
    System.arraycopy(options, 0, args, 4, options.length);
    return CommandLine.parse(args).gateway(dir);
  }

  /** A path of one or more segments, without a trailing slash: "/pipecgi". */
  private static String prefix(Setting s) throws UsageException {
    if (s == null) {
      return "";
    }
    String p = s.text.endsWith("/") ? s.text.substring(0, s.text.length() - 1) : s.text;
    boolean valid = p.startsWith("/") && p.length() > 1 && !p.contains("//");
    for (String segment : p.substring(1).split("/")) {
      valid &= EndpointDirectory.isName(segment);
    }
    if (!valid) {
      throw s.invalid("is not a path like /pipecgi (letters, digits, '-', '_' and '.')");
    }
    return p;
  }

  private static int count(Setting s, int byDefault) throws UsageException {
    return s == null ? byDefault : s.count(1, MAX_COUNT);
  }

  private static long millis(Setting s, long byDefaultSeconds) throws UsageException {
    return s == null ? byDefaultSeconds * 1000 : s.millis(MAX_SECONDS);
  }
}
