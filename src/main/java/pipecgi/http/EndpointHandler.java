package pipecgi.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import pipecgi.core.Endpoint;
import pipecgi.core.EndpointDirectory;
import pipecgi.core.ErrorLog;
import pipecgi.core.Exchange;
import pipecgi.core.GatewayConfig;
import pipecgi.core.Response;
import pipecgi.session.Sessions;

/**
 * Answers each HTTP request with an endpoint of the directory: /NAME and /NAME.cgi (and what
 * follows them, as PATH_INFO) are NAME.conf. It only translates: the request into meta-variables
 * and a body stream for the endpoint's {@link Exchange}, the exchange's {@link Response} into
 * HTTP. At most max-concurrent requests run at once; beyond, 503 at once.
 */
final class EndpointHandler extends Handler.Abstract {
  /** The request attribute that names the endpoint a request went to, for the access log. */
  static final String ENDPOINT = "pipecgi.endpoint";

  /** After its service is stopped, how long a request may take to send its 503. */
  private static final long ANSWER_MILLIS = 10_000;

  private final EndpointDirectory endpoints;
  private final GatewayConfig config;
  private final Map<String, String> own;
  /** The error log's stream, which each endpoint's lines go to. */
  private final OutputStream err;
  private final String software;
  private final Semaphore slots;
  private final Sessions sessions;
  private final Set<Exchange> running = ConcurrentHashMap.newKeySet();
  private volatile String stopping;

  EndpointHandler(EndpointDirectory endpoints, GatewayConfig config, Map<String, String> own,
      OutputStream err, String software) {
    super(InvocationType.BLOCKING);
    this.endpoints = endpoints;
    this.config = config;
    this.own = own;
    this.err = err;
    this.software = software;
    this.slots = new Semaphore(config.maxConcurrent);
    this.sessions = new Sessions(err);
  }

  @Override
  public boolean handle(Request request, org.eclipse.jetty.server.Response response,
      Callback callback) throws Exception {
    // pipecgi's own timeout bounds a request; Jetty's idle timeout is for idle connections.
    request.addIdleTimeoutListener(timeout -> false);
    Route route = Route.of(request.getHttpURI().getDecodedPath(), config.prefix);
    Endpoint endpoint = route == null ? null : endpoints.find(route.name());
    if (endpoint == null) {
      return false; // a page, or nothing: see HttpGateway
    }
    request.setAttribute(ENDPOINT, endpoint.name());
    if (Sessions.isFor(endpoint)) {
      converse(request, response, endpoint, route, callback);
      return true;
    }
    ErrorLog log = new ErrorLog(err, endpoint.name());
    try {
      route(request, response, endpoint, route, log);
      callback.succeeded();
    } catch (IOException e) {
      log.line("cannot send the response (the client has probably gone): "
          + e.getMessage());
      callback.failed(e);
    }
    return true;
  }

  private void route(Request request, org.eclipse.jetty.server.Response response,
      Endpoint endpoint, Route route, ErrorLog log) throws Exception {
    if (stopping != null) {
      log.line("503 Service Unavailable: " + stopping);
      response.getHeaders().put(HttpHeader.CONNECTION, "close");
      send(request, response, error(503), false);
    } else if (!slots.tryAcquire()) {
      log.line("503 Service Unavailable: " + config.maxConcurrent + " requests are"
          + " running, as many as max-concurrent allows");
      response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
      send(request, response, error(503), false);
    } else {
      try {
        answer(request, response, endpoint, route);
      } finally {
        slots.release();
      }
    }
  }

  private void answer(Request request, org.eclipse.jetty.server.Response response,
      Endpoint endpoint, Route route) throws Exception {
    Map<String, String> variables = RequestVariables.of(request, route.scriptName(),
        route.pathInfo(), config.trustedProxies, software);
    InputStream body = Request.asInputStream(request);
    try (Exchange exchange = endpoint.open(variables, own, body, err)) {
      running.add(exchange);
      request.addFailureListener(failure -> exchange.abort("the client went away ("
          + failure + ")"));
      try {
        send(request, response, exchange.respond(), exchange.isHead());
      } finally {
        running.remove(exchange);
      }
    }
  }

