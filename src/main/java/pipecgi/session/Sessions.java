package pipecgi.session;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import pipecgi.core.Endpoint;
import pipecgi.core.EndpointConfig;
import pipecgi.core.ErrorLog;
import pipecgi.core.HttpError;
import pipecgi.core.ProcessTree;
import pipecgi.core.Response;
import pipecgi.core.Setting;

/**
 * The sessions of a warm front end (the gateway, or a FastCGI application on a socket of its own),
 * and their wire protocol over plain HTTP requests: any client can speak it, and every request of
 * it is an ordinary request that any proxy passes. The id travels in the Pipecgi-Session header
 * only.
 *
 * <pre>
 * open     POST, Pipecgi-Session: new (or new.ROUTE)      201, Pipecgi-Session: ID (ROUTE.ID),
 *                                                         Pipecgi-Cursor: 0
 * send     POST, Pipecgi-Session: ID, Pipecgi-Sequence: N, 204 once message N is written to
 *          the body one line                              the service's stdin (after N - 1; a
 *                                                         message sent again is written once)
 * receive  GET, Pipecgi-Session: ID, Pipecgi-Cursor: C    200, every line from C on, each
 *                                                         ended by LF, Pipecgi-Cursor: the next;
 *                                                         204 after the wait, nothing new;
 *                                                         410 and Pipecgi-Close: CODE why, once
 *                                                         the session has ended and all was read
 * close    DELETE, Pipecgi-Session: ID                    204
 * </pre>
 */
public final class Sessions {
  /** How long a poll waits for a line: under the proxies' usual 60 s read timeouts. */
  static final long POLL_MILLIS = 20_000;
  /** How long an ended session's reason stays, for its page's last poll. */
  private static final long ENDED_KEPT_MILLIS = 120_000;
  static final String HEADER = "Pipecgi-Session";
  /** The header's value that opens a session: "new", or "new.ROUTE". */
  static final String NEW = "new";
  static final String SEQUENCE = "Pipecgi-Sequence";
  static final String CURSOR = "Pipecgi-Cursor";
  static final String CLOSE = "Pipecgi-Close";
  /** The methods of a session endpoint, whatever its methods setting says. */
  private static final String METHODS = "GET, POST, DELETE, OPTIONS";

  private final OutputStream err;
  /** The sessions, by the hash of their id (see {@link #key}); ended ones for a while. */
  private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Session, Long> endedAt = new ConcurrentHashMap<>();
  /** Ends idle sessions, and answers polls that waited long enough. */
  private final ScheduledThreadPoolExecutor timer;
  /** Where ending sessions wait for their services to exit. */
  private final ExecutorService enders;
  private volatile boolean stopping;

  public Sessions(OutputStream err) {
    this.err = err;
    this.timer = new ScheduledThreadPoolExecutor(1, daemons("pipecgi-sessions"));
    timer.setRemoveOnCancelPolicy(true);
    timer.scheduleWithFixedDelay(this::reap, 1, 1, TimeUnit.SECONDS);
    this.enders = Executors.newCachedThreadPool(daemons("pipecgi-session-end"));
  }

