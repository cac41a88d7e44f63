package pipecgi;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * pipecgi's entry point: turns the command line and the CGI environment into one response.
 * {@link #run} takes its streams and environment as arguments, so the whole program can be
 * tested in-process.
 */
public final class Main {
  /** A response was written, whatever its HTTP status; or --help, --version, a passing --check. */
  static final int OK = 0;
  /** --check found a problem, or the response could not be written. */
  static final int FAILED = 1;
  /** The configuration is bad; a 500 response was written. */
  static final int BAD_CONFIGURATION = 2;

  private final Map<String, String> env;
  private final InputStream in;
  private final OutputStream out;
  private final OutputStream err;
  private volatile Endpoint endpoint;

  Main(Map<String, String> env, InputStream in, OutputStream out, OutputStream err) {
    this.env = env;
    this.in = in;
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    // The JDK's process machinery takes a third of a request to initialise (its reaper thread
    // pool and lambdas): on a second core that happens while we read the options and the body.
    Thread warmUp = new Thread(new WarmUpProcessHandling(), "pipecgi-warm-up");
    warmUp.setDaemon(true);
    warmUp.start();
    // Unbuffered streams of our own: System.out's buffering and encoding have no place here.
    Main main =
        new Main(
            System.getenv(),
            new FileInputStream(FileDescriptor.in),
            new FileOutputStream(FileDescriptor.out),
            new FileOutputStream(FileDescriptor.err));
    Runtime.getRuntime().addShutdownHook(new AbortOnSignal(main));
    int status = main.run(args);
    // halt, not exit: the response is out, and every millisecond the JVM spends shutting down is
    // one the server waits (Apache prefork sleeps 47 ms if the CGI has not exited yet).
    Runtime.getRuntime().halt(status);
  }

  int run(String[] args) {
    Options options;
    try {
      options = Options.parse(args, env);
    } catch (UsageException e) {
      return isInteractive(args) ? verdict(e.getMessage()) : badConfiguration(e.getMessage());
    }
    if (options.action == OptionKey.HELP) {
      return print(CommandLineArgs.help());
    } else if (options.action == OptionKey.VERSION) {
      return print("pipecgi " + version() + "\n");
    } else if (options.action == OptionKey.CHECK) {
      return verdict(ConfigCheck.problem(options), options);
    } else if (options.action == OptionKey.SELF_TEST) {
      return selfTest(options.selfTestUrl);
    } else if (options.action == OptionKey.MAKE_ARCHIVE) {
      return makeArchive();
    }
    return serve(options);
  }

  /** Run by a person, not a web server: problems are told in words, not as a 500 response. */
  private static boolean isInteractive(String[] args) {
    for (String a : args) {
      if (a.equals("--check") || a.equals("--make-archive") || a.equals("--self-test")
          || a.startsWith("--self-test=")) {
        return true;
      }
    }
    return false;
  }

  private int makeArchive() {
    StartupArchive archive = StartupArchive.of(env);
    if (archive == null) {
      return verdict("run it from the jar the server runs (java -jar /path/to/cgi-bin/pipecgi.jar"
          + " --make-archive), without " + StartupArchive.DIR_VARIABLE + "=" + StartupArchive.OFF);
    }
    try {
      return print("pipecgi: ok: " + archive.make() + "\n");
    } catch (IOException e) {
      return verdict("cannot make the archive: " + e.getMessage());
    }
  }

  private int selfTest(String url) {
    try {
      return SelfTest.run(url, new PrintStream(out, true, StandardCharsets.UTF_8));
    } catch (UsageException e) {
      return verdict(e.getMessage());
    }
  }

  private int serve(Options options) {
    ErrorLog log = new ErrorLog(err, options.endpointName);
    Endpoint e = new Endpoint(options, log);
    endpoint = e;
    try {
      Response response = e.handle(env, in);
      response.writeTo(out, "HEAD".equals(env.get("REQUEST_METHOD")));
      if (!e.readWholeBody()) {
        discardRequestBody();
      }
      refreshStartupArchive();
      return OK;
    } catch (IOException x) {
      log.line("cannot send the response (the client has probably gone): " + x.getMessage());
      return FAILED;
    } finally {
      e.close();
    }
  }

  /** The response is out: now is the time to start making an archive, if none fits. */
  private void refreshStartupArchive() {
    StartupArchive archive = StartupArchive.of(env);
    if (archive != null) {
      archive.refreshInBackground();
    }
  }

  private int badConfiguration(String message) {
    new ErrorLog(err, null).line("500 Internal Server Error: bad configuration: " + message);
    try {
      Response.error(500).set("X-Content-Type-Options", "nosniff").writeTo(out, false);
      discardRequestBody();
    } catch (IOException x) {
      // Nothing more to say to a client that has gone.
    }
    return BAD_CONFIGURATION;
  }

  /** Under a web server only: from a terminal, stdin is a person, who is not waited for. */
  private void discardRequestBody() {
    if (env.get("REQUEST_METHOD") != null) {
      UnreadBody.discard(in);
    }
  }

  private int verdict(String problem, Options options) {
    if (problem != null) {
      return verdict(problem);
    }
    try {
      return print("pipecgi: ok: " + ConfigCheck.summary(options) + "\n");
    } catch (IOException e) {
      return verdict(e.getMessage());
    }
  }

  private int verdict(String problem) {
    print("pipecgi: error: " + problem + "\n");
    return FAILED;
  }

  private int print(String text) {
    PrintStream p = new PrintStream(out, true, StandardCharsets.UTF_8);
    p.print(text);
    p.flush();
    return p.checkError() ? FAILED : OK;
  }

  private static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "(development build)" : v;
  }

  /** Aborts the request when the JVM is told to stop (SIGTERM, SIGINT, SIGHUP). */
  private static final class AbortOnSignal extends Thread {
    private final Main main;

    AbortOnSignal(Main main) {
      super("pipecgi-abort");
      this.main = main;
    }

    @Override
    public void run() {
      Endpoint e = main.endpoint;
      if (e != null) {
        e.abort();
      }
    }
  }

  private static final class WarmUpProcessHandling implements Runnable {
    @Override
    public void run() {
      ProcessHandle.current();
    }
  }
}
