package pipecgi;

import java.io.File;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import pipecgi.cgi.CgiFrontEnd;
import pipecgi.cgi.StartupArchive;
import pipecgi.cgi.Terminal;
import pipecgi.core.CommandLine;
import pipecgi.core.ConfigCheck;
import pipecgi.core.EndpointConfig;
import pipecgi.core.EndpointDirectory;
import pipecgi.core.ErrorLog;
import pipecgi.core.ExitStatus;
import pipecgi.core.GatewayConfig;
import pipecgi.core.Jar;
import pipecgi.core.OptionKey;
import pipecgi.core.Privileges;
import pipecgi.core.UsageException;
import pipecgi.fastcgi.FastCgiServer;
import pipecgi.http.HttpGateway;
import pipecgi.selftest.SelfTest;

/**
 * pipecgi's entry point: reads the command line and hands the work to the front end or the tool
 * it names. With no arguments, which is how the launcher starts it, it answers the CGI request in
 * its environment. {@link #run} takes its streams and environment as arguments, so the whole
 * program can be tested in-process.
 */
public final class Main {
  private final Map<String, String> env;
  private final InputStream in;
  private final OutputStream out;
  private final OutputStream err;

  public Main(Map<String, String> env, InputStream in, OutputStream out, OutputStream err) {
    this.env = env;
    this.in = in;
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    CgiFrontEnd.warmUp();
    // Unbuffered streams of our own: System.out's buffering and encoding have no place here.
    Main main =
        new Main(
            System.getenv(),
            new FileInputStream(FileDescriptor.in),
            new FileOutputStream(FileDescriptor.out),
            new FileOutputStream(FileDescriptor.err));
    int status = main.run(args, true);
    // halt, not exit: the response is out, and every millisecond the JVM spends shutting down is
    // one the server waits (Apache prefork sleeps 47 ms if the CGI has not exited yet). A gateway
    // has stopped by now.
    Runtime.getRuntime().halt(status);
  }

  /** Runs in-process: nothing is done to the JVM (no shutdown hook, no signal handling). */
  public int run(String[] args) {
    return run(args, false);
  }

  private int run(String[] args, boolean ownsProcess) {
    CommandLine line;
    try {
      line = CommandLine.parse(args);
    } catch (UsageException e) {
      return isInteractive(args) || !runByWebServer(ownsProcess) ? usageError(e.getMessage())
          : cgi().badConfiguration(e.getMessage());
    }
    if (line.action == null) {
      ServerSocketChannel listener = env.get("REQUEST_METHOD") == null && ownsProcess
          ? spawnedListener() : null;
      // A command line typed by a person, not the launcher's (which passes none): its mistakes
      // are told as usage errors.
      boolean typed = args.length > 0 && !runByWebServer(ownsProcess);
      return listener != null ? spawnedFastCgi(listener) : serveCgi(line, typed, ownsProcess);
    }
    switch (line.action) {
      case HELP:
        return print(CommandLine.help());
      case VERSION:
        return print("pipecgi " + version() + "\n");
      case SELF_TEST:
        return selfTest(line);
      case MAKE_ARCHIVE:
        return makeArchive();
      case HTTP:
        return http(line, ownsProcess);
      case FASTCGI:
        return fastcgi(line, ownsProcess);
      default:
        return line.has(OptionKey.DIR) ? checkDirectory(line.dir(null)) : check(line);
    }
  }

  private CgiFrontEnd cgi() {
    return new CgiFrontEnd(env, in, out, err);
  }

  private int serveCgi(CommandLine line, boolean typed, boolean ownsProcess) {
    EndpointConfig config;
    try {
      config = line.endpoint(env);
    } catch (UsageException e) {
      return typed ? usageError(e.getMessage()) : cgi().badConfiguration(e.getMessage());
    }
    return cgi().serve(config, ownsProcess);
  }

  /**
   * Whether a web server runs us, rather than a person: a request in the environment, and stdout
   * not a terminal (a person may have set REQUEST_METHOD by hand).
   */
  private boolean runByWebServer(boolean ownsProcess) {
    return env.get("REQUEST_METHOD") != null && !(ownsProcess && Terminal.isStdout());
  }

  /** A bad command line told to a person: one line on stderr, like any command. */
  private int usageError(String problem) {
    new ErrorLog(err, null).line("error: " + problem);
    return ExitStatus.BAD_CONFIGURATION;
  }

  /** Run by a person, not a web server: problems are told in words, not as a 500 response. */
  private static boolean isInteractive(String[] args) {
    for (String a : args) {
      for (String action : List.of("--check", "--make-archive", "--self-test", "--http",
          "--fastcgi")) {
        if (a.equals(action) || a.startsWith(action + "=")) {
          return true;
        }
      }
    }
    return false;
  }

  private int check(CommandLine line) {
    try {
      EndpointConfig config = line.endpoint(env);
      String problem = ConfigCheck.problemAlone(config);
      return problem == null ? print("pipecgi: ok: " + ConfigCheck.summary(config) + "\n")
          : verdict(problem);
    } catch (UsageException e) {
      return verdict(e.getMessage());
    }
  }

