package pipecgi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import pipecgi.cgi.StartupArchive;

/**
 * A real web server, started with apache-conf/serve on a free loopback port, serving a cgi-bin of
 * its own: copies of the launcher, the built jar and the scripts endpoints run (cgi-bin/*.sh),
 * with the given configurations; and pages: pipecgi.js, its demo and the browser tests' own
 * (src/test/js). Everything is in a world-readable temporary directory, since a server started as
 * root runs as nobody. A JVM shutdown hook stops the server even when the tests are interrupted.
 * The {@link #GATEWAYS} serve the same cgi-bin from pipecgi's warm gateway (with pipecgi-http.jar
 * beside the jar), alone or behind a proxy, rather than as CGI programs; the {@link #FASTCGI}
 * servers from pipecgi's FastCGI front end: JVMs that the server starts from NAME.fcgi (copies of
 * the launcher beside each NAME.cgi), or one that apache-conf/serve starts with --fastcgi.
 */
final class WebServer implements AutoCloseable {
  /** The java the tests run on: it makes the archive and runs the endpoints (and the gateway). */
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java")
      .toString();

  /** The servers of apache-conf/serve that are pipecgi's warm gateway, alone or behind a proxy. */
  static final Set<String> GATEWAYS = Set.of("http", "apache-proxy", "apache-proxy-unix",
      "nginx-proxy", "nginx-sessions", "nginx-proxy-tls");

  /** The servers of apache-conf/serve that run pipecgi as FastCGI. */
  static final Set<String> FASTCGI =
      Set.of("apache-fcgid", "lighttpd-fcgi", "nginx-fcgi", "nginx-fcgi-unix");

  /** Of those, the ones where the server starts the FastCGI applications itself (NAME.fcgi). */
  static final Set<String> SPAWNED = Set.of("apache-fcgid", "lighttpd-fcgi");

  final String name;
  final int port;
  /**
   * The second server's port (PIPECGI_PORT2): the Apache behind nginx-cgi, or the forward proxy
   * (squid) in front of the clients.
   */
  final int port2;
  /** http, or https for the servers of apache-conf/serve that speak TLS (NAME-tls). */
  final String scheme;
  /** What apache-conf/serve is told besides: the certificate for TLS. */
  private final Map<String, String> env;
  final Path home;
  final Path cgiBin;
  final Path www;
  private final Thread stopAtExit;

  private WebServer(String name, int port, Path home, Map<String, String> env) throws IOException {
    this.name = name;
    this.port = port;
    this.port2 = freePort();
    this.scheme = name.endsWith("-tls") ? "https" : "http";
    this.env = env;
    this.home = home;
    this.cgiBin = home.resolve("cgi-bin");
    this.www = home.resolve("www");
    this.stopAtExit = new Thread(this::stop, "stop-" + name);
  }

  /** Starts {@code name} (see apache-conf/serve) with endpoints NAME -> configuration text. */
  static WebServer start(String name, Map<String, String> endpoints) throws Exception {
    return start(name, endpoints, Map.of());
  }

  /**
   * The same, with variables for apache-conf/serve, such as PIPECGI_TLS_CERT and PIPECGI_TLS_KEY.
   */
  static WebServer start(String name, Map<String, String> endpoints, Map<String, String> env)
      throws Exception {
    Path home = TestHome.create("pipecgi-it-");
    WebServer server = new WebServer(name, freePort(), home, env);
    Files.createDirectory(server.cgiBin);
    Files.copy(Launch.CGI_BIN.resolve("pipecgi.jar"), server.cgiBin.resolve("pipecgi.jar"));
    boolean gateway = GATEWAYS.contains(name);
    if (gateway) {
      Files.copy(Launch.CGI_BIN.resolve("pipecgi-http.jar"),
          server.cgiBin.resolve("pipecgi-http.jar"));
    }
    copyFiles(Launch.CGI_BIN, "*.sh", server.cgiBin);
    Files.createDirectory(server.www);
    copyFiles(Launch.ROOT.resolve("src/main/js"), "*", server.www);
    copyFiles(Launch.ROOT.resolve("src/test/js"), "*", server.www);
    for (Map.Entry<String, String> e : endpoints.entrySet()) {
      Files.copy(Launch.CGI_BIN.resolve("pipecgi.cgi"), server.cgiBin.resolve(e.getKey() + ".cgi"),
          StandardCopyOption.COPY_ATTRIBUTES);
      if (SPAWNED.contains(name)) {
        // The endpoint as a FastCGI application: another copy of the launcher, NAME.fcgi.
        Files.copy(Launch.CGI_BIN.resolve("pipecgi.cgi"),
            server.cgiBin.resolve(e.getKey() + ".fcgi"), StandardCopyOption.COPY_ATTRIBUTES);
      }
      Files.writeString(server.cgiBin.resolve(e.getKey() + ".conf"), e.getValue());
    }
    // As the README's install steps say: the start-up archive, made in place before the first
    // request, so that no maker runs in the background while the tests count processes. The
    // gateway and the FastCGI front end start long-lived JVMs, and need none.
    if (!gateway && !FASTCGI.contains(name)) {
      Launch.Result archive = Launch.of(JAVA, "-jar",
          server.cgiBin.resolve("pipecgi.jar").toString(), "--make-archive")
          .env(StartupArchive.DIR_VARIABLE, server.cgiBin.toString()).run();
      assertEquals(0, archive.exit, archive.outText() + archive.err);
    }
    Runtime.getRuntime().addShutdownHook(server.stopAtExit);
    Launch.Result r = server.serve("start");
    if (r.exit != 0) {
      String why = r.outText() + r.err + server.errorLog();
      server.close();
      throw new AssertionError(name + " did not start: " + why);
    }
    return server;
  }

