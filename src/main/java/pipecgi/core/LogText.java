package pipecgi.core;

import java.io.ByteArrayOutputStream;

/**
 * Makes untrusted bytes safe for a one-line log entry. Printable ASCII and well-formed UTF-8 from
 * U+00A0 up pass; every other byte (C0 and C1 controls, DEL, malformed UTF-8) becomes {@code \xNN}
 * and a backslash becomes {@code \\}, so the escaping can be read back and a service cannot forge
 * log lines or send terminal escape sequences to whoever reads the log.
 */
public final class LogText {
  private static final byte[] HEX = {
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'
  };

  private LogText() {}

  public static void escape(byte[] b, int off, int len, ByteArrayOutputStream out) {
    int end = off + len;
    int i = off;
    while (i < end) {
      int c = b[i] & 0xff;
      if (c == '\\') {
        out.write('\\');
        out.write('\\');
        i++;
      } else if (c == '\t' || (c >= 0x20 && c < 0x7f)) {
        out.write(c);
        i++;
      } else {
        int n = printableUtf8Length(b, i, end);
        if (n > 0) {
          out.write(b, i, n);
          i += n;
        } else {
          out.write('\\');
          out.write('x');
          out.write(HEX[c >> 4]);
          out.write(HEX[c & 0xf]);
          i++;
        }
      }
    }
  }

  /** The length of the well-formed UTF-8 sequence at {@code i} if it encodes U+00A0 or above, else 0. */
  private static int printableUtf8Length(byte[] b, int i, int end) {
    int lead = b[i] & 0xff;
    int n;
    int cp;
    int min;
    if (lead >= 0xc2 && lead <= 0xdf) {
      n = 2;
      cp = lead & 0x1f;
      min = 0xa0;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      n = 3;
      cp = lead & 0x0f;
      min = 0x800;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      n = 4;
      cp = lead & 0x07;
      min = 0x10000;
    } else {
      return 0;
    }
    if (i + n > end) {
      return 0;
    }
    for (int k = 1; k < n; k++) {
      int c = b[i + k] & 0xff;
      if ((c & 0xc0) != 0x80) {
        return 0;
      }
      cp = (cp << 6) | (c & 0x3f);
    }
    boolean surrogate = cp >= 0xd800 && cp <= 0xdfff;
    return cp >= min && cp <= 0x10ffff && !surrogate ? n : 0;
  }
}
