package pipecgi.core;

/**
 * The options, by their long names. The names are a contract: they are both the command line's
 * {@code --name} and the configuration file's {@code name = value} keys.
 */
public enum OptionKey {
  // What to do. None: answer the CGI request in the environment.
  CHECK(Kind.ACTION, "check", null, "check the configuration (or with --dir, every NAME.conf in"
      + " DIR) and the service program, print a verdict, exit 0 or 1"),
  HTTP(Kind.ACTION, "http", "ADDRESS", "serve every NAME.conf in --dir at /NAME over HTTP/1.1 from"
      + " this one process, until SIGTERM; ADDRESS is [HOST:]PORT (HOST 127.0.0.1 by default) or"
      + " unix:PATH"),
  FASTCGI(Kind.ACTION, "fastcgi", "ADDRESS", "serve every NAME.conf in --dir as a FastCGI"
      + " application listening on ADDRESS ([HOST:]PORT or unix:PATH), for nginx's fastcgi_pass,"
      + " Apache's mod_proxy_fcgi or lighttpd's socket, until SIGTERM"),
  SELF_TEST(Kind.ACTION, "self-test", "URL", "send keep-alive and pipelined requests to a deployed"
      + " echo endpoint, say whether its server kept the Content-Length, the connection and the"
      + " order, exit 0 or 1"),
  MAKE_ARCHIVE(Kind.ACTION, "make-archive", null, "make the start-up archive (pipecgi.jsa, or"
      + " pipecgi.aot on JDK 25) beside the jar or in $PIPECGI_ARCHIVE_DIR, now rather than on the"
      + " first request; run it with the java the server uses"),
  HELP(Kind.ACTION, "help", null, "print this help"),
  VERSION(Kind.ACTION, "version", null, "print the version"),

  // An endpoint's settings: in NAME.conf, or on the command line.
  COMMAND(Kind.ENDPOINT, "command", "CMD", "the service's command line, split into words like sh"
      + " does but never run by a shell (required)"),
  OUTPUT(Kind.ENDPOINT, "output", "body|cgi", "body: the service's stdout is the response body;"
      + " cgi: the service prints CGI headers, a blank line, then the body (default body)"),
  CONTENT_TYPE(Kind.ENDPOINT, "content-type", "TYPE", "Content-Type for body mode, and for"
      + " cgi-mode responses that name none (default application/octet-stream)"),
  TIMEOUT(Kind.ENDPOINT, "timeout", "SECONDS", "wall-clock limit for the service, then 504"
      + " (default 30)"),
  MAX_REQUEST_BYTES(Kind.ENDPOINT, "max-request-bytes", "N", "largest request body, else 413"
      + " (default 10M)"),
  MAX_RESPONSE_BYTES(Kind.ENDPOINT, "max-response-bytes", "N", "largest service output, else 502"
      + " (default 100M)"),
  MEMORY_BUFFER_BYTES(Kind.ENDPOINT, "memory-buffer-bytes", "N", "bodies larger than this are"
      + " spooled to a private temporary file (default 1M)"),
  METHODS(Kind.ENDPOINT, "methods", "LIST", "request methods passed to the service, else 405"
      + " (default GET,HEAD,POST); OPTIONS is always answered by pipecgi"),
  CORS_ORIGIN(Kind.ENDPOINT, "cors-origin", "ORIGIN", "allow cross-origin requests from ORIGIN, or"
      + " * for any"),
  PASS_ENV(Kind.ENDPOINT, "pass-env", "NAMES", "also pass these variables of pipecgi's own"
      + " environment"),
  WORKDIR(Kind.ENDPOINT, "workdir", "DIR", "the service's working directory (default: the"
      + " configuration file's directory, else the current one)"),
  SESSION(Kind.ENDPOINT, "session", "line", "a session endpoint: the service runs once per"
      + " conversation, each line of its stdin a message in and each line of its stdout a message"
      + " out (with --http or --fastcgi ADDRESS only)"),
  SESSION_IDLE(Kind.ENDPOINT, "session-idle", "SECONDS", "a session with no message and no"
      + " poll for this long is ended (default 60)"),
  MAX_SESSIONS(Kind.ENDPOINT, "max-sessions", "N", "sessions of the endpoint at once, beyond"
      + " which 503 (default 100)"),
  MAX_QUEUED_BYTES(Kind.ENDPOINT, "max-queued-bytes", "N", "a session's output not yet read by"
      + " its page, beyond which the session ends (default 1M)"),

