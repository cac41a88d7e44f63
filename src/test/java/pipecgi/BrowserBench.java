package pipecgi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import pipecgi.selftest.HttpConnection;
import java.util.concurrent.CompletableFuture;

/**
 * The browser benchmark (README, "In the browser"): message round trips from one page in Debian's
 * headless Chromium, PipeConnection to a pipecgi echo endpoint (cat) under Apache prefork + mod_cgi
 * and event + mod_cgid (a JVM per message) and to the warm gateway ({@code java -jar pipecgi.jar
 * --http}, one JVM for all), alone and behind Apache event + mod_proxy_http, and as FastCGI under
 * Apache event + mod_fcgid (warm JVMs that Apache starts), against a WebSocket to websocketd
 * running cat; one message at a time and four in flight. Variants take turns in rounds, so that a
 * burst of other work on the machine does not land on one of them only; medians and p99
 * are over all the samples of all rounds. Writes target/bench/browser.md and target/bench/browser.svg. Run it with
 * src/bench/browser.
 */
final class BrowserBench {
  private static final int SIZE = 1023;
  /** Untimed messages to each gateway before the rounds. */
  private static final int WARM_UP = 500;
  /** The gateway modes of apache-conf/serve, and their names in the report. */
  private static final Map<String, String> GATEWAYS = Map.of(
      "http", "pipecgi --http, directly",
      "apache-proxy", "pipecgi --http, behind Apache event + mod_proxy_http");
  /** The same gateways, for a session (one cat for the whole conversation). */
  private static final Map<String, String> SESSIONS = Map.of(
      "http", "pipecgi session, directly",
      "apache-proxy", "pipecgi session, behind Apache event + mod_proxy_http");
  /** Idle sessions opened to measure what one costs in memory. */
  private static final int IDLE_SESSIONS = 100;
  /** pipecgi as FastCGI (apache-conf/serve's apache-fcgid): its name, and its endpoint. */
  private static final String FASTCGI = "pipecgi FastCGI, Apache event + mod_fcgid";
  private static final String FASTCGI_ENDPOINT = "/pipecgi/echo.fcgi";

  /** One variant's samples: round-trip times in ms, and messages per second of each round. */
  private record Samples(String name, int inFlight, List<Double> times, List<Double> rates) {}

