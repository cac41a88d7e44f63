package pipecgi;

/**
 * The options, by their long names. The names are a contract: they are both the command line's
 * {@code --name} and the configuration file's {@code name = value} keys.
 */
enum OptionKey {
  COMMAND("command", "CMD", "the service's command line, split into words like sh does but never"
      + " run by a shell (required)"),
  CONFIG("config", "FILE", "read options from FILE, 'key = value' lines (default: the file named"
      + " by PIPECGI_CONF); options on the command line win"),
  OUTPUT("output", "body|cgi", "body: the service's stdout is the response body; cgi: the service"
      + " prints CGI headers, a blank line, then the body (default body)"),
  CONTENT_TYPE("content-type", "TYPE", "Content-Type for body mode, and for cgi-mode responses"
      + " that name none (default application/octet-stream)"),
  TIMEOUT("timeout", "SECONDS", "wall-clock limit for the service, then 504 (default 30)"),
  MAX_REQUEST_BYTES("max-request-bytes", "N", "largest request body, else 413 (default 10M)"),
  MAX_RESPONSE_BYTES("max-response-bytes", "N", "largest service output, else 502 (default 100M)"),
  MEMORY_BUFFER_BYTES("memory-buffer-bytes", "N", "bodies larger than this are spooled to a"
      + " private temporary file (default 1M)"),
  METHODS("methods", "LIST", "request methods passed to the service, else 405 (default"
      + " GET,HEAD,POST); OPTIONS is always answered by pipecgi"),
  CORS_ORIGIN("cors-origin", "ORIGIN", "allow cross-origin requests from ORIGIN, or * for any"),
  PASS_ENV("pass-env", "NAMES", "also pass these variables of pipecgi's own environment"),
  WORKDIR("workdir", "DIR", "the service's working directory (default: the configuration file's"
      + " directory, else the current one)"),
  CHECK("check", null, "check the configuration and the service executable, print a one-line"
      + " verdict, exit 0 or 1"),
  SELF_TEST("self-test", "URL", "send keep-alive and pipelined requests to a deployed echo"
      + " endpoint, say whether its server kept the Content-Length, the connection and the order,"
      + " exit 0 or 1"),
  MAKE_ARCHIVE("make-archive", null, "make the start-up archive (pipecgi.jsa, or pipecgi.aot on"
      + " JDK 25) beside the jar or in $PIPECGI_ARCHIVE_DIR, now rather than on the first request;"
      + " run it with the java the server uses"),
  HELP("help", null, "print this help"),
  VERSION("version", null, "print the version");

  /** The long name, as in {@code --max-request-bytes}. */
  final String longName;
  /** What the value stands for in the help, or null for an option that takes none. */
  final String valueName;

  final String help;

  OptionKey(String longName, String valueName, String help) {
    this.longName = longName;
    this.valueName = valueName;
    this.help = help;
  }

  boolean takesValue() {
    return valueName != null;
  }

  /** Whether a configuration file may set it: actions and nested files may not. */
  boolean allowedInConfig() {
    return takesValue() && this != CONFIG && this != SELF_TEST;
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
