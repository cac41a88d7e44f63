package pipecgi.core;

/**
 * A request that ends in an error status. The message is for the server's error log only; the client
 * gets nothing but the status (see {@link Response#error}).
 */
public final class HttpError extends Exception {
  private static final long serialVersionUID = 1L;

  public final int status;

  public HttpError(int status, String logMessage) {
    // No stack trace: this is an answer, not a bug, and it is cheaper.
    super(logMessage, null, false, false);
    this.status = status;
  }
}
