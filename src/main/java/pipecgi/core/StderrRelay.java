package pipecgi.core;

/**
 * Copies the service's stderr into the error log as it arrives, one log entry per line, escaped,
 * and never more than {@link #CAP} bytes per request: the rest is read and counted, so a service
 * that floods stderr neither blocks on a full pipe nor fills the log.
 */
public final class StderrRelay implements PipeDrain.Sink {
  static final int CAP = 64 * 1024;
  /** Longer lines are logged in pieces; Apache cuts error log entries at about 8 KiB. */
  private static final int LINE_MAX = 4096;

  private final ErrorLog log;
  private final byte[] line = new byte[LINE_MAX];
  private int lineLength;
  private long logged;
  private long dropped;

  public StderrRelay(ErrorLog log) {
    this.log = log;
  }

  /** The service's stderr has ended: logs its last line, and what was left out. */
  public void finish() {
    if (lineLength > 0) {
      emit();
    }
    if (dropped > 0) {
      log.line("stderr: " + dropped + " more bytes not logged (at most " + CAP
          + " bytes of stderr are logged per request)");
    }
  }

  @Override
  public boolean accept(byte[] bytes, int length) {
    for (int i = 0; i < length; i++) {
      accept(bytes[i]);
    }
    return true;
  }

  private void accept(byte b) {
    if (logged >= CAP) {
      dropped++;
    } else if (b == '\n') {
      emit();
    } else {
      line[lineLength++] = b;
      logged++;
      if (lineLength == LINE_MAX || logged == CAP) {
        emit();
      }
    }
  }

  private void emit() {
    int n = lineLength > 0 && line[lineLength - 1] == '\r' ? lineLength - 1 : lineLength;
    log.line("stderr: ", line, 0, n);
    lineLength = 0;
  }
}