  /** A page, as in {@code page("index.html")}. */
  URI page(String path) {
    return URI.create(scheme + "://127.0.0.1:" + port + "/" + path);
  }

  URI uri(String endpointAndQuery) {
    return URI.create(scheme + "://127.0.0.1:" + port + "/pipecgi/" + endpointAndQuery);
  }

  /**
   * What the server logged, pipecgi's lines included: the gateway's log for a gateway; under
   * FastCGI, the server's error log, where it writes what pipecgi sends as FastCGI stderr (Apache
   * as "mod_fcgid: stderr: ...", lighttpd as "FastCGI-stderr:...", nginx as "FastCGI sent in
   * stderr: ..."), and what the JVMs write to their own stderr (lighttpd's stderr.log, Apache's
   * error log; gateway.log for the --fastcgi JVM behind nginx); under nginx-cgi, the error log of
   * the Apache behind nginx (apache/error.log).
   */
  String errorLog() {
    StringBuilder log = new StringBuilder();
    for (String file : List.of("error.log", "stderr.log", "gateway.log", "gateway2.log",
        "apache/error.log")) {
      Path p = runFile(file);
      try {
        if (Files.exists(p)) {
          log.append(Files.readString(p, StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        log.append(e).append('\n');
      }
    }
    return log.toString();
  }

  /**
   * The pipecgi JVMs this server's endpoints are running now (never the gateway itself): under
   * CGI one per running request; under FastCGI the long-lived ones (spawned ones run
   * {@code java ... -jar CGI_BIN/pipecgi.jar}, the one behind nginx {@code --fastcgi}).
   */
  List<ProcessHandle> pipecgiProcesses() {
    return Processes.withArgument(cgiBin.resolve("pipecgi.jar").toString()).stream()
        .filter(p -> !p.info().arguments().map(a -> List.of(a).contains("--http")).orElse(false))
        .toList();
  }

  /** A file of the server's run directory: its logs (error.log, gateway.log) and pid files. */
  Path runFile(String file) {
    return run().resolve(file);
  }

  private Path run() {
    return home.resolve("runs").resolve(name + "-" + port);
  }

  private Launch.Result serve(String action) {
    Launch launch = Launch.of("apache-conf/serve", action, name, Integer.toString(port),
        cgiBin.toString());
    env.forEach(launch::env);
    return launch
        .env("PIPECGI_PORT2", Integer.toString(port2))
        .env("PIPECGI_SERVE_DIR", home.resolve("runs").toString())
        .env("PIPECGI_JAVA", JAVA)
        .env("PIPECGI_WWW", www.toString())
        .run();
  }

  /** Stops the server, as a host going away would, and leaves it stopped. */
  void stop() {
    serve("stop");
  }

  @Override
  public void close() throws IOException {
    stop();
    Runtime.getRuntime().removeShutdownHook(stopAtExit);
    Launch.deleteTree(home);
  }

  private static void copyFiles(Path from, String glob, Path to) throws IOException {
    try (var files = Files.newDirectoryStream(from, glob)) {
      for (Path f : files) {
        if (Files.isRegularFile(f)) {
          Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
