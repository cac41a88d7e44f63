package pipecgi.selftest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import pipecgi.core.ExitStatus;
import pipecgi.core.UsageException;

/**
 * {@code --self-test URL}: after installing, a user points this at their deployed echo endpoint
 * (command = /bin/cat). It sends a few keep-alive and pipelined requests and says in plain words
 * whether the server kept pipecgi's Content-Length, kept the connection open and answered
 * pipelined requests in order, and how to fix what it did not.
 */
public final class SelfTest {
  private static final int REQUESTS = 5;
  private static final int[] SIZES = {16, 1000, 20_000, 1, 300};
  private static final int TIMEOUT_MILLIS = 30_000;
  private static final String TRUST_FIX =
      "fix: Apache 2.4.59 and later drop a CGI program's Content-Length unless told to trust it."
          + " Add 'SetEnv ap_trust_cgilike_cl 1' for the endpoint's directory (in its .htaccess"
          + " on shared hosting, which needs AllowOverride FileInfo: see apache-conf/htaccess).";

  private final URI uri;
  private final PrintStream out;
  private String server = "";
  private boolean echoes = true;
  private boolean lengthKept = true;
  private int failures;
  private final List<String> fixesGiven = new ArrayList<>();

  private SelfTest(URI uri, PrintStream out) {
    this.uri = uri;
    this.out = out;
  }

  /** Runs the test, prints the report on {@code out}; returns 0 when all is well, 1 otherwise. */
  public static int run(String url, PrintStream out) throws UsageException {
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
    return new SelfTest(uri, out).run();
  }

  private int run() {
    out.println("pipecgi self-test of " + uri);
    try {
      sequential("HTTP/1.1");
      sequential("HTTP/1.0");
      pipelined();
    } catch (IOException e) {
      fail("the test could not go on: " + e.getMessage(), null);
    }
    String by = server.isEmpty() ? "" : " (" + server + ")";
    out.println(failures == 0
        ? "result: ok: a persistent, pipelined channel" + by
        : "result: " + failures + " problem" + (failures == 1 ? "" : "s") + by);
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

  private HttpConnection.Reply answer(HttpConnection c, int i, String version) throws IOException {
    HttpConnection.Reply r = c.read("POST");
    if (server.isEmpty() && r.header("Server") != null) {
      server = r.header("Server");
    }
    if (r.status != 200) {
      throw new IOException("request " + (i + 1) + " got " + r.status + " instead of 200"
          + " (the server's error log says why; pipecgi's lines start with 'pipecgi[')");
    }
    if (i == 0 && "HTTP/1.1".equals(version) && !Arrays.equals(r.body, body(0))) {
      echoes = false;
      out.println("note  the endpoint does not send back its request body, so bodies and order"
          + " are not checked: point this at an endpoint with 'command = /bin/cat'");
    }
    if (echoes && !Arrays.equals(r.body, body(i))) {
      throw new IOException("request " + (i + 1) + " got another body than it sent");
    }
    return r;
  }

  private void sequential(String version) throws IOException {
    int answered = 0;
    HttpConnection.Framing framing = null;
    try (HttpConnection c = new HttpConnection(uri, TIMEOUT_MILLIS)) {
      for (int i = 0; i < REQUESTS; i++) {
        c.send(HttpConnection.request("POST", uri, version, body(i), false));
        HttpConnection.Reply r = answer(c, i, version);
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
      burst.writeBytes(HttpConnection.request("POST", uri, "HTTP/1.1", body(i), false));
    }
    List<Integer> answered = new ArrayList<>();
    try (HttpConnection c = new HttpConnection(uri, TIMEOUT_MILLIS)) {
      c.send(burst.toByteArray());
      for (int i = 0; i < REQUESTS; i++) {
        HttpConnection.Reply r = answer(c, i, "HTTP/1.1");
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

  private void ok(String what) {
    out.println("ok    " + what);
  }

  private void fail(String what, String fix) {
    failures++;
    out.println("FAIL  " + what);
    if (fix != null) {
      out.println("      " + (fixesGiven.contains(fix) ? "fix: as above" : fix));
      fixesGiven.add(fix);
    }
  }
}