  /**
   * A request of a session: it holds no slot of max-concurrent (max-sessions bounds the
   * sessions), and what it waits for (the next line, its message's turn) holds no thread; it is
   * answered even while pipecgi stops, so that the page hears why its session ended.
   */
  private void converse(Request request, org.eclipse.jetty.server.Response response,
      Endpoint endpoint, Route route, Callback callback) {
    Map<String, String> variables = RequestVariables.of(request, route.scriptName(),
        route.pathInfo(), config.trustedProxies, software);
    sessions.respond(endpoint, variables, own, Request.asInputStream(request))
        .thenAccept(r -> {
          try {
            response.write(true, putHead(response, r) ? r.bodyInMemory() : ByteBuffer.allocate(0),
                callback);
          } catch (RuntimeException e) {
            callback.failed(e);
          }
        });
  }

  static Response error(int status) {
    return Response.error(status).set("X-Content-Type-Options", "nosniff");
  }

  /** Sends {@code r}: its status, fields and exact Content-Length, and its body unless HEAD. */
  static void send(Request request, org.eclipse.jetty.server.Response response,
      Response r, boolean head) throws Exception {
    if (!putHead(response, r)) {
      write(response, ByteBuffer.allocate(0));
      return;
    }
    ByteBuffer memory = head ? ByteBuffer.allocate(0) : r.bodyInMemory();
    if (memory != null) {
      write(response, memory);
    } else {
      try (OutputStream out = Content.Sink.asOutputStream(response)) {
        r.writeBody(out);
      }
    }
  }

  /** Puts {@code r}'s status and fields, and its Content-Length; false if it has no body. */
  private static boolean putHead(org.eclipse.jetty.server.Response response, Response r) {
    response.setStatus(r.status);
    HttpFields.Mutable fields = response.getHeaders();
    for (int i = 0; i < r.fieldCount(); i++) {
      fields.add(r.fieldName(i), r.fieldValue(i));
    }
    if (!Response.mayHaveBody(r.status)) {
      return false;
    }
    fields.put(HttpHeader.CONTENT_LENGTH, r.contentLength());
    return true;
  }

  /** The whole body in one write, the headers with it. */
  private static void write(org.eclipse.jetty.server.Response response, ByteBuffer body)
      throws Exception {
    try (Blocker.Callback done = Blocker.callback()) {
      response.write(true, body, done);
      done.block();
    }
  }

  /** How many requests are running now. */
  int running() {
    return running.size();
  }

  /**
   * From now on, refuses new requests with 503 and closes their connections; waits up to {@code
   * graceMillis} for the running ones to finish; then stops the services of those still running,
   * and gives their 503s the time to go out. Returns how many were stopped.
   */
  int stop(String why, long graceMillis) throws InterruptedException {
    stopping = why;
    awaitIdle(graceMillis);
    int stopped = 0;
    for (Exchange e : running) {
      e.abort(why + ", and the request did not finish within the grace period ("
          + graceMillis / 1000.0 + " s)");
      stopped++;
    }
    awaitIdle(ANSWER_MILLIS);
    return stopped;
  }

  /**
   * Ends every session (a conversation cannot finish by itself, as a request does): its page
   * hears that pipecgi is stopping. Returns how many there were.
   */
  int endSessions() {
    return sessions.stop();
  }

  private void awaitIdle(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (!running.isEmpty() && System.nanoTime() - deadline < 0) {
      Thread.sleep(20);
    }
  }

  /** Which endpoint a path names, and how the rest of it becomes PATH_INFO. */
  record Route(String name, String scriptName, String pathInfo) {
    private static final String CGI = ".cgi";

    /**
     * PREFIX/NAME or PREFIX/NAME.cgi, optionally followed by /more; null for anything else. The
     * path is decoded: Jetty has refused the ambiguous ones (an encoded '/', "..").
     */
    static Route of(String decodedPath, String prefix) {
      if (decodedPath == null || !decodedPath.startsWith(prefix + "/")) {
        return null;
      }
      int start = prefix.length() + 1;
      int slash = decodedPath.indexOf('/', start);
      String segment = slash < 0 ? decodedPath.substring(start) : decodedPath.substring(start, slash);
      String pathInfo = slash < 0 ? "" : decodedPath.substring(slash);
      String name = segment.endsWith(CGI)
          ? segment.substring(0, segment.length() - CGI.length()) : segment;
      return EndpointDirectory.isName(name)
          ? new Route(name, prefix + "/" + segment, pathInfo) : null;
    }
  }
}
