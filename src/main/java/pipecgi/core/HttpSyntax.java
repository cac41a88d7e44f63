package pipecgi.core;

/** The pieces of RFC 9110 syntax that pipecgi checks: tokens and field values. */
public final class HttpSyntax {
  // RFC 9110 section 5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
  // "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
  private static final String TOKEN_PUNCTUATION = "!#$%&'*+-.^_`|~";

  private HttpSyntax() {}

  public static boolean isToken(CharSequence s) {
    if (s.length() == 0) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && TOKEN_PUNCTUATION.indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * RFC 9110 section 5.5: no control characters but horizontal tab (so no CR, LF or NUL), and
   * nothing beyond one byte (obs-text, 0x80-0xFF, is allowed).
   */
  public static boolean isFieldValue(CharSequence s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
        return false;
      }
    }
    return true;
  }

  /** Removes spaces and tabs (RFC 9110's OWS) at both ends, and nothing else. */
  public static String trim(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) {
      start++;
    }
    while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
      end--;
    }
    return s.substring(start, end);
  }
}
