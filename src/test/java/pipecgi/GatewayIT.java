package pipecgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import pipecgi.core.Privileges;
import pipecgi.selftest.HttpConnection;

/**
 * java -jar pipecgi.jar --http as a real process, run as a service user (nobody): it refuses root,
 * stops gracefully on SIGTERM, and keeps no thread, file descriptor, process or temporary file per
 * request it has answered.
 */
@Timeout(600)
class GatewayIT {
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java")
      .toString();
  private static final Pattern STARTED = Pattern.compile("at http://127\\.0\\.0\\.1:(\\d+)/");

  private Path home;
  private Path cgiBin;
  private Path tmp;
  private Process gateway;
  private final StringBuffer log = new StringBuffer();

  @BeforeEach
  void install() throws Exception {
    home = Files.createTempDirectory("pipecgi-gateway-it-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    cgiBin = Files.createDirectory(home.resolve("cgi-bin"));
    for (String jar : List.of("pipecgi.jar", "pipecgi-http.jar")) {
      Files.copy(Launch.CGI_BIN.resolve(jar), cgiBin.resolve(jar),
          StandardCopyOption.COPY_ATTRIBUTES);
    }
    tmp = Files.createDirectory(home.resolve("tmp"));
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
  }

  @AfterEach
  void remove() throws Exception {
    if (gateway != null) {
      gateway.destroyForcibly().waitFor();
    }
    Launch.deleteTree(home);
  }

  private void endpoint(String name, String conf) throws IOException {
    Files.writeString(cgiBin.resolve(name + ".conf"), conf);
  }

  /** The gateway as a service user would run it; returns its port once it listens. */
  private int start(String... options) throws Exception {
    List<String> command = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=nobody",
        "--regid=nogroup", "--clear-groups", JAVA, "-Djava.io.tmpdir=" + tmp, "-jar",
        cgiBin.resolve("pipecgi.jar").toString(), "--http", "127.0.0.1:0"));
    command.addAll(List.of(options));
    ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv("PATH"));
    gateway = pb.start();
    BufferedReader err = new BufferedReader(new InputStreamReader(gateway.getErrorStream(),
        StandardCharsets.UTF_8));
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try {
        for (String line; (line = err.readLine()) != null; ) {
          log.append(line).append('\n');
          Matcher m = STARTED.matcher(line);
          if (m.find()) {
            port.complete(Integer.parseInt(m.group(1)));
          }
        }
      } catch (IOException e) {
        // the gateway has gone
      }
      port.complete(-1);
    }, "gateway-log");
    reader.setDaemon(true);
    reader.start();
    int p = port.get(Await.HANG.toSeconds(), TimeUnit.SECONDS);
    assertTrue(p > 0, "started: " + log);
    return p;
  }

  @Test
  void asRootItRefusesAndSaysHowToRunIt() throws Exception {
    assumeTrue(Privileges.uid() == 0, "the tests run as root");
    Launch.Result r = Launch.of(JAVA, "-jar", cgiBin.resolve("pipecgi.jar").toString(), "--http",
        "127.0.0.1:0", "--dir", cgiBin.toString()).run();
    assertEquals(2, r.exit);
    assertTrue(r.err.startsWith("pipecgi: error: --http refuses to run as root: every service it"
        + " starts would run as root."), r.err);
    assertTrue(r.err.contains("apache-conf/pipecgi.service"), r.err);
    assertEquals(1, r.err.lines().count(), r.err);
  }

  @Test
  void sigtermLetsRunningRequestsFinishThenStopsWhatIsLeftAndExits() throws Exception {
    String quick = Processes.uniqueSleep(1);
    String stuck = Processes.uniqueSleep();
    endpoint("quick", "command = /bin/sh -c 'sleep " + quick + "; echo done'\n");
    endpoint("stuck", "command = /bin/sh -c 'sleep " + stuck + " & sleep " + stuck
        + "'\ntimeout = 600\n");
    int port = start("--dir", cgiBin.toString(), "--grace", "3", "--quiet");
    URI base = URI.create("http://127.0.0.1:" + port + "/");
    try (HttpConnection a = new HttpConnection(base, 120_000);
        HttpConnection b = new HttpConnection(base, 120_000)) {
      a.send(HttpConnection.request("GET", base.resolve("/quick"), "HTTP/1.1", null, false));
      b.send(HttpConnection.request("GET", base.resolve("/stuck"), "HTTP/1.1", null, false));
      Await.until("both run", () -> Processes.withArgument(quick).size() == 1
          && Processes.withArgument(stuck).size() == 2);
      gateway.toHandle().destroy(); // SIGTERM; Process.destroy would also close its stderr
      HttpConnection.Reply done = a.read("GET");
      assertEquals(200, done.status);
      assertEquals("done\n", new String(done.body, StandardCharsets.US_ASCII));
      assertEquals(503, b.read("GET").status);
    }
    assertTrue(gateway.waitFor(Await.HANG.toSeconds(), TimeUnit.SECONDS));
    assertEquals(0, gateway.exitValue());
    assertEquals(List.of(), Processes.awaitGone(stuck));
    Await.until("the log is complete: " + log, () -> log.toString().contains("pipecgi: stopped"));
    assertTrue(log.toString().contains("pipecgi: stopping: pipecgi was told to stop (a signal);"
        + " 2 requests running, 3.0 s to finish\n"), log.toString());
  }

  /** What a gateway holds, seen from outside: threads, open files, children, temporary files. */
  private record Holdings(int threads, int fds, long children, int tmpFiles) {}

  private Holdings holdings() throws IOException {
    long pid = gateway.pid();
    int threads = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
        .filter(l -> l.startsWith("Threads:")).mapToInt(l -> Integer.parseInt(l.substring(8)
            .trim())).findFirst().orElse(-1);
    int fds;
    try (var list = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      fds = (int) list.count();
    }
    int files;
    try (var list = Files.list(tmp)) {
      files = (int) list.count();
    }
    return new Holdings(threads, fds, gateway.descendants().count(), files);
  }

  /**
   * What it holds once it has closed the connections that its clients closed: Jetty closes its
   * end a moment later, and a count taken before then saw 2 or 3 more open files, on a busy
   * machine (load average 40 on 2 cores).
   */
  private Holdings settledHoldings() throws Exception {
    Await.until("the gateway has closed its clients' connections", () -> connections() == 0);
    return holdings();
  }

  /** The gateway's open TCP sockets that are not listening (state 0A), from the kernel's tables. */
  private int connections() throws IOException {
    List<String> sockets = new ArrayList<>();
    try (var list = Files.list(Path.of("/proc/" + gateway.pid() + "/fd"))) {
      for (Path fd : list.toList()) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            sockets.add(target.substring(8, target.length() - 1));
          }
        } catch (IOException e) {
          // closed meanwhile
        }
      }
    }
    int open = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      List<String> lines = Files.readAllLines(Path.of(table));
      for (String line : lines.subList(1, lines.size())) {
        // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
        String[] f = line.trim().split("\\s+");
        if (sockets.contains(f[9]) && !f[3].equals("0A")) {
          open++;
        }
      }
    }
    return open;
  }

  @Test
  void nothingGrowsWithTheRequestsAnswered() throws Exception {
    endpoint("echo", "command = /bin/cat\nmemory-buffer-bytes = 4K\n");
    int port = start("--dir", cgiBin.toString(), "--quiet");
    URI base = URI.create("http://127.0.0.1:" + port + "/");
    assertEquals(List.of(), load(base, 1000, 8));
    Holdings after1000 = settledHoldings();
    assertEquals(List.of(), load(base, 2000, 8));
    Holdings after3000 = settledHoldings();
    assertEquals(0, after3000.children(), "no process left");
    assertEquals(0, after3000.tmpFiles(), "no temporary file left");
    assertEquals(after1000.fds(), after3000.fds(), "open files: " + after1000 + " " + after3000);
    // Threads come and go with the load (Jetty's pool, the JDK's process reapers); they must not
    // follow the count of requests.
    assertTrue(after3000.threads() <= after1000.threads() + 8, after1000 + " " + after3000);
  }

  /** {@code n} POSTs of 0 to 10 KB (some spooled to a file) over {@code clients} connections. */
  private static List<String> load(URI base, int n, int clients) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    AtomicInteger next = new AtomicInteger();
    List<Future<List<String>>> running = new ArrayList<>();
    for (int t = 0; t < clients; t++) {
      running.add(pool.submit(() -> {
        List<String> failures = new ArrayList<>();
        try (HttpConnection c = new HttpConnection(base, 120_000)) {
          for (int i; (i = next.getAndIncrement()) < n; ) {
            byte[] sent = new byte[i * 37 % 10_000];
            Arrays.fill(sent, (byte) ('a' + i % 26));
            c.send(HttpConnection.request("POST", base.resolve("/echo"), "HTTP/1.1", sent,
                false));
            HttpConnection.Reply r = c.read("POST");
            if (r.status != 200 || !Arrays.equals(sent, r.body)) {
              failures.add("request " + i + ": " + r.status);
            }
          }
        }
        return failures;
      }));
    }
    List<String> failures = new ArrayList<>();
    for (Future<List<String>> f : running) {
      failures.addAll(f.get());
    }
    pool.shutdown();
    return failures;
  }
}
