package pipecgi;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

/**
 * Debian's squid as a private forward proxy on a free loopback port: its own configuration, pid
 * file and logs in a temporary directory, no cache, and only loopback clients allowed. It runs in
 * the foreground (-N: one process, no kids), a child of the test JVM; its pid file lies where
 * .ci/run looks for servers that a killed test JVM left (pipecgi-it-* /runs/NAME/server.pid).
 * Started as root, squid runs as the user proxy, which must write the logs: the directory is
 * writable by all.
 */
final class Squid implements AutoCloseable {
  static final String PROGRAM = "/usr/sbin/squid";

  final int port;
  private final Path home;
  private final Path run;
  private final Process process;
  private final Thread stopAtExit;

  private Squid(int port, Path home, Path run, Process process) {
    this.port = port;
    this.home = home;
    this.run = run;
    this.process = process;
    this.stopAtExit = new Thread(this::stop, "stop-squid");
  }

  static Squid start() throws Exception {
    Path home = TestHome.create("pipecgi-it-squid-");
    Path run = Files.createDirectories(home.resolve("runs").resolve("squid"));
    Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxrwxrwx"));
    int port = freePort();
    Path conf = Files.writeString(home.resolve("squid.conf"), String.join("\n",
        "http_port 127.0.0.1:" + port,
        "visible_hostname pipecgi-test",
        "http_access allow localhost",
        "http_access deny all",
        "cache deny all",
        "cache_mem 0 MB",
        "pinger_enable off",
        "pid_filename " + run.resolve("server.pid"),
        "access_log stdio:" + run.resolve("access.log"),
        "cache_log " + run.resolve("cache.log"),
        "cache_store_log none",
        "coredump_dir " + run,
        "shutdown_lifetime 1 seconds",
        ""));
    Process p = new ProcessBuilder(PROGRAM, "-N", "-f", conf.toString())
        .redirectErrorStream(true).redirectOutput(run.resolve("stdout.log").toFile()).start();
    Squid squid = new Squid(port, home, run, p);
    Runtime.getRuntime().addShutdownHook(squid.stopAtExit);
    try {
      Await.until("squid accepts connections on port " + port, () -> {
        if (!p.isAlive()) {
          throw new AssertionError("squid exited: " + squid.log());
        }
        try {
          new Socket(InetAddress.getLoopbackAddress(), port).close();
          return true;
        } catch (IOException e) {
          return false;
        }
      });
    } catch (Exception | AssertionError e) {
      squid.close();
      throw e;
    }
    return squid;
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  /** squid's access log: a line per request it passed on or answered. */
  String accessLog() throws IOException {
    Path log = run.resolve("access.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  String log() throws IOException {
    StringBuilder all = new StringBuilder();
    for (String f : new String[] {"stdout.log", "cache.log"}) {
      Path p = run.resolve(f);
      if (Files.exists(p)) {
        all.append(Files.readString(p));
      }
    }
    return all.toString();
  }

  private void stop() {
    process.destroy(); // SIGTERM: squid closes its port and exits within shutdown_lifetime
    try {
      if (!process.waitFor(Await.HANG.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws IOException {
    stop();
    Runtime.getRuntime().removeShutdownHook(stopAtExit);
    Launch.deleteTree(home);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
