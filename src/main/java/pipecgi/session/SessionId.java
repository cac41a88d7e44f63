package pipecgi.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A session's id: 192 bits from SecureRandom, written in base64url (32 characters). It travels in
 * a request header only, never in a URL or a cookie; it is compared in constant time, and the log
 * names a session by a short hash of it, from which the id cannot be found.
 */
final class SessionId {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int BYTES = 24;

  final String text;
  /** What the log calls the session: the first 8 hex digits of the id's SHA-256. */
  final String shortForm;

  private SessionId(String text) {
    this.text = text;
    this.shortForm = HexFormat.of().formatHex(sha256(text), 0, 4);
  }

  static SessionId random() {
    byte[] b = new byte[BYTES];
    RANDOM.nextBytes(b);
    return new SessionId(Base64.getUrlEncoder().withoutPadding().encodeToString(b));
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
