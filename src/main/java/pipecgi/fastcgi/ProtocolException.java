package pipecgi.fastcgi;

/**
 * A peer broke the FastCGI protocol: its connection is closed, and the message is the log line
 * that says how.
 */
final class ProtocolException extends Exception {
  private static final long serialVersionUID = 1L;

  ProtocolException(String message) {
    super(message, null, false, false);
  }
}
