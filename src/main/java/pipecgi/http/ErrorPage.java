package pipecgi.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import pipecgi.core.ErrorLog;

/**
 * The answer to what Jetty refuses before any endpoint sees it (a malformed request 400, a request
 * line too long 414, headers too large 431): the same short text as pipecgi's own errors, never
 * Jetty's HTML page with its details, and one line in the log saying what was wrong.
 */
final class ErrorPage extends ErrorHandler {
  private final ErrorLog log;

  ErrorPage(ErrorLog log) {
    this.log = log;
    setCacheControl(null); // like pipecgi's own error answers
  }

  @Override
  protected void generateResponse(Request request, Response response, int code, String message,
      Throwable cause, Callback callback) {
    log.line(status(code) + ": " + why(message, cause) + " (" + Request.getRemoteAddr(request)
        + ")");
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.write(true, text(code), callback);
  }

  private static String why(String message, Throwable cause) {
    if (message != null && !message.isEmpty()) {
      return message;
    }
    return cause == null ? "a bad request" : cause.toString();
  }

  private static ByteBuffer text(int code) {
    return ByteBuffer.wrap((status(code) + "\n").getBytes(StandardCharsets.US_ASCII));
  }

  /** "431 Request Header Fields Too Large": pipecgi's words, as in its own error bodies. */
  private static String status(int code) {
    return code + " " + pipecgi.core.Response.reasonPhrase(code);
  }
}