  public static void main(String[] args) throws Exception {
    boolean quick = args.length > 0 && args[0].equals("--quick");
    int rounds = quick ? 1 : 3;
    int pipeMessages = Integer.getInteger("pipeMessages", quick ? 30 : 150);
    int gatewayMessages = Integer.getInteger("gatewayMessages", quick ? 100 : 1000);
    int wsMessages = Integer.getInteger("wsMessages", quick ? 300 : 2000);
    long started = System.nanoTime();
    String load = Files.readString(Path.of("/proc/loadavg")).trim();
    Map<String, Samples> results = new LinkedHashMap<>();
    Map<String, String> echo = Map.of("echo", "command = /bin/cat\n"
        + "content-type = text/plain; charset=utf-8\n", "lines", "command = /bin/cat\n"
        + "session = line\nmax-sessions = " + (IDLE_SESSIONS + 10) + "\n");
    try (WebServer prefork = WebServer.start("apache-prefork", echo);
        WebServer event = WebServer.start("apache-event", echo);
        WebServer gateway = WebServer.start("http", echo);
        WebServer proxied = WebServer.start("apache-proxy", echo);
        WebServer fcgid = WebServer.start("apache-fcgid", echo);
        WebSocketd websocketd = WebSocketd.start();
        Browser browser = Browser.start()) {
      // The gateways' JIT warmed up first (untimed), as a long-lived gateway's is.
      for (WebServer web : List.of(gateway, proxied)) {
        browser.open(web.page("blank.html"));
        browser.runForMap("roundTrips", Map.of("endpoint", "/pipecgi/echo.cgi", "webSocket", false,
            "count", WARM_UP, "inFlight", 4, "size", SIZE));
        browser.runForMap("roundTrips", Map.of("endpoint", "/pipecgi/lines", "webSocket", false,
            "session", true, "count", WARM_UP * 4, "inFlight", 4, "size", SIZE));
      }
      // So are mod_fcgid's JVMs, once it runs one for each message in flight.
      startJvms(fcgid, 4);
      browser.open(fcgid.page("blank.html"));
      browser.runForMap("roundTrips", Map.of("endpoint", FASTCGI_ENDPOINT, "webSocket", false,
          "count", WARM_UP, "inFlight", 4, "size", SIZE));
      String fastCgiJvms = fcgid.pipecgiProcesses().size() + " after the warm-up";
      for (int round = 1; round <= rounds; round++) {
        for (int inFlight : new int[] {1, 4}) {
          for (WebServer web : List.of(prefork, event)) {
            browser.open(web.page("blank.html"));
            String name = "pipecgi, Apache " + web.name.substring("apache-".length())
                + (web.name.endsWith("prefork") ? " + mod_cgi" : " + mod_cgid");
            measure(browser, results, name, inFlight, Map.of("endpoint", "/pipecgi/echo.cgi",
                "webSocket", false, "count", pipeMessages, "inFlight", inFlight, "size", SIZE));
          }
          for (WebServer web : List.of(gateway, proxied)) {
            browser.open(web.page("blank.html"));
            measure(browser, results, GATEWAYS.get(web.name), inFlight, Map.of("endpoint",
                "/pipecgi/echo.cgi", "webSocket", false, "count", gatewayMessages, "inFlight",
                inFlight, "size", SIZE));
            measure(browser, results, SESSIONS.get(web.name), inFlight, Map.of("endpoint",
                "/pipecgi/lines", "webSocket", false, "session", true, "count", wsMessages,
                "inFlight", inFlight, "size", SIZE));
          }
          browser.open(fcgid.page("blank.html"));
          measure(browser, results, FASTCGI, inFlight, Map.of("endpoint", FASTCGI_ENDPOINT,
              "webSocket", false, "count", gatewayMessages, "inFlight", inFlight, "size", SIZE));
          measure(browser, results, "websocketd cat", inFlight, Map.of("endpoint",
              "ws://127.0.0.1:" + websocketd.port + "/", "webSocket", true, "count", wsMessages,
              "inFlight", inFlight, "size", SIZE));
        }
        System.err.println("== round " + round + " of " + rounds + " done");
      }
      IdleCost idle = IdleCost.measure(gateway);
      double serverShare = serverShare(gateway, quick ? 500 : 3000);
      String version = (String) browser.driver.getCapabilities().getCapability("browserVersion");
      long seconds = (System.nanoTime() - started) / 1_000_000_000L;
      Path out = Path.of("target", "bench");
      Files.createDirectories(out);
      fastCgiJvms += ", " + fcgid.pipecgiProcesses().size() + " at the end";
      String md = report(results, quick, rounds, pipeMessages, gatewayMessages, wsMessages,
          version, load, seconds, fastCgiJvms) + idle.report() + String.format(Locale.ROOT, "%nThe"
          + " gateway's share of a session's message: a Java client on this machine, two"
          + " keep-alive connections, sends each 1 KB line (POST) and its receive (GET) at once"
          + " and waits for both answers, one message after the other: %.3f ms a message (the"
          + " median of 5 runs of %d, after %d to warm up).%n", serverShare,
          quick ? 500 : 3000, WARM_UP);
      Files.writeString(out.resolve("browser.md"), md);
      Files.writeString(out.resolve("browser.svg"), chart(results));
      System.out.print(md);
      System.err.println("== wrote target/bench/browser.md and target/bench/browser.svg");
    }
  }

