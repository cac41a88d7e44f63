package pipecgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Runs pipecgi in-process as a web server would, and reads what it wrote strictly. */
public final class Cgi {
  private Cgi() {}

  /** A CGI environment: REQUEST_METHOD plus name/value pairs. */
  public static Map<String, String> env(String method, String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put("REQUEST_METHOD", method);
    env.put("GATEWAY_INTERFACE", "CGI/1.1");
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  /** A POST of {@code body} with its CONTENT_LENGTH. */
  public static Map<String, String> post(byte[] body, String... pairs) {
    Map<String, String> env = env("POST", pairs);
    env.put("CONTENT_LENGTH", Integer.toString(body.length));
    return env;
  }

  public static Result run(Map<String, String> env, byte[] body, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = new Main(env, new ByteArrayInputStream(body), out, err).run(args);
    return new Result(exit, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
  }

  public static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** What pipecgi wrote: exit status, the CGI response taken apart, and the error log. */
  public static final class Result {
    public final int exit;
    public final byte[] raw;
    public final String log;
    public final int status;
    public final String statusLine;
    /** Lower-case names; each with its values in order. */
    public final Map<String, List<String>> headers = new LinkedHashMap<>();

    public final byte[] body;

    public Result(int exit, byte[] raw, String log) {
      this.exit = exit;
      this.raw = raw;
      this.log = log;
      String text = new String(raw, StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\r\n\r\n");
      assertTrue(end > 0, () -> "no CRLF CRLF after the headers in: " + text);
      String[] lines = text.substring(0, end).split("\r\n", -1);
      for (String line : lines) {
        assertFalse(line.contains("\n") || line.contains("\r"), "bare CR or LF in " + line);
      }
      statusLine = lines[0];
      // (?s): a reason phrase may hold obs-text, such as 0x85, which . would not match.
      assertTrue(statusLine.matches("(?s)Status: \\d{3} .*"), statusLine);
      status = Integer.parseInt(statusLine.substring(8, 11));
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(": ");
        assertTrue(colon > 0, lines[i]);
        headers
            .computeIfAbsent(lines[i].substring(0, colon).toLowerCase(Locale.ROOT),
                k -> new ArrayList<>())
            .add(lines[i].substring(colon + 2));
      }
      body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
    }

    public String header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null ? null : values.get(0);
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    /** The log lines, without the trailing newline. */
    public List<String> logLines() {
      return log.isEmpty() ? List.of() : List.of(log.split("\n"));
    }

    /** Checks the framing every response must have: an exact length, nosniff. */
    public Result assertFramed() {
      return assertFramed("GET");
    }

    /** The same for a response to {@code method}: a HEAD response has a length but no body. */
    public Result assertFramed(String method) {
      assertEquals("nosniff", header("X-Content-Type-Options"));
      if (status == 204 || status == 304) {
        assertEquals(null, header("Content-Length"));
        assertEquals(0, body.length);
      } else if ("HEAD".equals(method)) {
        assertTrue(header("Content-Length").matches("[0-9]+"), header("Content-Length"));
        assertEquals(0, body.length);
      } else if (header("Content-Length") != null) {
        assertEquals(Long.toString(body.length), header("Content-Length"), "exact length");
      }
      return this;
    }
  }
}
