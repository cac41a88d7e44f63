package pipecgi.http;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;
import pipecgi.core.ErrorLog;

/**
 * Where Jetty's own log goes: its warnings and errors become lines of pipecgi's error log, in
 * pipecgi's format and never with a stack trace; its notes (information, debugging) are dropped.
 * Jetty logs through SLF4J, which finds this provider through the jar's
 * META-INF/services/org.slf4j.spi.SLF4JServiceProvider.
 */
public final class JettyLog implements SLF4JServiceProvider {
  private static volatile ErrorLog target =
      new ErrorLog(new FileOutputStream(FileDescriptor.err), null);

  private final ILoggerFactory loggers = name -> new Lines();
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new NOPMDCAdapter();

  /** Sends Jetty's warnings and errors to {@code log}. */
  static void install(ErrorLog log) {
    target = log;
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return loggers;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {
    // Nothing to set up.
  }

  /** One logger serves every name: the name says which Jetty class spoke, not what happened. */
  private static final class Lines extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean isTraceEnabled() {
      return false;
    }

    @Override
    public boolean isDebugEnabled() {
      return false;
    }

    @Override
    public boolean isInfoEnabled() {
      return false;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern,
        Object[] arguments, Throwable thrown) {
      String message = MessageFormatter.basicArrayFormat(pattern, arguments);
      target.line("jetty: " + message + (thrown == null ? "" : " (" + thrown + ")"));
    }
  }
}
