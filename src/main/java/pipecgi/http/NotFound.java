package pipecgi.http;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import pipecgi.core.ErrorLog;

/** The last word on a path that is neither an endpoint nor a page: 404, and one log line. */
final class NotFound extends Handler.Abstract.NonBlocking {
  private final ErrorLog log;
  private final String where;

  NotFound(ErrorLog log, String where) {
    this.log = log;
    this.where = where;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    log.line("404 Not Found: " + request.getHttpURI().getPath() + " is no endpoint" + where);
    EndpointHandler.send(request, response, EndpointHandler.error(404), false);
    callback.succeeded();
    return true;
  }
}
