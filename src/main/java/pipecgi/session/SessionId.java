package pipecgi.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A session's id: 192 bits from SecureRandom, written in base64url (32 characters), after the
 * route its page chose, if it chose one ("ROUTE.SECRET"): a proxy in front of several pipecgi
 * instances hashes on the route, the same from the opening request on ("new.ROUTE"), so that every
 * request of the session reaches the instance that holds it. The route is no secret; the 192 bits
 * are. The id travels in a request header only, never in a URL or a cookie; it is compared in
 * constant time, and the log names a session by a short hash of it, from which the id cannot be
 * found.
 */
final class SessionId {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int BYTES = 24;
  /** A route: what a page may choose, short and plain enough for any proxy's map. */
  private static final Pattern ROUTE = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  final String text;
  /** What the log calls the session: the first 8 hex digits of the id's SHA-256. */
  final String shortForm;

  private SessionId(String text) {
    this.text = text;
    this.shortForm = HexFormat.of().formatHex(sha256(text), 0, 4);
  }

  /** A new id, after {@code route} (null for none). */
  static SessionId random(String route) {
    byte[] b = new byte[BYTES];
    RANDOM.nextBytes(b);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    return new SessionId(route == null ? secret : route + "." + secret);
  }

  /** Whether a page may choose {@code route}. */
  static boolean isRoute(String route) {
    return ROUTE.matcher(route).matches();
  }

  /** Whether {@code candidate} is this id, in a time that does not depend on where they differ. */
  boolean matches(String candidate) {
    return candidate != null && MessageDigest.isEqual(text.getBytes(StandardCharsets.US_ASCII),
        candidate.getBytes(StandardCharsets.US_ASCII));
  }

  /** The log's name for {@code candidate}, which may be no session's id. */
  static String shortForm(String candidate) {
    return HexFormat.of().formatHex(sha256(candidate == null ? "" : candidate), 0, 4);
  }

  /** The whole SHA-256 of {@code candidate}, in hex. */
  static String hash(String candidate) {
    return HexFormat.of().formatHex(sha256(candidate == null ? "" : candidate));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e); // every JDK has SHA-256
    }
  }
}
