package pipecgi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests through the launcher at concurrency 8, sixteen rounds of fifteen kinds: good, malformed
 * and hostile requests and services. Every response well-formed with the status its case calls
 * for, and afterwards no process and no temporary file left.
 */
@Timeout(300)
class StressIT {
  private static final int ROUNDS = 16;
  private static final int CONCURRENCY = 8;

  @TempDir Path dir;

  /** One kind of request: its configuration, environment, body and the status it must get. */
  private record Case(String name, String conf, Map<String, String> env, byte[] body, int status) {}

  private List<Case> cases(String marker) {
    byte[] kilobyte = new byte[1024];
    java.util.Arrays.fill(kilobyte, (byte) 'k');
    String cat = "command = /bin/cat\nmax-request-bytes = 1M\ntimeout = 2\n";
    String sleeper = "sh -c 'sleep " + marker + " & (sleep " + marker + " &); sleep " + marker + "'";
    return List.of(
        new Case("good POST", cat, post(kilobyte), kilobyte, 200),
        new Case("good GET", cat, Map.of("REQUEST_METHOD", "GET"), new byte[0], 200),
        new Case("CONTENT_LENGTH +3", cat, Map.of("REQUEST_METHOD", "POST",
            "CONTENT_LENGTH", "+3"), Cgi.bytes("abc"), 400),
        new Case("short body", cat, Map.of("REQUEST_METHOD", "POST", "CONTENT_LENGTH", "10"),
            Cgi.bytes("abc"), 400),
        new Case("method not allowed", cat, Map.of("REQUEST_METHOD", "DELETE"), new byte[0], 405),
        new Case("declared too large", cat, Map.of("REQUEST_METHOD", "POST",
            "CONTENT_LENGTH", "2000000"), new byte[0], 413),
        new Case("hostile header", cat, Map.of("REQUEST_METHOD", "GET",
            "HTTP_X_EVIL", "a\nLD_PRELOAD=/tmp/x.so", "QUERY_STRING", "-Xmx1m+--evil"),
            new byte[0], 200),
        new Case("times out, orphans", "command = " + sleeper + "\ntimeout = 0.5\n",
            Map.of("REQUEST_METHOD", "GET"), new byte[0], 504),
        new Case("floods stdout", "command = /bin/cat /dev/zero\nmax-response-bytes = 1M\n",
            Map.of("REQUEST_METHOD", "GET"), new byte[0], 502),
        new Case("floods stderr", "command = sh -c 'head -c 300000 /dev/zero | tr \"\\\\0\" x"
            + " >&2; echo ok'\n", Map.of("REQUEST_METHOD", "GET"), new byte[0], 200),
        new Case("killed by a signal", "command = sh -c 'kill -KILL $$'\n",
            Map.of("REQUEST_METHOD", "GET"), new byte[0], 502),
        new Case("broken cgi headers", "command = /bin/echo Bad Header Line\noutput = cgi\n",
            Map.of("REQUEST_METHOD", "GET"), new byte[0], 502),
        new Case("ignores SIGTERM", "command = sh -c 'trap \"\" TERM; sleep " + marker
            + "'\ntimeout = 0.5\n", Map.of("REQUEST_METHOD", "GET"), new byte[0], 504),
        new Case("leaves children behind", "command = sh -c 'sleep " + marker + " & (sleep "
            + marker + " &); echo ok'\n", Map.of("REQUEST_METHOD", "GET"), new byte[0], 200),
        new Case("no REQUEST_METHOD", cat, Map.of(), new byte[0], 500));
  }

  private static Map<String, String> post(byte[] body) {
    return Map.of("REQUEST_METHOD", "POST", "CONTENT_LENGTH", Integer.toString(body.length));
  }

  @Test
  void mixedRequestsAtConcurrency8AreAllWellFormedAndLeaveNothingBehind() throws Exception {
    String marker = Processes.uniqueSleep();
    Path tmp = Files.createDirectory(dir.resolve("tmp"));
    List<Case> cases = cases(marker);
    List<Path> confs = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      confs.add(Files.writeString(dir.resolve("case" + i + ".conf"), cases.get(i).conf()));
    }
    ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
    List<Future<String>> results = new ArrayList<>();
    for (int n = 0; n < ROUNDS * cases.size(); n++) {
      int i = n % cases.size();
      results.add(pool.submit(() -> run(cases.get(i), confs.get(i), tmp)));
    }
    Map<String, Integer> failures = new TreeMap<>();
    for (Future<String> f : results) {
      String problem = f.get(Await.HANG.toSeconds(), TimeUnit.SECONDS);
      if (problem != null) {
        failures.merge(problem, 1, Integer::sum);
      }
    }
    pool.shutdown();
    assertEquals(Map.of(), failures, "every response well-formed, with its case's status");
    assertEquals(List.of(), Processes.awaitGone(marker), "no process left");
    try (var left = Files.list(tmp)) {
      assertEquals(List.of(), left.toList(), "no temporary file left");
    }
  }

  /** Null when the response was right, else what was wrong. */
  private static String run(Case c, Path conf, Path tmp) {
    Launch launch = Launch.endpoint("echo").env("PIPECGI_CONF", conf.toString())
        .env("TMPDIR", tmp.toString()).env("GATEWAY_INTERFACE", "CGI/1.1");
    for (Map.Entry<String, String> e : c.env().entrySet()) {
      launch.env(e.getKey(), e.getValue());
    }
    try {
      Launch.Result r = launch.input(c.body()).run();
      Cgi.Result cgi = r.cgi().assertFramed();
      if (cgi.status != c.status()) {
        return c.name() + ": status " + cgi.status + " instead of " + c.status() + ": " + r.err;
      }
      if (c.name().startsWith("good POST") && cgi.body.length != c.body().length) {
        return c.name() + ": a body of " + cgi.body.length + " bytes";
      }
      return null;
    } catch (AssertionError | RuntimeException e) {
      return c.name() + ": " + e.getMessage();
    }
  }
}
