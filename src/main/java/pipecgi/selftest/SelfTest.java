package pipecgi.selftest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import pipecgi.core.CommandLine;
import pipecgi.core.ExitStatus;
import pipecgi.core.OptionKey;
import pipecgi.core.UsageException;

/**
 * {@code --self-test URL}: after installing, a user points this at their deployed echo endpoint
 * (command = /bin/cat). It sends a few keep-alive and pipelined requests and says in plain words
 * whether the server kept pipecgi's Content-Length, kept the connection open and answered
 * pipelined requests in order, and how to fix what it did not. A session endpoint gets a
 * conversation instead ({@link SessionCheck}). It goes through a forward proxy when told to or
 * when the environment names one, checks an https server's certificate as a browser would, and
 * names whoever answered when that was not pipecgi.
 */
public final class SelfTest {
  private static final int REQUESTS = 5;
  private static final int[] SIZES = {16, 1000, 20_000, 1, 300};
  private static final int TIMEOUT_MILLIS = 30_000;
  private static final String TRUST_FIX =
      "fix: Apache 2.4.59 and later drop a CGI program's Content-Length unless told to trust it."
          + " Add 'SetEnv ap_trust_cgilike_cl 1' for the endpoint's directory (in its .htaccess"
          + " on shared hosting, which needs AllowOverride FileInfo: see apache-conf/htaccess).";

  private final Target target;
  private final PrintStream out;
  private String server = "";
  private boolean echoes = true;
  private boolean lengthKept = true;
  private int failures;
  private final List<String> fixesGiven = new ArrayList<>();

  private SelfTest(Target target, PrintStream out) {
    this.target = target;
    this.out = out;
  }

