package pipecgi.selftest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import pipecgi.core.Response;

/**
 * Who answered a request: pipecgi, or something on the way (the web server, a proxy) that never
 * passed it on. Every answer of pipecgi's carries X-Content-Type-Options: nosniff, and an error
 * of its own has the body "502 Bad Gateway\n" (its status and reason, nothing else); a server or
 * proxy that adds nosniff to all it sends does not write that body. The others are named by the
 * headers they sent.
 */
final class Answerer {
  /** How {@link #server} names the warm gateway. */
  static final String GATEWAY = "pipecgi --http";

  private Answerer() {}

  /** Whether {@code r} is a proxy's own error answer (squid's say so in X-Squid-Error). */
  static boolean isProxyError(HttpConnection.Reply r) {
    return r.header("X-Squid-Error") != null;
  }

  static boolean isPipecgi(HttpConnection.Reply r) {
    return "nosniff".equalsIgnoreCase(r.header("X-Content-Type-Options"));
  }

  /** Whether {@code r} is one of pipecgi's own error answers, whose cause it logged. */
  static boolean isPipecgiError(HttpConnection.Reply r) {
    byte[] text = (r.status + " " + Response.reasonPhrase(r.status) + "\n")
        .getBytes(StandardCharsets.US_ASCII);
    return isPipecgi(r) && Arrays.equals(r.body, text);
  }

  /**
   * What served {@code r}: its Server header; or, for an answer of pipecgi's with none but a
   * Date, the warm gateway (whose Jetty is told to send no Server header); or "".
   */
  static String server(HttpConnection.Reply r) {
    String server = r.header("Server");
    if (server != null) {
      return server;
    }
    return isPipecgi(r) && r.header("Date") != null ? GATEWAY : "";
  }

  /** The headers that say who answered, as "Server: squid/5.7, Via: 1.1 proxy (squid/5.7)". */
  static String named(HttpConnection.Reply r) {
    List<String> said = new ArrayList<>();
    for (String name : List.of("X-Squid-Error", "Server", "Via", "Location")) {
      if (r.header(name) != null) {
        said.add(name + ": " + r.header(name));
      }
    }
    return said.isEmpty() ? "an answer with no Server or Via header" : String.join(", ", said);
  }

  /**
   * {@code what} (such as "request 1") got {@code r} instead of {@code expected}: a failure that
   * says whose answer it was, and where to look.
   */
  static Failure unexpected(String what, HttpConnection.Reply r, int expected) {
    String got = what + " got " + r.status + " instead of " + expected;
    if (isPipecgiError(r)) {
      return new Failure(got + ", an error answer of pipecgi's own", "fix: the server's error log"
          + " says why (pipecgi's lines start with 'pipecgi[')" + (r.status == 404 ? "; the warm"
          + " gateway answers 404 at a path that is no endpoint: /NAME, or PREFIX/NAME with"
          + " --prefix" : ""));
    }
    if (isProxyError(r)) {
      return new Failure(got + ", not from pipecgi: the proxy's own error answer (" + named(r)
          + ")", proxyFix(r));
    }
    String fix;
    if (r.status == 407) {
      fix = proxyFix(r);
    } else if (r.status == 404) {
      fix = "fix: nothing answers at this URL: check its path (NAME.cgi in the directory the"
          + " server runs CGI programs from; /NAME, or PREFIX/NAME, under --http)";
    } else {
      fix = "fix: pipecgi did not send this answer, so its error log says nothing of it: look"
          + " in the log of the server or proxy named above";
    }
    return new Failure(got + ", not an error answer of pipecgi's: " + named(r), fix);
  }

  /** What to do about a proxy's own error, from squid's X-Squid-Error when there is one. */
  static String proxyFix(HttpConnection.Reply r) {
    if (r.status == 407) {
      return "fix: the proxy wants a user and password: give them in its URL,"
          + " http://USER:PASSWORD@HOST:PORT";
    }
    String error = r.header("X-Squid-Error");
    switch (error == null ? "" : error.split(" ")[0]) {
      case "ERR_INVALID_URL":
        return "fix: the proxy got a request that it cannot pass on, such as one for itself:"
            + " give the endpoint's URL, and the proxy with --proxy";
      case "ERR_CONNECT_FAIL":
        return "fix: the proxy cannot connect to the endpoint's host and port: is the server"
            + " up, and can the proxy reach it?";
      case "ERR_DNS_FAIL":
        return "fix: the proxy cannot resolve the endpoint's host name";
      case "ERR_ACCESS_DENIED":
        return "fix: the proxy's rules refuse the request (squid's allow CONNECT to port 443"
            + " only, unless told otherwise): ask whoever runs it";
      default:
        return "fix: the proxy did not pass the request on: its log says why";
    }
  }
}
