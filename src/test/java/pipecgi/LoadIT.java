package pipecgi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * 2,000 keep-alive POSTs at concurrency 16 through Apache (event + mod_cgid, Debian's default)
 * and lighttpd: no failure, every body exact, no pipecgi left running. Each request costs a JVM
 * start, so this takes minutes; prefork behaves like event here (measured once, not repeated).
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"apache-event", "lighttpd"})
@Timeout(600)
class LoadIT {
  private static final int REQUESTS = 2000;
  private static final int CLIENTS = 16;
  private static WebServer web;

  @Parameter String server;

  @BeforeParameterizedClassInvocation
  static void start(String server) throws Exception {
    web = WebServer.start(server, Map.of("echo", "command = /bin/cat\n"));
  }

  @AfterParameterizedClassInvocation
  static void stop() throws Exception {
    web.close();
    ServersReport.write();
  }

  private static byte[] body(int i) {
    byte[] b = new byte[(i * 7919) % 8192];
    new Random(i).nextBytes(b);
    return b;
  }

  @Test
  void twoThousandKeepAliveRequestsAtConcurrency16() throws Exception {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger connections = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    long start = System.nanoTime();
    List<String> failures = new ArrayList<>();
    try {
      List<Future<List<String>>> clients = new ArrayList<>();
      for (int t = 0; t < CLIENTS; t++) {
        clients.add(pool.submit(() -> client(next, connections)));
      }
      for (Future<List<String>> f : clients) {
        failures.addAll(f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    assertEquals(List.of(), failures);
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!web.pipecgiProcesses().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(List.of(), web.pipecgiProcesses());
    ServersReport.record(server, "2,000 keep-alive requests at concurrency 16",
        String.format("0 failures, %.1f req/s, %d connections", REQUESTS / seconds,
            connections.get()));
  }

  /** One client: requests on a keep-alive connection, a new one only when the server closes. */
  private static List<String> client(AtomicInteger next, AtomicInteger connections)
      throws Exception {
    List<String> failures = new ArrayList<>();
    HttpConnection c = new HttpConnection(web.uri(""), 60_000);
    connections.incrementAndGet();
    try {
      for (int i; (i = next.getAndIncrement()) < REQUESTS; ) {
        byte[] sent = body(i);
        c.send(HttpConnection.request("POST", web.uri("echo.cgi"), "HTTP/1.1", sent, false));
        HttpConnection.Reply r = c.read("POST");
        if (r.status != 200 || r.framing != HttpConnection.Framing.LENGTH
            || !Arrays.equals(sent, r.body)) {
          failures.add("request " + i + ": " + r.status + " " + r.framing);
        }
        if (r.closes()) {
          c.close();
          c = new HttpConnection(web.uri(""), 60_000);
          connections.incrementAndGet();
        }
      }
    } finally {
      c.close();
    }
    return failures;
  }
}
