package pipecgi;

/** A bad command line or configuration file. The message is what the administrator sees. */
final class UsageException extends Exception {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message, null, false, false);
  }
}