  /**
   * Answers one request to a session endpoint: {@code request} holds its meta-variables, {@code
   * own} pipecgi's own environment (for the service that an opening request starts, which takes
   * its pass-env names from it), {@code body} its body (read here, on the caller's thread). What waits (a poll for the next line, a
   * message for its turn) waits on no thread: the answer completes when it is ready. Never fails:
   * a refusal is a short error answer and one log line.
   */
  public CompletableFuture<Response> respond(Endpoint endpoint, Map<String, String> request,
      Map<String, String> own, InputStream body) {
    ErrorLog log = new ErrorLog(err, endpoint.name());
    CompletableFuture<Response> answer;
    try {
      answer = route(endpoint, request, own, body, log);
    } catch (HttpError | RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    return answer.handle((r, x) -> {
      Throwable cause = x instanceof CompletionException ? x.getCause() : x;
      if (cause instanceof HttpError e) {
        log.line(e.status + " " + Response.reasonPhrase(e.status) + ": " + e.getMessage());
        r = Response.error(e.status);
      } else if (cause != null) {
        log.line("500 Internal Server Error: " + cause);
        r = Response.error(500);
      }
      return withPolicyHeaders(r, endpoint.config());
    });
  }

  /** What every answer carries: no sniffing, no caching, Allow with 405, and CORS if set. */
  private static Response withPolicyHeaders(Response r, EndpointConfig config) {
    r.set("X-Content-Type-Options", "nosniff").set("Cache-Control", "no-store");
    if (r.status == 405) {
      r.set("Allow", METHODS);
    }
    if (config != null && config.corsOrigin() != null) {
      r.set("Access-Control-Allow-Origin", config.corsOrigin())
          .set("Access-Control-Expose-Headers", HEADER + ", " + CURSOR + ", " + CLOSE);
    }
    return r;
  }

  /** OPTIONS: the methods, and for a page of the cors-origin, the preflight's answer. */
  private static Response options(EndpointConfig config) {
    Response r = Response.empty(204).set("Allow", METHODS);
    if (config.corsOrigin() != null) {
      r.set("Access-Control-Allow-Methods", "GET, POST, DELETE")
          .set("Access-Control-Allow-Headers", HEADER + ", " + SEQUENCE + ", " + CURSOR
              + ", Content-Type")
          .set("Access-Control-Max-Age", "600");
    }
    return r;
  }

  private CompletableFuture<Response> route(Endpoint endpoint, Map<String, String> request,
      Map<String, String> own, InputStream body, ErrorLog log) throws HttpError {
    if (endpoint.config() == null) {
      throw new HttpError(500, "bad configuration: " + endpoint.problem());
    }
    String method = request.get("REQUEST_METHOD");
    if ("OPTIONS".equals(method)) {
      return CompletableFuture.completedFuture(options(endpoint.config()));
    }
    String id = request.get("HTTP_PIPECGI_SESSION");
    if (id == null) {
      throw new HttpError(400, "a session endpoint's request needs a " + HEADER + " header (new,"
          + " to open a session)");
    }
    if (id.equals(NEW) || id.startsWith(NEW + ".")) {
      if (!"POST".equals(method)) {
        throw new HttpError(405, "a session is opened with POST");
      }
      String route = id.equals(NEW) ? null : id.substring(NEW.length() + 1);
      if (route != null && !SessionId.isRoute(route)) {
        throw new HttpError(400, "a session's route is 1 to 64 letters, digits, '-' or '_'");
      }
      return CompletableFuture.completedFuture(open(endpoint, request, own, route));
    }
    Session s = find(endpoint, id);
    if ("POST".equals(method)) {
      return send(s, request, body, endpoint.config(), log);
    } else if ("GET".equals(method)) {
      return poll(s, request);
    } else if ("DELETE".equals(method)) {
      s.end(Session.NORMAL, "its page closed it");
      return CompletableFuture.completedFuture(Response.empty(204));
    }
    throw new HttpError(405, "method " + method + " on a session (POST, GET, DELETE or"
        + " OPTIONS)");
  }

  private Response open(Endpoint endpoint, Map<String, String> request,
      Map<String, String> own, String route) throws HttpError {
    if (stopping) {
      throw new HttpError(503, "pipecgi is stopping: no new session");
    }
    EndpointConfig config = endpoint.config();
    int live = 0;
    for (Session s : sessions.values()) {
      if (s.endpoint.equals(endpoint.name()) && s.ended() == null) {
        live++;
      }
    }
    if (live >= config.maxSessions()) {
      throw new HttpError(503, live + " sessions are open, as many as max-sessions allows");
    }
    Session s = Session.start(endpoint, request, route, own, err, enders);
    sessions.put(key(s.id.text), s);
    s.log.line("the session begins");
    return Response.empty(201).set(HEADER, s.id.text).set(CURSOR, "0");
  }

  private Session find(Endpoint endpoint, String id) throws HttpError {
    Session s = sessions.get(key(id));
    if (s == null || !s.id.matches(id) || !s.endpoint.equals(endpoint.name())) {
      throw new HttpError(404, "no session " + SessionId.shortForm(id) + " (unknown, or ended"
          + " long ago)");
    }
    return s;
  }

  private CompletableFuture<Response> send(Session s, Map<String, String> request,
      InputStream body, EndpointConfig config, ErrorLog log) throws HttpError {
    long sequence = number(request.get("HTTP_PIPECGI_SEQUENCE"), SEQUENCE);
    if (sequence < 1) {
      throw new HttpError(400, SEQUENCE + " starts at 1");
    }
    byte[] line = readLine(body, config.maxRequestBytes());
    Sequencer.Offer offer = s.send(sequence, line);
    switch (offer.outcome()) {
      case TOO_FAR:
        throw new HttpError(409, "message " + sequence + " is " + Sequencer.WINDOW + " or more"
            + " ahead of the next one to write");
      case FULL:
        throw new HttpError(503, "the service has not yet read the messages before "
            + sequence + " (max-queued-bytes, " + config.maxQueuedBytes() + ", wait for it)");
      default:
        return offer.written().handle((done, x) -> {
          if (x == null) {
            return Response.empty(204);
          }
          String why = (x instanceof CompletionException ? x.getCause() : x).getMessage();
          log.line("410 Gone: message " + sequence + " of session " + s.id.shortForm
              + " was not written: " + why);
          return Response.error(410).set(CLOSE, why);
        });
    }
  }

  /** The body, one line: no LF in it (one trailing LF is allowed and dropped). */
  private static byte[] readLine(InputStream body, long max) throws HttpError {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = body.read(buffer)) >= 0; ) {
        if (b.size() + n > max + 1) {
          throw new HttpError(413, "a message over max-request-bytes (" + max + ")");
        }
        b.write(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new HttpError(400, "cannot read the message: " + e.getMessage());
    }
    byte[] line = b.toByteArray();
    int length = line.length > 0 && line[line.length - 1] == '\n' ? line.length - 1 : line.length;
    for (int i = 0; i < length; i++) {
      if (line[i] == '\n') {
        throw new HttpError(400, "a message with a line break: in a session each message is one"
            + " line");
      }
    }
    if (length > max) {
      throw new HttpError(413, "a message over max-request-bytes (" + max + ")");
    }
    return java.util.Arrays.copyOf(line, length);
  }