  /**
   * Runs the test that {@code line} asks for, the proxy variables read from {@code env}, and
   * prints the report on {@code out}; returns 0 when all is well, 1 otherwise.
   */
  public static int run(CommandLine line, Map<String, String> env, PrintStream out)
      throws UsageException {
    String url = line.text(OptionKey.SELF_TEST);
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new UsageException("--self-test: '" + url + "' is not a URL: " + e.getReason());
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
        || uri.getHost() == null) {
      throw new UsageException("--self-test: '" + url + "' is not an http:// or https:// URL");
    }
    Proxy proxy = Proxy.choose(line.text(OptionKey.PROXY), uri, env);
    return new SelfTest(new Target(uri, proxy, tls(line, uri)), out).run();
  }

  private static Tls tls(CommandLine line, URI uri) throws UsageException {
    boolean insecure = line.has(OptionKey.INSECURE);
    String cacert = line.text(OptionKey.CACERT);
    if (!"https".equals(uri.getScheme())) {
      if (insecure || cacert != null) {
        throw new UsageException("--" + (insecure ? "insecure" : "cacert") + " is for an"
            + " https:// URL; " + uri + " has no certificate to check");
      }
      return null;
    }
    try {
      return insecure ? Tls.insecure()
          : Tls.verifying(cacert == null ? List.of() : Tls.certificates(Path.of(cacert)));
    } catch (GeneralSecurityException e) {
      throw new UsageException("cannot set up TLS: " + e.getMessage());
    }
  }

  private int run() {
    out.println("pipecgi self-test of " + target.uri);
    if (target.proxy != null) {
      note("through the proxy " + target.proxy + " (" + target.proxy.source + ")");
    }
    boolean insecure = target.tls != null && target.tls.isInsecure();
    if (insecure) {
      note("--insecure: the server's certificate and host name are not checked");
    }
    String what = "a persistent, pipelined channel";
    try {
      HttpConnection.Reply probe = probe();
      if (probe.status == 200) {
        sequential("HTTP/1.1");
        sequential("HTTP/1.0");
        pipelined();
        gateway(probe);
      } else if (probe.status == 400 && Answerer.isPipecgiError(probe)
          && new SessionCheck(target, this, TIMEOUT_MILLIS).run()) {
        what = "a session endpoint answers open, send, receive and close";
      } else {
        throw Answerer.unexpected("request 1", probe, 200);
      }
    } catch (IOException e) {
      fail("the test could not go on: " + e.getMessage(), e instanceof Failure f ? f.fix : null);
    }
    String by = server.isEmpty() ? "" : " (" + server + ")";
    String through = target.proxy == null ? "" : " through the proxy " + target.proxy;
    out.println(failures == 0
        ? "result: ok" + (insecure ? " (insecure: the certificate was not checked)" : "") + ": "
            + what + by + through
        : "result: " + failures + " problem" + (failures == 1 ? "" : "s") + by + through);
    out.flush();
    return failures == 0 ? ExitStatus.OK : ExitStatus.FAILED;
  }

  private static byte[] body(int i) {
    byte[] b = new byte[SIZES[i % SIZES.length]];
    byte[] label = ("pipecgi self-test request " + i + "\n").getBytes(StandardCharsets.US_ASCII);
    for (int at = 0; at < b.length; at++) {
      b[at] = label[at % label.length];
    }
    return b;
  }

  /** The first request, alone: it shows what answers there, and whether it echoes. */
  private HttpConnection.Reply probe() throws IOException {
    try (HttpConnection c = target.connect(TIMEOUT_MILLIS)) {
      c.send(target.request("POST", "HTTP/1.1", body(0)));
      HttpConnection.Reply r = c.read("POST");
      heard(r);
      if (r.status == 200 && !Arrays.equals(r.body, body(0))) {
        echoes = false;
        note("the endpoint does not send back its request body, so bodies and order are not"
            + " checked: point this at an endpoint with 'command = /bin/cat'");
      }
      return r;
    }
  }

  private HttpConnection.Reply answer(HttpConnection c, int i) throws IOException {
    HttpConnection.Reply r = c.read("POST");
    heard(r);
    if (r.status != 200) {
      throw Answerer.unexpected("request " + (i + 1), r, 200);
    }
    if (echoes && !Arrays.equals(r.body, body(i))) {
      throw new IOException("request " + (i + 1) + " got another body than it sent");
    }
    return r;
  }

  /** The warm gateway, with nothing in between, gets the checks that fit it. */
  private void gateway(HttpConnection.Reply probe) throws IOException {
    if (!Answerer.server(probe).equals(Answerer.GATEWAY)) {
      return;
    }
    if (probe.header("Via") != null) {
      note("the warm gateway answered through a proxy (Via: " + probe.header("Via") + "), so its"
          + " own HTTP (chunked bodies, Expect: 100-continue) is not checked");
      return;
    }
    new GatewayCheck(target, this, echoes, TIMEOUT_MILLIS).run();
  }

  /** Notes what served {@code r}, if nothing was known yet; a proxy's own error names none. */
  void heard(HttpConnection.Reply r) {
    if (server.isEmpty() && !Answerer.isProxyError(r)) {
      server = Answerer.server(r);
    }
  }

  private void sequential(String version) throws IOException {
    int answered = 0;
    HttpConnection.Framing framing = null;
    try (HttpConnection c = target.connect(TIMEOUT_MILLIS)) {
      for (int i = 0; i < REQUESTS; i++) {
        c.send(target.request("POST", version, body(i)));
        HttpConnection.Reply r = answer(c, i);
        answered++;
        framing = framing == null || framing == r.framing ? r.framing : framing;
        if (r.framing != HttpConnection.Framing.LENGTH) {
          lengthKept = false;
        }
        if (r.closes()) {
          break;
        }
      }
    }
    if (framing == HttpConnection.Framing.LENGTH) {
      ok(version + ": the server kept pipecgi's Content-Length");
    } else {
      fail(version + ": the server did not keep pipecgi's Content-Length (it sent "
          + (framing == HttpConnection.Framing.CHUNKED ? "chunks" : "the body up to the end of"
          + " the connection") + ")", apache() ? TRUST_FIX : "fix: something in front of"
          + " pipecgi (the server or a proxy) re-frames responses; check its configuration");
    }
    if (answered == REQUESTS) {
      ok(version + (version.equals("HTTP/1.0") ? " keep-alive" : "") + ": one connection answered "
          + REQUESTS + " requests in a row");
    } else {
      fail(version + ": the server closed the connection after " + answered + " request"
          + (answered == 1 ? "" : "s"), lengthKept || !apache()
          ? "fix: turn keep-alive on (Apache: KeepAlive On, MaxKeepAliveRequests 100 or more;"
              + " lighttpd: server.max-keep-alive-requests); on shared hosting, ask the host"
          : TRUST_FIX);
    }
  }

  private void pipelined() throws IOException {
    ByteArrayOutputStream burst = new ByteArrayOutputStream();
    for (int i = 0; i < REQUESTS; i++) {
      burst.writeBytes(target.request("POST", "HTTP/1.1", body(i)));
    }
    List<Integer> answered = new ArrayList<>();
    try (HttpConnection c = target.connect(TIMEOUT_MILLIS)) {
      c.send(burst.toByteArray());
      for (int i = 0; i < REQUESTS; i++) {
        HttpConnection.Reply r = answer(c, i);
        answered.add(i);
        if (r.closes()) {
          break;
        }
      }
    }
    if (answered.size() == REQUESTS) {
      ok(REQUESTS + " pipelined requests (sent in one write) were answered"
          + (echoes ? " in order" : "") + " on one connection");
    } else {
      fail("of " + REQUESTS + " pipelined requests only " + answered.size() + " were answered"
          + " before the connection closed", "fix: the server or a proxy in front of it does"
          + " not support pipelining; send one request at a time on each connection");
    }
  }

  private boolean apache() {
    return server.startsWith("Apache");
  }

  void ok(String what) {
    out.println("ok    " + what);
  }

  void note(String what) {
    out.println("note  " + what);
  }

  void fail(String what, String fix) {
    failures++;
    out.println("FAIL  " + what);
    if (fix != null) {
      out.println("      " + (fixesGiven.contains(fix) ? "fix: as above" : fix));
      fixesGiven.add(fix);
    }
  }
}
