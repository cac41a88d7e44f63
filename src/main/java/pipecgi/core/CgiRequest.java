package pipecgi.core;

import java.io.IOException;
import java.io.InputStream;

/**
 * A request as a web server hands it to a CGI program (RFC 3875): meta-variables in the
 * environment, the body on stdin. Reading one applies the request rules, in this order: method,
 * CONTENT_LENGTH syntax, declared size, then the body itself; the service starts only after all
 * of them pass.
 */
final class CgiRequest {
  final String method;
  /** The body, read whole; empty for OPTIONS. */
  final Spool body;

  private CgiRequest(String method, Spool body) {
    this.method = method;
    this.body = body;
  }

  boolean isOptions() {
    return method.equals("OPTIONS");
  }

  static CgiRequest read(String method, String contentLength, InputStream in,
      EndpointConfig options) throws HttpError {
    if (method == null || method.isEmpty()) {
      throw new HttpError(500, "no REQUEST_METHOD in the environment: pipecgi is meant to be"
          + " started by a web server (from a shell, use test-fixtures/run)");
    }
    Spool body = new Spool(options.memoryBufferBytes, options.maxRequestBytes);
    if (method.equals("OPTIONS")) {
      return new CgiRequest(method, body);
    }
    if (!options.methods.contains(method)) {
      throw new HttpError(405, "method " + method + " is not in methods ("
          + String.join(",", options.methods) + ")");
    }
    readBody(contentLength, in, body, options.maxRequestBytes);
    return new CgiRequest(method, body);
  }

  private static void readBody(String contentLength, InputStream in, Spool body, long max)
      throws HttpError {
    try {
      // RFC 3875 4.1.2: CONTENT_LENGTH = "" | 1*digit. Apache leaves it out for a chunked body,
      // which it de-chunks: then the body is everything up to the end of the input.
      if (contentLength == null || contentLength.isEmpty()) {
        if (!body.readFrom(in)) {
          throw tooLarge("more than", max);
        }
        return;
      }
      long declared = declaredLength(contentLength);
      if (declared > max) {
        throw tooLarge(contentLength, max);
      }
      readExactly(in, body, declared);
    } catch (Spool.StorageException e) {
      throw new HttpError(500, "cannot keep the request body: " + e.getMessage());
    } catch (IOException e) {
      throw new HttpError(400, "cannot read the request body: " + e.getMessage());
    }
  }

  private static long declaredLength(String contentLength) throws HttpError {
    for (int i = 0; i < contentLength.length(); i++) {
      char c = contentLength.charAt(i);
      if (c < '0' || c > '9') {
        // Long.parseLong would accept "+3"; a CGI must not.
        throw new HttpError(400, "CONTENT_LENGTH is not a number of bytes: \""
            + contentLength + "\"");
      }
    }
    long n = Setting.digits(contentLength);
    return n < 0 ? Long.MAX_VALUE : n; // more than 18 digits: larger than any limit
  }

  private static void readExactly(InputStream in, Spool body, long length)
      throws IOException, HttpError {
    byte[] buffer = new byte[(int) Math.min(64 * 1024, Math.max(length, 1))];
    long remaining = length;
    while (remaining > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
      if (n < 0) {
        throw new HttpError(400, "the request body ended after " + (length - remaining)
            + " of " + length + " bytes (CONTENT_LENGTH)");
      }
      body.write(buffer, 0, n);
      remaining -= n;
    }
  }

  private static HttpError tooLarge(String size, long max) {
    return new HttpError(413, "request body of " + size + " bytes is over max-request-bytes ("
        + max + ")");
  }
}