  /** --check --dir: every endpoint of the directory, one line each. */
  private int checkDirectory(File dir) {
    if (!dir.isDirectory()) {
      return verdict(dir + ": not a directory");
    }
    List<String> names = new EndpointDirectory(dir).names();
    if (names.isEmpty()) {
      return verdict(dir + ": no endpoint here (no NAME.conf)");
    }
    int status = ExitStatus.OK;
    for (String name : names) {
      String problem;
      String summary = null;
      try {
        EndpointConfig config = EndpointConfig.read(new File(dir, name + ".conf"));
        problem = ConfigCheck.problem(config);
        summary = ConfigCheck.summary(config);
      } catch (UsageException e) {
        problem = e.getMessage();
      }
      if (problem == null) {
        print("pipecgi: ok: " + summary + "\n");
      } else {
        status = verdict(problem);
      }
    }
    return status;
  }

  /** The warm gateway: what keeps it from starting goes to stderr, its log, as one line. */
  private int http(CommandLine line, boolean ownsProcess) {
    ErrorLog log = new ErrorLog(err, null);
    GatewayConfig config = listening(line, "--http", log);
    if (config == null) {
      return ExitStatus.BAD_CONFIGURATION;
    }
    try {
      return HttpGateway.run(config, env, err, ownsProcess);
    } catch (NoClassDefFoundError e) {
      log.line("error: --http needs pipecgi-http.jar (the HTTP server) beside pipecgi.jar: copy"
          + " it there from the build's target/ directory (" + e.getMessage() + " is missing)");
      return ExitStatus.FAILED;
    }
  }

  /**
   * The configuration of a front end that listens by itself ({@code option}, --http or
   * --fastcgi); null once {@code log} has said why it cannot start (a bad option, or root).
   */
  private GatewayConfig listening(CommandLine line, String option, ErrorLog log) {
    GatewayConfig config;
    try {
      config = line.gateway(defaultDir());
    } catch (UsageException e) {
      log.line("error: " + e.getMessage() + " (see --help)");
      return null;
    }
    String refusal = Privileges.refusalOfRoot(option);
    if (refusal != null) {
      log.line("error: " + refusal);
      return null;
    }
    return config;
  }

  /**
   * The listening socket a web server hands a FastCGI application it spawns, on file descriptor
   * 0 (the specification's FCGI_LISTENSOCK_FILENO); null when stdin is something else.
   */
  private static ServerSocketChannel spawnedListener() {
    try {
      Channel inherited = System.inheritedChannel();
      return inherited instanceof ServerSocketChannel s ? s : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** Spawned by mod_fcgid or lighttpd: the endpoint is PIPECGI_CONF, set by the launcher. */
  private int spawnedFastCgi(ServerSocketChannel listener) {
    ErrorLog log = new ErrorLog(err, null);
    String refusal = Privileges.refusalOfRoot("pipecgi as a FastCGI application", "Have the"
        + " web server run it as another user (mod_fcgid and lighttpd run it as their own; with"
        + " suEXEC, as the owner of the cgi-bin)");
    if (refusal != null) {
      log.line("error: " + refusal);
      return ExitStatus.BAD_CONFIGURATION;
    }
    String conf = env.get(EndpointConfig.CONFIG_VARIABLE);
    File file = conf == null || conf.isEmpty() ? null : new File(conf).getAbsoluteFile();
    GatewayConfig config;
    try {
      config = GatewayConfig.spawned(file == null ? defaultDir() : file.getParentFile());
    } catch (UsageException e) {
      log.line("error: " + e.getMessage());
      return ExitStatus.BAD_CONFIGURATION;
    }
    return FastCgiServer.run(config, listener, file, env, err, true);
  }

  /** --fastcgi ADDRESS: a FastCGI application on a socket of its own. */
  private int fastcgi(CommandLine line, boolean ownsProcess) {
    GatewayConfig config = listening(line, "--fastcgi", new ErrorLog(err, null));
    return config == null ? ExitStatus.BAD_CONFIGURATION
        : FastCgiServer.run(config, null, null, env, err, ownsProcess);
  }

  /** The cgi-bin: the directory of the jar. */
  private static File defaultDir() {
    File jar = Jar.running();
    return jar == null ? new File(".").getAbsoluteFile() : jar.getParentFile();
  }

  private int makeArchive() {
    StartupArchive archive = StartupArchive.of(env);
    if (archive == null) {
      return verdict("run it from the jar the server runs (java -jar /path/to/cgi-bin/pipecgi.jar"
          + " --make-archive), without " + StartupArchive.DIR_VARIABLE + "="
          + StartupArchive.OFF);
    }
    try {
      return print("pipecgi: ok: " + archive.make() + "\n");
    } catch (IOException e) {
      return verdict("cannot make the archive: " + e.getMessage());
    }
  }

  private int selfTest(CommandLine line) {
    try {
      return SelfTest.run(line, env, new PrintStream(out, true, StandardCharsets.UTF_8));
    } catch (UsageException e) {
      return verdict(e.getMessage());
    }
  }

  private int verdict(String problem) {
    print("pipecgi: error: " + problem + "\n");
    return ExitStatus.FAILED;
  }

  private int print(String text) {
    PrintStream p = new PrintStream(out, true, StandardCharsets.UTF_8);
    p.print(text);
    p.flush();
    return p.checkError() ? ExitStatus.FAILED : ExitStatus.OK;
  }

  private static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "(development build)" : v;
  }
}
