package pipecgi.core;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * One request to an endpoint and its answer: the request rules, the service run, and the mapping
 * of every way that can end to a status. {@link #respond} never throws: every failure becomes a
 * short error response for the client and one line in the error log. Any thread may {@link
 * #abort} it; {@link #close} releases its temporary files.
 */
public final class Exchange implements AutoCloseable {
  /** Why a session endpoint cannot answer as a CGI program or a spawned FastCGI one. */
  static final String SESSIONS_NEED_A_GATEWAY = "a session endpoint (session = line) needs the"
      + " warm gateway (--http) or a FastCGI application on a socket of its own (--fastcgi"
      + " ADDRESS): one process that keeps its sessions' services running between requests";

  private final Endpoint endpoint;
  private final EndpointConfig config;
  private final ErrorLog log;
  /** REQUEST_METHOD, read once; null when the request has none. */
  private final String method;
  private final Map<String, String> request;
  private final Map<String, String> own;
  private final InputStream body;
  private volatile Spool requestBody;
  private volatile Spool serviceOutput;
  private volatile ServiceProcess service;
  /** Why the exchange was aborted, or null. */
  private volatile String aborted;
  private boolean bodyRead;

  Exchange(Endpoint endpoint, Map<String, String> request, Map<String, String> own,
      InputStream body, ErrorLog log) {
    this.endpoint = endpoint;
    this.config = endpoint.config();
    this.log = log;
    this.method = request.get("REQUEST_METHOD");
    this.request = request;
    this.own = own;
    this.body = body;
  }

  /** Where this request's log lines go, as {@code pipecgi[NAME]: }. */
  public ErrorLog log() {
    return log;
  }

  /** The request method, or null when the request has none. */
  public String method() {
    return method;
  }

  /** Whether the response goes out without its body (RFC 9110 9.3.2). */
  public boolean isHead() {
    return "HEAD".equals(method);
  }

  /** Reads the request, runs the service, and returns the response to send. */
  public Response respond() {
    Response response;
    try {
      if (config == null) {
        throw new HttpError(500, "bad configuration: " + endpoint.problem());
      }
      if (config.session) {
        throw new HttpError(500, SESSIONS_NEED_A_GATEWAY);
      }
      response = serve();
    } catch (HttpError e) {
      log.line(e.status + " " + Response.reasonPhrase(e.status) + ": " + e.getMessage());
      response = Response.error(e.status);
    }
    return withPolicyHeaders(response);
  }

  private Response serve() throws HttpError {
    CgiRequest r = CgiRequest.read(method, request.get("CONTENT_LENGTH"), body, config);
    requestBody = r.body;
    bodyRead = !r.isOptions();
    if (r.isOptions()) {
      return Response.empty(204);
    }
    Spool out = new Spool(config.memoryBufferBytes, config.maxResponseBytes);
    serviceOutput = out;
    File program = program();
    Map<String, String> env = ServiceEnv.build(request, own, r.body.size(), config.passEnv);
    ServiceProcess p;
    try {
      p = ServiceProcess.start(program, config.command, config.workdir, env, out, log);
    } catch (IOException e) {
      throw new HttpError(502, "cannot start the service: " + e.getMessage());
    }
    service = p;
    if (aborted != null) { // aborted while the service was being started
      p.kill();
    }
    checkEnding(p, run(p, r.body));
    return config.cgiOutput
        ? ServiceOutput.cgi(out, config.contentType)
        : ServiceOutput.body(out, config.contentType);
  }

  private File program() throws HttpError {
    try {
      return ServiceProgram.check(config.command.get(0));
    } catch (ServiceProgram.Problem e) {
      throw e.refused
          ? new HttpError(500, "refused to run the service: " + e.getMessage())
          : new HttpError(502, "cannot start the service: " + e.getMessage());
    }
  }

  private ServiceProcess.Ending run(ServiceProcess p, Spool stdin) throws HttpError {
    try {
      return p.run(stdin, config.timeoutMillis);
    } catch (InterruptedException e) {
      p.kill();
      Thread.currentThread().interrupt();
      throw new HttpError(502, "interrupted while waiting for the service");
    }
  }

  private void checkEnding(ServiceProcess p, ServiceProcess.Ending ending) throws HttpError {
    String why = aborted;
    if (why != null) {
      throw new HttpError(503, why + "; the service and its child processes were stopped");
    }
    // if, not switch: a switch on an enum costs a class of its own at start-up.
    if (ending == ServiceProcess.Ending.TIMED_OUT) {
      throw new HttpError(504, "the service did not finish within the timeout ("
          + config.timeoutText() + " s); it and its child processes were stopped");
    } else if (ending == ServiceProcess.Ending.OUTPUT_TOO_LARGE) {
      throw new HttpError(502, "the service wrote more than max-response-bytes ("
          + config.maxResponseBytes + ") and was stopped");
    } else if (ending == ServiceProcess.Ending.OUTPUT_LOST) {
      throw new HttpError(502, "cannot keep the service's output: " + p.outputFailure());
    }
    int code = p.exitValue();
    if (code > 128 && code < 128 + 32) { // how the JDK reports a death by a signal
      throw new HttpError(502, "the service was killed by signal " + (code - 128)
          + " (or exited with status " + code + ")");
    } else if (code != 0) {
      throw new HttpError(502, "the service exited with status " + code);
    }
  }

  /** Headers every response gets, whatever produced it. */
  private Response withPolicyHeaders(Response r) {
    // A body of unknown type must never be sniffed into HTML by a browser.
    r.set("X-Content-Type-Options", "nosniff");
    boolean options = "OPTIONS".equals(method);
    if (config == null) {
      return r;
    }
    if (r.status == 405 || r.status == 204 && options) {
      r.set("Allow", allowed());
    }
    if (config.corsOrigin != null) {
      r.set("Access-Control-Allow-Origin", config.corsOrigin);
      if (options) {
        addPreflightHeaders(r, request.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"));
      }
    }
    return r;
  }

  /** The CORS preflight answer (Fetch standard, "CORS-preflight fetch"). */
  private void addPreflightHeaders(Response r, String requestedHeaders) {
    r.set("Access-Control-Allow-Methods", String.join(", ", config.methods));
    if (requestedHeaders != null && isTokenList(requestedHeaders)) {
      r.set("Access-Control-Allow-Headers", requestedHeaders);
    }
    r.set("Access-Control-Max-Age", "600");
  }

  private String allowed() {
    String methods = String.join(", ", config.methods);
    return config.methods.contains("OPTIONS") ? methods : methods + ", OPTIONS";
  }

  /** Whether the whole request body was read (else some of it may still be unread). */
  public boolean readWholeBody() {
    return bodyRead;
  }

  /**
   * Stops the service, if one runs, with its whole process tree: {@link #respond} then answers
   * 503, and logs {@code why}.
   */
  public void abort(String why) {
    aborted = why;
    ServiceProcess p = service;
    if (p != null) {
      p.kill();
    }
  }

  /** Releases the temporary files. */
  @Override
  public void close() {
    close(requestBody);
    close(serviceOutput);
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