  // On the command line only.
  CONFIG(Kind.COMMAND_LINE, "config", "FILE", "read options from FILE, 'key = value' lines"
      + " (default: the file named by PIPECGI_CONF); options on the command line win"),
  DIR(Kind.COMMAND_LINE, "dir", "DIR", "with --http, --fastcgi or --check: the directory of the"
      + " NAME.conf files (default: the jar's own directory)"),
  PREFIX(Kind.COMMAND_LINE, "prefix", "PATH", "with --http or --fastcgi: serve the endpoints at PATH/NAME, such"
      + " as /pipecgi/echo.cgi, as a web server's cgi-bin would (default: at /NAME)"),
  WWW(Kind.COMMAND_LINE, "www", "DIR", "with --http or --fastcgi: also serve the files in DIR (pages such as"
      + " the demo and pipecgi.js) at the paths that are not endpoints"),
  QUIET(Kind.COMMAND_LINE, "quiet", null, "with --http or --fastcgi: no access log line per request"),
  TRUSTED_PROXIES(Kind.COMMAND_LINE, "trusted-proxies", "LIST", "with --http or --fastcgi: addresses (or"
      + " address/prefix, or unix) of proxies whose X-Forwarded-For and X-Forwarded-Proto are"
      + " believed (default none)"),
  MAX_CONCURRENT(Kind.COMMAND_LINE, "max-concurrent", "N", "with --http or --fastcgi: requests running at"
      + " once, beyond which 503 (default 1000)"),
  MAX_CONNECTIONS(Kind.COMMAND_LINE, "max-connections", "N", "with --http or --fastcgi: open connections,"
      + " beyond which new ones wait to be accepted (default 4000)"),
  IDLE_TIMEOUT(Kind.COMMAND_LINE, "idle-timeout", "SECONDS", "with --http or --fastcgi: how long a connection"
      + " may stay idle between requests (default 30)"),
  HEADER_TIMEOUT(Kind.COMMAND_LINE, "header-timeout", "SECONDS", "with --http or --fastcgi: how long a client"
      + " may take to send a request's headers (default 20)"),
  GRACE(Kind.COMMAND_LINE, "grace", "SECONDS", "with --http or --fastcgi: on SIGTERM, how long running requests"
      + " may take to finish before their services are stopped (default 20)"),
  CACERT(Kind.COMMAND_LINE, "cacert", "FILE", "with --self-test of an https:// URL: trust the"
      + " certificates in FILE (PEM) too, besides the JDK's authorities: a private CA, or a"
      + " self-signed certificate"),
  INSECURE(Kind.COMMAND_LINE, "insecure", null, "with --self-test of an https:// URL: check"
      + " neither the server's certificate nor its host name (the verdict says so)"),
  PROXY(Kind.COMMAND_LINE, "proxy", "URL", "with --self-test: go through the forward proxy at URL,"
      + " http://[USER:PASSWORD@]HOST:PORT (default, as curl reads them: https_proxy or"
      + " HTTPS_PROXY for https://, http_proxy for http://, unless no_proxy names the host)");

  /** What an option is for. */
  public enum Kind {
    /** What the program does. */
    ACTION,
    /** One endpoint's setting: a configuration file's key, or given on the command line. */
    ENDPOINT,
    /** How the program itself runs: only on the command line. */
    COMMAND_LINE
  }

  public final Kind kind;
  /** The long name, as in {@code --max-request-bytes}. */
  public final String longName;
  /** What the value stands for in the help, or null for an option that takes none. */
  public final String valueName;

  public final String help;

  OptionKey(Kind kind, String longName, String valueName, String help) {
    this.kind = kind;
    this.longName = longName;
    this.valueName = valueName;
    this.help = help;
  }

  public boolean takesValue() {
    return valueName != null;
  }

  /** Whether a configuration file may set it. */
  boolean allowedInConfig() {
    return kind == Kind.ENDPOINT;
  }

  static OptionKey forLongName(String name) {
    for (OptionKey k : values()) {
      if (k.longName.equals(name)) {
        return k;
      }
    }
    return null;
  }
}
