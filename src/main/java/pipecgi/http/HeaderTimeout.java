package pipecgi.http;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.NanoTime;
import org.eclipse.jetty.util.thread.Scheduler;
import pipecgi.core.ErrorLog;

/**
 * Closes a connection whose client takes longer than the header timeout to send a request's
 * headers, counted from its first byte (nginx's client_header_timeout, Apache's mod_reqtimeout).
 * Jetty's idle timeout alone starts again at every byte, so a client that sends its headers a byte
 * at a time would hold a connection for as long as it likes. Jetty has no setting for this: each
 * second, the parser of each open connection is asked how long it has been in a request's head.
 */
final class HeaderTimeout implements Connection.Listener {
  private static final long SWEEP_MILLIS = 1000;

  private final long timeoutNanos;
  private final ErrorLog log;
  private final Set<HttpConnection> open = ConcurrentHashMap.newKeySet();
  private Scheduler.Task sweep;

  HeaderTimeout(long timeoutMillis, ErrorLog log) {
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    this.log = log;
  }

  @Override
  public void onOpened(Connection connection) {
    if (connection instanceof HttpConnection http) {
      open.add(http);
    }
  }

  @Override
  public void onClosed(Connection connection) {
    open.remove(connection);
  }

  void start(Scheduler scheduler) {
    sweep = scheduler.schedule(() -> {
      sweep();
      start(scheduler);
    }, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
  }

  void stop() {
    if (sweep != null) {
      sweep.cancel();
    }
  }

  private void sweep() {
    for (HttpConnection c : open) {
      HttpParser parser = c.getParser();
      // Read from another thread, without the parser's lock: a stale value delays the close by
      // a sweep at most.
      if (parser.inHeaderState() && !parser.isStart()
          && NanoTime.since(parser.getBeginNanoTime()) > timeoutNanos) {
        log.line("408 Request Timeout: " + c.getEndPoint().getRemoteSocketAddress() + " took"
            + " more than " + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s to send a"
            + " request's headers; its connection was closed");
        c.getEndPoint().close();
      }
    }
  }
}
