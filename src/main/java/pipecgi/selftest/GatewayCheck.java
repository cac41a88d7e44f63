package pipecgi.selftest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The checks that fit pipecgi's warm gateway, when it answers with nothing in between: what its
 * README promises of its HTTP beyond keep-alive and pipelining, a chunked request body and
 * {@code Expect: 100-continue}, each on a connection of its own.
 */
final class GatewayCheck {
  /** Over six chunks of 8 KiB. */
  private static final int CHUNKED_BYTES = 50_000;

  private final Target target;
  private final SelfTest report;
  private final boolean echoes;
  private final int timeoutMillis;

  GatewayCheck(Target target, SelfTest report, boolean echoes, int timeoutMillis) {
    this.target = target;
    this.report = report;
    this.echoes = echoes;
    this.timeoutMillis = timeoutMillis;
  }

  void run() throws IOException {
    chunked();
    expectContinue();
  }

  private static byte[] body(int length, String label) {
    byte[] b = new byte[length];
    byte[] text = ("pipecgi self-test " + label + "\n").getBytes(StandardCharsets.US_ASCII);
    for (int at = 0; at < length; at++) {
      b[at] = text[at % text.length];
    }
    return b;
  }

  private void chunked() throws IOException {
    byte[] sent = body(CHUNKED_BYTES, "chunked body");
    HttpConnection.Reply r;
    try (HttpConnection c = target.connect(timeoutMillis)) {
      c.send(target.request("POST", "HTTP/1.1", sent, true));
      r = c.read("POST");
    }
    if (r.status != 200) {
      Failure f = Answerer.unexpected("a chunked request body", r, 200);
      report.fail(f.getMessage(), f.fix);
    } else if (echoes && !Arrays.equals(r.body, sent)) {
      report.fail("a chunked request body of " + CHUNKED_BYTES + " bytes came back as "
          + r.body.length + " other bytes", null);
    } else {
      report.ok("a chunked request body (" + CHUNKED_BYTES + " bytes, no Content-Length) was "
          + (echoes ? "echoed exact" : "answered 200"));
    }
  }

  /** RFC 9110 10.1.1: the body goes out only after the server's 100 Continue. */
  private void expectContinue() throws IOException {
    byte[] sent = body(1000, "Expect: 100-continue");
    try (HttpConnection c = target.connect(timeoutMillis)) {
      c.send(target.request("POST", "HTTP/1.1", null, "Expect: 100-continue",
          "Content-Length: " + sent.length));
      HttpConnection.Reply interim = c.read("POST");
      if (interim.status != 100) {
        report.fail("Expect: 100-continue got " + interim.status + " before the body was sent,"
            + " instead of 100 Continue", null);
        return;
      }
      c.send(sent);
      HttpConnection.Reply r = c.read("POST");
      if (r.status != 200) {
        Failure f = Answerer.unexpected("Expect: 100-continue", r, 200);
        report.fail(f.getMessage(), f.fix);
      } else if (echoes && !Arrays.equals(r.body, sent)) {
        report.fail("Expect: 100-continue: the body came back as other bytes", null);
      } else {
        report.ok("Expect: 100-continue: 100 Continue, then the body was "
            + (echoes ? "echoed exact" : "answered 200"));
      }
    }
  }
}
