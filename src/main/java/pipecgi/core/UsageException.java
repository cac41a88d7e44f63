package pipecgi.core;

/** A bad command line or configuration file. The message is what the administrator sees. */
public final class UsageException extends Exception {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message, null, false, false);
  }
}
