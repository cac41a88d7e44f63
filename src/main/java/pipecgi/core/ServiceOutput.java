package pipecgi.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns what the service wrote into a response. In body mode all of it is the body. In cgi mode it
 * starts with CGI header fields (RFC 3875 section 6) and a blank line; they are checked strictly,
 * because a web server passes some malformed ones straight to the client and merges others into
 * the next field (see server-facts). Any broken rule is a 502 whose log line names the rule.
 */
final class ServiceOutput {
  /** Apache's limit for one CGI header line. */
  static final int MAX_LINE = 8192;

  static final int MAX_HEADER_BLOCK = 64 * 1024;

  private ServiceOutput() {}

  static Response body(Spool out, String contentType) {
    return new Response(200, "", out, 0).add("Content-Type", contentType);
  }

  static Response cgi(Spool out, String defaultContentType) throws HttpError {
    byte[] head;
    try {
      head = out.head(MAX_HEADER_BLOCK + 2);
    } catch (IOException e) {
      throw new HttpError(502, "cannot read back the service's output: " + e.getMessage());
    }
    boolean complete = head.length == out.size();
    Fields fields = new Fields();
    int pos = 0;
    while (true) {
      int limit = Math.min(head.length, pos + MAX_LINE + 2); // room for the CRLF
      int nl = indexOf(head, (byte) '\n', pos, limit);
      if (nl < 0) {
        throw new HttpError(502, missingLineEnd(head, pos, limit, complete));
      }
      int end = nl > pos && head[nl - 1] == '\r' ? nl - 1 : nl;
      if (end - pos > MAX_LINE) {
        throw bad("a header line is longer than " + MAX_LINE + " bytes");
      }
      String line = new String(head, pos, end - pos, StandardCharsets.ISO_8859_1);
      pos = nl + 1;
      if (line.isEmpty()) {
        break;
      }
      fields.accept(line);
    }
    return fields.toResponse(out, pos, defaultContentType);
  }

  private static String missingLineEnd(byte[] head, int pos, int limit, boolean complete) {
    if (limit - pos > MAX_LINE + 1) {
      return "cgi output: a header line is longer than " + MAX_LINE + " bytes";
    }
    if (!complete) {
      return "cgi output: the header block is longer than " + MAX_HEADER_BLOCK + " bytes";
    }
    return head.length == 0
        ? "cgi output: the service printed nothing (output = cgi expects header lines, a blank"
            + " line, then the body)"
        : "cgi output: no blank line after the header lines";
  }

  /** The header fields read so far, and the rules about which of them are special. */
  private static final class Fields {
    private final List<String> names = new ArrayList<>();
    private final List<String> values = new ArrayList<>();
    private String status;
    private String location;
    private String contentType;

    void accept(String line) throws HttpError {
      int colon = line.indexOf(':');
      if (colon < 0) {
        throw bad("a header line has no ':'");
      }
      String name = line.substring(0, colon);
      if (!HttpSyntax.isToken(name)) {
        throw bad("a header name is not an RFC 9110 token (no spaces, no control characters)");
      }
      String value = HttpSyntax.trim(line.substring(colon + 1));
      if (!HttpSyntax.isFieldValue(value)) {
        throw bad("the value of " + name + " has a control character (CR, LF, NUL, ...)");
      }
      String lower = name.toLowerCase(java.util.Locale.ROOT);
      if (lower.equals("status")) {
        status = once(status, name, value);
      } else if (lower.equals("location")) {
        location = once(location, name, value);
        keep(name, value);
      } else if (lower.equals("content-type")) {
        contentType = once(contentType, name, value);
      } else if (!isFramingOrHopByHop(lower)) {
        keep(name, value);
      }
    }

    private void keep(String name, String value) {
      names.add(name);
      values.add(value);
    }

    Response toResponse(Spool out, long bodyOffset, String defaultContentType) throws HttpError {
      int code = 200;
      String reason = "";
      if (status != null) {
        if (!isStatus(status)) {
          throw bad("Status is not a 3-digit code from 200 to 599 with an optional reason: '"
              + status + "'");
        }
        code = Integer.parseInt(status.substring(0, 3));
        reason = status.length() > 3 ? HttpSyntax.trim(status.substring(4)) : "";
      } else if (location != null) {
        code = 302; // RFC 3875 6.2.3/6.2.4: a redirect needs a Status; this is the usual one
      }
      Response r = new Response(code, reason, Response.mayHaveBody(code) ? out : null, bodyOffset);
      if (contentType != null) {
        r.add("Content-Type", contentType);
      } else if (Response.mayHaveBody(code)) {
        r.add("Content-Type", defaultContentType);
      }
      for (int i = 0; i < names.size(); i++) {
        r.add(names.get(i), values.get(i));
      }
      return r;
    }

    private static String once(String previous, String name, String value) throws HttpError {
      if (previous != null) {
        throw bad(name + " appears more than once");
      }
      return value;
    }
  }

  /**
   * Fields that pipecgi sets itself (the framing) or that belong to one connection, not to the
   * response (RFC 9110 7.6.1), and X-Content-Type-Options, which pipecgi always sends.
   */
  private static boolean isFramingOrHopByHop(String lowerName) {
    switch (lowerName) {
      case "content-length":
      case "transfer-encoding":
      case "connection":
      case "keep-alive":
      case "proxy-connection":
      case "te":
      case "trailer":
      case "upgrade":
      case "x-content-type-options":
        return true;
      default:
        return false;
    }
  }

  private static boolean isStatus(String s) {
    if (s.length() < 3 || (s.length() > 3 && s.charAt(3) != ' ')) {
      return false;
    }
    long code = Setting.digits(s.substring(0, 3));
    return code >= 200 && code <= 599;
  }

  private static int indexOf(byte[] b, byte target, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == target) {
        return i;
      }
    }
    return -1;
  }

  private static HttpError bad(String rule) {
    return new HttpError(502, "cgi output: " + rule);
  }
}