  private CompletableFuture<Response> poll(Session s, Map<String, String> request)
      throws HttpError {
    long cursor = number(request.get("HTTP_PIPECGI_CURSOR"), CURSOR);
    CompletableFuture<OutputLog.Batch> batch;
    try {
      batch = s.poll(cursor);
    } catch (OutputLog.BadCursor e) {
      throw new HttpError(409, e.getMessage());
    }
    if (!batch.isDone()) {
      try {
        ScheduledFuture<?> expiry = timer.schedule(() -> OutputLog.expire(batch, cursor),
            POLL_MILLIS, TimeUnit.MILLISECONDS);
        batch.whenComplete((b, x) -> expiry.cancel(false));
      } catch (RejectedExecutionException e) {
        // pipecgi is stopping: the session has ended, or is ending, which answers the poll
      }
    }
    return batch.thenApply(Sessions::lines);
  }

  private static Response lines(OutputLog.Batch batch) {
    String cursor = Long.toString(batch.cursor());
    if (batch.ended() != null) {
      return Response.error(410).set(CLOSE, batch.ended()).set(CURSOR, cursor);
    }
    if (batch.lines().isEmpty()) {
      return Response.empty(204).set(CURSOR, cursor);
    }
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    for (byte[] line : batch.lines()) {
      text.writeBytes(line);
      text.write('\n');
    }
    return Response.bytes(200, text.toByteArray(), "text/plain; charset=utf-8")
        .set(CURSOR, cursor);
  }

  private static long number(String text, String header) throws HttpError {
    long n = text == null ? -1 : Setting.digits(text.trim());
    if (n < 0) {
      throw new HttpError(400, header + " is not a number: " + (text == null ? "none" : "\""
          + text + "\""));
    }
    return n;
  }

  /**
   * The map's key for an id: its hash, so that finding a session (a hash table compares keys
   * with equals, which stops at the first difference) tells nothing about any id; the id itself
   * is then compared in constant time.
   */
  private static String key(String id) {
    return SessionId.hash(id);
  }

  /** Ends idle sessions, and forgets those that ended long enough ago. */
  private void reap() {
    long now = System.nanoTime();
    for (Map.Entry<String, Session> e : sessions.entrySet()) {
      Session s = e.getValue();
      if (s.ended() == null && s.idleFor(s.idleMillis)) {
        s.end(Session.GOING_AWAY, "nothing was sent or read for session-idle (" + s.idleMillis / 1000.0 + " s)");
      }
      if (s.ended() != null) {
        Long at = endedAt.putIfAbsent(s, now);
        if (at != null && now - at > TimeUnit.MILLISECONDS.toNanos(ENDED_KEPT_MILLIS)) {
          sessions.remove(e.getKey());
          endedAt.remove(s);
        }
      }
    }
  }

  /**
   * Ends every session: pipecgi is stopping. Their pages hear it; their services have a grace to
   * exit, then are stopped; returns how many sessions there were, once all are gone.
   */
  public int stop() {
    stopping = true;
    List<Session> running = new ArrayList<>();
    for (Session s : sessions.values()) {
      if (s.ended() == null) {
        running.add(s);
        s.end(Session.GOING_AWAY, "pipecgi is stopping");
      }
    }
    timer.shutdownNow();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(4 * ProcessTree.GRACE_MILLIS);
    for (Session s : running) {
      while (!s.gone() && System.nanoTime() - deadline < 0) {
        sleep(20);
      }
    }
    return running.size();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory daemons(String name) {
    return job -> {
      Thread t = new Thread(job, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Whether the request is for a session endpoint, to be answered here. */
  public static boolean isFor(Endpoint endpoint) {
    return endpoint.config() != null && endpoint.config().isSession();
  }

}