  /**
   * Makes mod_fcgid run at least {@code wanted} JVMs. It starts one only for a request that still
   * finds every JVM busy after a second's sleep (handle_request in mod_fcgid's fcgid_bridge.c),
   * which four messages from one page never do once a few JVMs run: those before them have been
   * answered by then. So every burst of four waits a second for the JVM short, and stays so
   * (measured: 3 JVMs, 7 messages/s). Bursts of 16 requests at once make it start them.
   */
  private static void startJvms(WebServer fcgid, int wanted) {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest post = HttpRequest.newBuilder(fcgid.uri("echo.fcgi"))
        .POST(HttpRequest.BodyPublishers.ofString("x".repeat(SIZE))).build();
    for (int i = 0; i < 10 && fcgid.pipecgiProcesses().size() < wanted; i++) {
      List<CompletableFuture<HttpResponse<Void>>> burst = new ArrayList<>();
      for (int k = 0; k < 16; k++) {
        burst.add(http.sendAsync(post, HttpResponse.BodyHandlers.discarding()));
      }
      burst.forEach(CompletableFuture::join);
    }
  }

  private static void measure(Browser browser, Map<String, Samples> results, String name,
      int inFlight, Map<String, Object> args) {
    String key = name + (inFlight == 1 ? ", one at a time" : ", " + inFlight + " in flight");
    System.err.println("== " + key);
    Map<String, Object> r = browser.runForMap("roundTrips", args);
    if (!((List<?>) r.get("errors")).isEmpty() || ((Number) r.get("wrong")).intValue() != 0) {
      throw new IllegalStateException(key + ": " + r.get("wrong") + " answers differ from the"
          + " message; errors: " + r.get("errors"));
    }
    Samples s = results.computeIfAbsent(key, k -> new Samples(k, inFlight, new ArrayList<>(),
        new ArrayList<>()));
    for (Object t : (List<?>) r.get("times")) {
      s.times.add(((Number) t).doubleValue());
    }
    s.rates.add(((Number) r.get("perSecond")).doubleValue());
  }

