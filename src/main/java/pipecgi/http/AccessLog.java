package pipecgi.http;

import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.NanoTime;
import pipecgi.core.ErrorLog;

/**
 * One line per request, in the error log's format (the gateway has one log, its stderr): the
 * client, method, path (without the query, which may carry secrets), status, body bytes sent and
 * milliseconds, as in {@code pipecgi[echo]: access: 127.0.0.1 POST /echo 200 31 B 2 ms}.
 */
final class AccessLog implements RequestLog {
  private final OutputStream err;

  AccessLog(OutputStream err) {
    this.err = err;
  }

  @Override
  public void log(Request request, Response response) {
    String name = (String) request.getAttribute(EndpointHandler.ENDPOINT);
    long millis = TimeUnit.NANOSECONDS.toMillis(NanoTime.since(request.getBeginNanoTime()));
    String path = request.getHttpURI().getPath();
    String peer = Request.getRemoteAddr(request);
    new ErrorLog(err, name).line("access: " + (peer == null || peer.isEmpty() ? "unix" : peer) + " "
        + request.getMethod() + " " + (path == null ? "-" : path) + " " + response.getStatus()
        + " " + Response.getContentBytesWritten(response) + " B " + millis + " ms");
  }
}
