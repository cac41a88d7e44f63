package pipecgi.selftest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * The checks of a session endpoint (session = line), in the requests of its protocol: open, send
 * three lines pipelined on one connection, receive, close. What the service writes back, and
 * when, is its own business, so a receive passes with lines (200) or with none (204); but a
 * service that echoes must have got the lines in the order they were numbered. An idle receive
 * waits 20 s on the server, so the client waits {@link #RECEIVE_MILLIS} for lines: an echo comes
 * in milliseconds, and a loaded machine has ten seconds.
 */
final class SessionCheck {
  static final int RECEIVE_MILLIS = 10_000;
  private static final List<String> LINES = List.of("pipecgi self-test 1\n",
      "pipecgi self-test 2\n", "pipecgi self-test 3\n");

  private final Target target;
  private final SelfTest report;
  private final int timeoutMillis;

  SessionCheck(Target target, SelfTest report, int timeoutMillis) {
    this.target = target;
    this.report = report;
    this.timeoutMillis = timeoutMillis;
  }

  /**
   * Runs the checks, and returns true; or returns false, having said nothing, when the endpoint
   * opens no session (it is no session endpoint).
   */
  boolean run() throws IOException {
    HttpConnection.Reply open = exchange("POST", new byte[0], timeoutMillis,
        "Pipecgi-Session: new");
    String id = open.header("Pipecgi-Session");
    if (open.status != 201 || id == null) {
      return false;
    }
    report.heard(open);
    report.note("a session endpoint: a POST without Pipecgi-Session is refused (400), and"
        + " Pipecgi-Session: new opens a session; so the test holds a conversation");
    if ("0".equals(open.header("Pipecgi-Cursor"))) {
      report.ok("open: 201, with the session's id and Pipecgi-Cursor: 0");
    } else {
      report.fail("open: 201, but with Pipecgi-Cursor: " + open.header("Pipecgi-Cursor")
          + " instead of 0", null);
    }
    try {
      if (send(id)) {
        receive(id);
      }
    } finally {
      close(id);
    }
    return true;
  }

  /** Sends the lines as messages 1, 2 and 3, pipelined in one write. */
  private boolean send(String id) throws IOException {
    ByteArrayOutputStream burst = new ByteArrayOutputStream();
    for (int i = 0; i < LINES.size(); i++) {
      burst.writeBytes(target.request("POST", "HTTP/1.1", ascii(LINES.get(i)),
          "Pipecgi-Session: " + id, "Pipecgi-Sequence: " + (i + 1)));
    }
    try (HttpConnection c = target.connect(timeoutMillis)) {
      c.send(burst.toByteArray());
      for (int i = 0; i < LINES.size(); i++) {
        HttpConnection.Reply r = c.read("POST");
        if (r.status != 204) {
          refused("send of message " + (i + 1), r, 204);
          return false;
        }
        if (r.closes() && i < LINES.size() - 1) {
          report.fail("send: the connection was closed after message " + (i + 1) + " of "
              + LINES.size() + " pipelined ones", "fix: the server or a proxy in front of it"
              + " does not support pipelining; send one message at a time");
          return false;
        }
      }
    }
    report.ok("send: " + LINES.size() + " messages, pipelined in one write, were each written to"
        + " the service's stdin (204)");
    return true;
  }

  /** Reads the service's lines, until as many as were sent, or until it writes no more. */
  private void receive(String id) throws IOException {
    List<String> got = new ArrayList<>();
    String cursor = "0";
    while (got.size() < LINES.size() && LINES.subList(0, got.size()).equals(got)) {
      HttpConnection.Reply r;
      try {
        r = exchange("GET", null, RECEIVE_MILLIS, "Pipecgi-Session: " + id,
            "Pipecgi-Cursor: " + cursor);
      } catch (SocketTimeoutException e) {
        break;
      }
      if (r.status == 204) {
        break;
      } else if (r.status != 200) {
        refused("receive", r, 200);
        return;
      }
      got.addAll(lines(r.body));
      cursor = r.header("Pipecgi-Cursor");
      if (cursor == null) {
        report.fail("receive: 200 without Pipecgi-Cursor, the cursor of the next line", null);
        return;
      }
    }
    verdict(got, cursor);
  }

  private void verdict(List<String> got, String cursor) {
    if (got.isEmpty()) {
      report.note("receive: the service wrote no line within " + RECEIVE_MILLIS / 1000 + " s"
          + " (a receive waits up to 20 s for one); what it writes, and when, is its business");
    } else if (got.equals(LINES)) {
      report.ok("receive: the service echoed the " + LINES.size() + " messages in order, and"
          + " Pipecgi-Cursor: " + cursor);
    } else if (new HashSet<>(got).equals(new HashSet<>(LINES))) {
      report.fail("receive: the service echoed the messages in another order: "
          + String.join(" ", got.stream().map(l -> l.substring(l.length() - 2, l.length() - 1))
          .toList()), "fix: pipecgi writes message N to the service's stdin only after N - 1,"
          + " so the service itself wrote its lines out of order");
    } else {
      report.ok("receive: " + got.size() + (got.size() == 1 ? " line" : " lines") + " from the"
          + " service, and Pipecgi-Cursor: " + cursor);
    }
  }

  private static List<String> lines(byte[] body) {
    List<String> lines = new ArrayList<>();
    String text = new String(body, StandardCharsets.UTF_8);
    for (int at = 0, end; (end = text.indexOf('\n', at)) >= 0; at = end + 1) {
      lines.add(text.substring(at, end + 1));
    }
    return lines;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private void close(String id) throws IOException {
    HttpConnection.Reply r = exchange("DELETE", null, timeoutMillis, "Pipecgi-Session: " + id);
    if (r.status == 204) {
      report.ok("close: 204, the session was closed");
    } else {
      refused("close", r, 204);
    }
  }

  /** A session ended early says why (Pipecgi-Close); any other answer, whose it was. */
  private void refused(String step, HttpConnection.Reply r, int expected) {
    String why = r.header("Pipecgi-Close");
    if (r.status == 410 && why != null) {
      report.fail(step + ": 410, the session has ended: " + why, "fix: a session's service"
          + " runs for the whole conversation, reading its stdin line by line");
    } else {
      Failure f = Answerer.unexpected(step, r, expected);
      report.fail(f.getMessage(), f.fix);
    }
  }

  /** One request on a connection of its own. */
  private HttpConnection.Reply exchange(String method, byte[] body, int timeout,
      String... headers) throws IOException {
    try (HttpConnection c = target.connect(timeout)) {
      c.send(target.request(method, "HTTP/1.1", body, headers));
      return c.read(method);
    }
  }
}