  private static String report(Map<String, Samples> results, boolean quick, int rounds,
      int pipeMessages, int gatewayMessages, int wsMessages, String browserVersion,
      String loadStart, long seconds, String fastCgiJvms) throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("# pipecgi in the browser: PipeConnection against a WebSocket\n\n");
    md.append(Instant.now().toString(), 0, 16).append(" UTC · ")
        .append(Runtime.getRuntime().availableProcessors()).append(" cores, ").append(cpu())
        .append(" · Chromium ").append(browserVersion).append(" (headless) · Java ")
        .append(System.getProperty("java.version")).append(" for pipecgi · load average at the")
        .append(" start: ").append(loadStart, 0, 14).append(", at the end: ")
        .append(Files.readString(Path.of("/proc/loadavg")), 0, 14).append(" · mode: ")
        .append(quick ? "--quick (a trial, not a measurement)" : "full").append(", took ")
        .append(seconds / 60).append(" min ").append(seconds % 60).append(" s\n\n");
    md.append("One page, one message of ").append(SIZE).append(" characters at a time or four in")
        .append(" flight, each echoed by cat; a new message leaves as soon as an answer arrives.")
        .append(" pipecgi: PipeConnection (`maxInFlight` 1 or 4), ").append(pipeMessages)
        .append(" messages a round, each a POST that starts a JVM (with its start-up archive).")
        .append(" pipecgi --http: the warm gateway (`java -jar pipecgi.jar --http`, one JVM), as")
        .append(" `apache-conf/serve` runs it: `http`, the gateway alone, serving the page too;")
        .append(" `apache-proxy`, Apache event + mod_proxy_http (`apache-conf/pipecgi-proxy.conf`) in")
        .append(" front of it; ").append(gatewayMessages)
        .append(" messages a round (after ").append(WARM_UP).append(" untimed ones before the")
        .append(" first round), each a POST that starts cat, no JVM.")
        .append(" pipecgi session: the same gateways, `PipeConnection(url, {session: true})` to a")
        .append(" `session = line` endpoint running cat, one cat for the whole session, each")
        .append(" message a POST (written to cat's stdin) and the echo a line on the session's")
        .append(" long poll; ").append(wsMessages).append(" messages a round, after ")
        .append(WARM_UP * 4).append(" untimed ones.")
        .append(" ").append(FASTCGI).append(": `apache-conf/serve apache-fcgid`")
        .append(" (`apache-conf/pipecgi-fcgid.conf`), PipeConnection to `echo.fcgi`, a copy of the")
        .append(" launcher that mod_fcgid starts as a long-lived JVM, one per message in flight;")
        .append(" before the untimed ones, bursts of 16 requests at once, so that it starts enough")
        .append(" of them (four in flight alone leave it one short, each burst of four then")
        .append(" waiting a second: mod_fcgid starts a JVM only for a request that finds all busy")
        .append(" after such a sleep); JVMs running: ").append(fastCgiJvms)
        .append("; as many messages as the gateways, after as many untimed ones.")
        .append(" websocketd: a WebSocket to `websocketd --address=127.0.0.1 cat`, ")
        .append(wsMessages).append(" messages a round. Rounds: ").append(rounds)
        .append("; medians and p99 over all the messages of all rounds, messages/s is the median")
        .append(" of the rounds'.\n\n");
    md.append("Chromium's `performance.now()` counts in steps of 0.1 ms in a page that is not")
        .append(" cross-origin isolated, too coarse for websocketd's round trips: the mean round")
        .append(" trip (messages in flight / messages per second, Little's law) is exact, and the")
        .append(" ratios use it.\n\n");
    md.append("| connection | round trip, median | p99 | mean | messages/s |\n")
        .append("|---|---:|---:|---:|---:|\n");
    for (Samples s : results.values()) {
      md.append("| ").append(s.name).append(" | ").append(ms(quantile(s.times, 0.5)))
          .append(" | ").append(ms(quantile(s.times, 0.99))).append(" | ").append(ms(mean(s)))
          .append(" | ").append(String.format(Locale.ROOT, "%.1f", quantile(s.rates, 0.5)))
          .append(" |\n");
    }
    md.append("\n| ratio (same run) | mean round trip | messages/s |\n|---|---:|---:|\n");
    for (String mode : List.of("one at a time", "4 in flight")) {
      Samples ws = results.get("websocketd cat, " + mode);
      for (Samples s : results.values()) {
        if (s.name.startsWith("pipecgi") && s.name.endsWith(mode)) {
          md.append("| ").append(s.name).append(" / websocketd | ")
              .append(String.format(Locale.ROOT, "%.0f", mean(s) / mean(ws))).append(" | ")
              .append(String.format(Locale.ROOT, "%.5f",
                  quantile(s.rates, 0.5) / quantile(ws.rates, 0.5)))
              .append(" |\n");
        }
      }
    }
    md.append("\n| ratio (same run) | mean round trip | messages/s |\n|---|---:|---:|\n");
    for (String mode : List.of("one at a time", "4 in flight")) {
      Samples warm = results.get(GATEWAYS.get("http") + ", " + mode);
      for (Samples s : results.values()) {
        if (s.name.startsWith("pipecgi") && s != warm && s.name.endsWith(mode)) {
          md.append("| ").append(s.name).append(" / ").append(warm.name).append(" | ")
              .append(String.format(Locale.ROOT, "%.1f", mean(s) / mean(warm))).append(" | ")
              .append(String.format(Locale.ROOT, "%.3f",
                  quantile(s.rates, 0.5) / quantile(warm.rates, 0.5)))
              .append(" |\n");
        }
      }
    }
    md.append(targets(results));
    md.append("\n![round trips](browser.svg)\n");
    return md.toString();
  }

  /**
   * What the gateway itself takes for a session's message, without a browser: the median over 5
   * runs of the mean time of {@code count} messages, each a POST and a GET sent at once.
   */
  private static double serverShare(WebServer gateway, int count) throws Exception {
    URI uri = gateway.uri("lines");
    SessionClient s = SessionClient.open(uri);
    List<Double> runs = new ArrayList<>();
    byte[] line = "x".repeat(SIZE).getBytes(StandardCharsets.US_ASCII);
    try (var post = new HttpConnection(uri, 60_000);
        var get = new HttpConnection(uri, 60_000)) {
      long sequence = 0;
      long cursor = 0;
      for (int run = 0; run <= 5; run++) {
        int n = run == 0 ? WARM_UP : count;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
          post.send(sessionRequest("POST", uri, s.id, "Pipecgi-Sequence: " + ++sequence, line));
          get.send(sessionRequest("GET", uri, s.id, "Pipecgi-Cursor: " + cursor, null));
          if (post.read("POST").status != 204) {
            throw new IllegalStateException("a session's POST was not answered 204");
          }
          cursor = Long.parseLong(get.read("GET").header("Pipecgi-Cursor"));
        }
        if (run > 0) {
          runs.add((System.nanoTime() - start) / 1e6 / n);
        }
      }
    }
    s.close();
    return quantile(runs, 0.5);
  }

  private static byte[] sessionRequest(String method, URI uri, String id, String header,
      byte[] body) {
    String head = method + " " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getRawAuthority()
        + "\r\nPipecgi-Session: " + id + "\r\n" + header + "\r\n"
        + (body == null ? "" : "Content-Length: " + body.length + "\r\n") + "\r\n";
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
    if (body != null) {
      b.writeBytes(body);
    }
    return b.toByteArray();
  }

  /** The targets for sessions, against websocketd in the same run. */
  private static String targets(Map<String, Samples> results) {
    StringBuilder md = new StringBuilder("\n| session target (same run) | value | target |\n"
        + "|---|---:|---|\n");
    for (String where : SESSIONS.values()) {
      Samples one = results.get(where + ", one at a time");
      Samples four = results.get(where + ", 4 in flight");
      double rtt = mean(one) / mean(results.get("websocketd cat, one at a time"));
      double rate = quantile(four.rates, 0.5)
          / quantile(results.get("websocketd cat, 4 in flight").rates, 0.5);
      md.append("| ").append(where).append(", one at a time: mean round trip / websocketd's | ")
          .append(String.format(Locale.ROOT, "%.2f", rtt)).append(" | ≤ 4: ")
          .append(rtt <= 4 ? "met" : String.format(Locale.ROOT, "**missed by %.2f**", rtt - 4))
          .append(" |\n| ").append(where).append(", 4 in flight: messages/s / websocketd's | ")
          .append(String.format(Locale.ROOT, "%.2f", rate)).append(" | ≥ 0.25: ")
          .append(rate >= 0.25 ? "met" : String.format(Locale.ROOT, "**missed by %.2f**",
              0.25 - rate)).append(" |\n");
    }
    return md.toString();
  }

  /**
   * What an idle session costs: the gateway's RSS before and after opening {@link
   * #IDLE_SESSIONS} sessions (each with a poll answered, none waiting), and the RSS of their
   * services (cat).
   */
  private record IdleCost(long before, long after, long services, int count) {
    static IdleCost measure(WebServer gateway) throws Exception {
      long pid = Long.parseLong(Files.readString(gateway.runFile("server.pid")).trim());
      long before = rss(pid);
      List<SessionClient> sessions = new ArrayList<>();
      for (int i = 0; i < IDLE_SESSIONS; i++) {
        SessionClient s = SessionClient.open(gateway.uri("lines"));
        s.send("hello");
        s.read(1);
        sessions.add(s);
      }
      long after = rss(pid);
      long services = ProcessHandle.of(pid).orElseThrow().children()
          .mapToLong(c -> rss(c.pid())).sum();
      for (SessionClient s : sessions) {
        s.close();
      }
      return new IdleCost(before, after, services, sessions.size());
    }

    String report() {
      return String.format(Locale.ROOT, "%n## What an idle session costs%n%n%d sessions opened"
          + " on the gateway (`pipecgi --http`, directly), each with one line sent and read,"
          + " then idle: the gateway's RSS (`VmRSS` of /proc/PID/status) went from %.1f MiB to"
          + " %.1f MiB, %.0f KiB a session; their services (cat, one each) hold %.0f KiB each."
          + " In all: %.0f KiB a session.%n", count, before / 1024.0, after / 1024.0,
          (after - before) / (double) count, services / (double) count,
          (after - before + services) / (double) count);
    }

    /** VmRSS in KiB, 0 for a process that is gone. */
    private static long rss(long pid) {
      try {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
          if (line.startsWith("VmRSS:")) {
            return Long.parseLong(line.replaceAll("[^0-9]", ""));
          }
        }
      } catch (IOException gone) {
        // exited
      }
      return 0;
    }
  }

  /** Two bar charts side by side: mean round trip and messages per second. */
  private static String chart(Map<String, Samples> results) {
    List<Samples> all = new ArrayList<>(results.values());
    int rowHeight = 22;
    int height = 40 + all.size() * rowHeight;
    StringBuilder svg = new StringBuilder();
    svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"960\" height=\"")
        .append(height).append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
    double maxTime = 0;
    double maxRate = 0;
    for (Samples s : all) {
      maxTime = Math.max(maxTime, mean(s));
      maxRate = Math.max(maxRate, quantile(s.rates, 0.5));
    }
    svg.append("<text x=\"330\" y=\"16\">mean round trip (ms)</text>\n");
    svg.append("<text x=\"650\" y=\"16\">messages per second (log scale)</text>\n");
    for (int i = 0; i < all.size(); i++) {
      Samples s = all.get(i);
      int y = 30 + i * rowHeight;
      String color = s.name.startsWith("websocketd") ? "#5a9e4b"
          : s.name.startsWith("pipecgi --http") ? "#8a4fb6"
          : s.name.startsWith("pipecgi session") ? "#c2662d"
          : s.name.startsWith(FASTCGI) ? "#b6508a" : "#3b6fb6";
      double t = mean(s);
      double rate = quantile(s.rates, 0.5);
      int timeWidth = (int) Math.max(1, 220 * t / maxTime);
      int rateWidth = (int) Math.max(1, 220 * Math.log10(1 + rate) / Math.log10(1 + maxRate));
      svg.append("<text x=\"4\" y=\"").append(y + 13).append("\">").append(s.name)
          .append("</text>\n");
      svg.append(bar(330, y, timeWidth, color, ms(t)));
      svg.append(bar(650, y, rateWidth, color,
          String.format(Locale.ROOT, "%.1f", rate)));
    }
    return svg.append("</svg>\n").toString();
  }

  private static String bar(int x, int y, int width, String color, String label) {
    return "<rect x=\"" + x + "\" y=\"" + y + "\" width=\"" + width + "\" height=\"16\" fill=\""
        + color + "\"/><text x=\"" + (x + width + 4) + "\" y=\"" + (y + 13) + "\">" + label
        + "</text>\n";
  }

  /** Little's law: the mean time a message spends in flight. */
  private static double mean(Samples s) {
    return 1000.0 * s.inFlight / quantile(s.rates, 0.5);
  }

  private static double quantile(List<Double> values, double q) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(q * sorted.size())));
  }

  private static String ms(double ms) {
    return String.format(Locale.ROOT, ms < 10 ? "%.2f ms" : "%.1f ms", ms);
  }

  private static String cpu() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
      if (line.startsWith("model name")) {
        return line.substring(line.indexOf(':') + 1).trim();
      }
    }
    return "unknown CPU";
  }

  /** websocketd running cat on a free loopback port, stopped on close. */
  private static final class WebSocketd implements AutoCloseable {
    final int port;
    private final Process process;

    private WebSocketd(int port, Process process) {
      this.port = port;
      this.process = process;
    }

    static WebSocketd start() throws IOException, InterruptedException {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Process p = new ProcessBuilder("websocketd", "--address=127.0.0.1", "--port=" + port,
          "cat").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      for (int i = 0; i < 100; i++) {
        try {
          new Socket("127.0.0.1", port).close();
          return new WebSocketd(port, p);
        } catch (IOException notYet) {
          Thread.sleep(50);
        }
      }
      p.destroyForcibly();
      throw new IOException("websocketd did not start on port " + port);
    }

    @Override
    public void close() {
      process.destroy();
    }
  }
}
