package pipecgi.fastcgi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * FastCGI's name-value pairs (section 3.4): each length in one byte, or in four with the high bit
 * set, then the name's and the value's bytes. A request's PARAMS are its CGI meta-variables; a
 * GET_VALUES record asks for names, and GET_VALUES_RESULT answers with pairs.
 */
final class Params {
  private Params() {}

  /**
   * The pairs in {@code b}. Bytes that are not UTF-8 become U+FFFD, as they would reaching a CGI
   * program through its environment under the launcher's UTF-8 locale.
   */
  static Map<String, String> decode(byte[] b) throws ProtocolException {
    Map<String, String> pairs = new LinkedHashMap<>();
    int at = 0;
    while (at < b.length) {
      int[] nameLength = length(b, at);
      int[] valueLength = length(b, nameLength[1]);
      int start = valueLength[1];
      long end = (long) start + nameLength[0] + valueLength[0];
      if (end > b.length) {
        throw new ProtocolException("a name-value pair longer than its PARAMS");
      }
      String name = new String(b, start, nameLength[0], StandardCharsets.UTF_8);
      String value = new String(b, start + nameLength[0], valueLength[0], StandardCharsets.UTF_8);
      pairs.put(name, value);
      at = (int) end;
    }
    return pairs;
  }

  /** {length, position after it} of the length at {@code at}. */
  private static int[] length(byte[] b, int at) throws ProtocolException {
    if (at >= b.length) {
      throw new ProtocolException("a name-value pair cut short");
    }
    if ((b[at] & 0x80) == 0) {
      return new int[] {b[at] & 0x7f, at + 1};
    }
    if (at + 4 > b.length) {
      throw new ProtocolException("a name-value pair cut short");
    }
    int n = (b[at] & 0x7f) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8
        | b[at + 3] & 0xff;
    return new int[] {n, at + 4};
  }

  static byte[] encode(Map<String, String> pairs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Map.Entry<String, String> e : pairs.entrySet()) {
      byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
      byte[] value = e.getValue().getBytes(StandardCharsets.UTF_8);
      length(out, name.length);
      length(out, value.length);
      out.writeBytes(name);
      out.writeBytes(value);
    }
    return out.toByteArray();
  }

  private static void length(ByteArrayOutputStream out, int n) {
    if (n < 0x80) {
      out.write(n);
    } else {
      out.write(0x80 | n >>> 24);
      out.write(n >>> 16);
      out.write(n >>> 8);
      out.write(n);
    }
  }
}
