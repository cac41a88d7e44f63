package pipecgi;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * One configured endpoint answering one request: the request rules, the service run, and the
 * mapping of every way that can end to a status. It never throws: every failure becomes a short
 * error response for the client and one line in the error log.
 */
final class Endpoint {
  private final Options options;
  private final ErrorLog log;
  private volatile Spool requestBody;
  private volatile Spool serviceOutput;
  private volatile ServiceProcess service;
  private boolean bodyRead;

  Endpoint(Options options, ErrorLog log) {
    this.options = options;
    this.log = log;
  }

  /** Answers the request described by {@code env} (CGI meta-variables) with body {@code in}. */
  Response handle(Map<String, String> env, InputStream in) {
    Response response;
    try {
      response = serve(env, in);
    } catch (HttpError e) {
      log.line(e.status + " " + Response.reasonPhrase(e.status) + ": " + e.getMessage());
      response = Response.error(e.status);
    }
    return withPolicyHeaders(response, env);
  }

  private Response serve(Map<String, String> env, InputStream in) throws HttpError {
    CgiRequest request = CgiRequest.read(env, in, options);
    requestBody = request.body;
    bodyRead = !request.isOptions();
    if (request.isOptions()) {
      return Response.empty(204);
    }
    Spool out = new Spool(options.memoryBufferBytes, options.maxResponseBytes);
    serviceOutput = out;
    Map<String, String> serviceEnv =
        ServiceEnv.build(env, request.body.size(), options.passEnv);
    ServiceProcess p;
    try {
      File program = ServiceProgram.locate(options.command.get(0));
      String unusable = ServiceProgram.unusable(program);
      if (unusable != null) {
        throw new HttpError(502, "cannot start the service: " + unusable);
      }
      String refused = ServiceProgram.refusal(program);
      if (refused != null) {
        throw new HttpError(500, "refused to run the service: " + refused);
      }
      p = ServiceProcess.start(program, options.command, options.workdir, serviceEnv, out, log);
    } catch (IOException e) {
      throw new HttpError(502, "cannot start the service: " + e.getMessage());
    }
    service = p;
    checkEnding(p, run(p, request.body));
    return options.cgiOutput
        ? ServiceOutput.cgi(out, options.contentType)
        : ServiceOutput.body(out, options.contentType);
  }

  private ServiceProcess.Ending run(ServiceProcess p, Spool body) throws HttpError {
    try {
      return p.run(body, options.timeoutMillis);
    } catch (InterruptedException e) {
      p.kill();
      Thread.currentThread().interrupt();
      throw new HttpError(502, "interrupted while waiting for the service");
    }
  }

  private void checkEnding(ServiceProcess p, ServiceProcess.Ending ending) throws HttpError {
    switch (ending) {
      case TIMED_OUT:
        throw new HttpError(504, "the service did not finish within the timeout ("
            + options.timeoutText() + " s); it and its child processes were stopped");
      case OUTPUT_TOO_LARGE:
        throw new HttpError(502, "the service wrote more than max-response-bytes ("
            + options.maxResponseBytes + ") and was stopped");
      case OUTPUT_LOST:
        throw new HttpError(502, "cannot keep the service's output: " + p.outputFailure());
      default:
        int code = p.exitValue();
        if (code > 128 && code < 128 + 32) { // how the JDK reports a death by a signal
          throw new HttpError(502, "the service was killed by signal " + (code - 128)
              + " (or exited with status " + code + ")");
        } else if (code != 0) {
          throw new HttpError(502, "the service exited with status " + code);
        }
    }
  }

  /** Headers every response gets, whatever produced it. */
  private Response withPolicyHeaders(Response r, Map<String, String> env) {
    // A body of unknown type must never be sniffed into HTML by a browser.
    r.set("X-Content-Type-Options", "nosniff");
    if (r.status == 405 || r.status == 204 && "OPTIONS".equals(env.get("REQUEST_METHOD"))) {
      r.set("Allow", allowed());
    }
    if (options.corsOrigin != null) {
      r.set("Access-Control-Allow-Origin", options.corsOrigin);
      if ("OPTIONS".equals(env.get("REQUEST_METHOD"))) {
        addPreflightHeaders(r, env.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"));
      }
    }
    return r;
  }

  /** The CORS preflight answer (Fetch standard, "CORS-preflight fetch"). */
  private void addPreflightHeaders(Response r, String requestedHeaders) {
    r.set("Access-Control-Allow-Methods", String.join(", ", options.methods));
    if (requestedHeaders != null && isTokenList(requestedHeaders)) {
      r.set("Access-Control-Allow-Headers", requestedHeaders);
    }
    r.set("Access-Control-Max-Age", "600");
  }

  private String allowed() {
    String methods = String.join(", ", options.methods);
    return options.methods.contains("OPTIONS") ? methods : methods + ", OPTIONS";
  }

  /** Whether the whole request body was read (else it may still be waiting on stdin). */
  boolean readWholeBody() {
    return bodyRead;
  }

  /** Releases the temporary files. */
  void close() {
    close(requestBody);
    close(serviceOutput);
  }

  /** Stops the service, if one is running, and releases everything: pipecgi is being stopped. */
  void abort() {
    ServiceProcess p = service;
    if (p != null) {
      p.kill();
    }
    close();
  }

  private static void close(Spool s) {
    if (s != null) {
      s.close();
    }
  }

  private static boolean isTokenList(String s) {
    for (String item : s.split(",")) {
      if (!HttpSyntax.isToken(HttpSyntax.trim(item))) {
        return false;
      }
    }
    return true;
  }

}
