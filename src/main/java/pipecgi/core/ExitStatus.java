package pipecgi.core;

/** How {@code java -jar pipecgi.jar} exits. */
public final class ExitStatus {
  /** A response was written, whatever its HTTP status; a gateway stopped as asked; or --help,
   * --version, a passing --check or --self-test. */
  public static final int OK = 0;
  /** --check or --self-test found a problem, the response could not be written, or a gateway
   * could not start. */
  public static final int FAILED = 1;
  /** A bad command line or configuration (under a web server, a 500 response was written). */
  public static final int BAD_CONFIGURATION = 2;

  private ExitStatus() {}
}
