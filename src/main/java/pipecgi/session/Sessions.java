package pipecgi.session;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import pipecgi.core.Endpoint;
import pipecgi.core.EndpointConfig;
import pipecgi.core.ErrorLog;
import pipecgi.core.HttpError;
import pipecgi.core.Response;

/**
 * The sessions of a warm front end (the gateway, or a FastCGI application on a socket of its own),
 * and their wire protocol over plain HTTP requests: any client can speak it, and every request of
 * it is an ordinary request that any proxy passes. The id travels in the Pipecgi-Session header
 * only.
 *
 * <pre>
 * open     POST, Pipecgi-Session: new                     201, Pipecgi-Session: ID,
 *                                                         Pipecgi-Cursor: 0
 * send     POST, Pipecgi-Session: ID, Pipecgi-Sequence: N, 204 (written, or waiting for N - 1,
 *          the body one line                              or sent before: written once)
 * receive  GET, Pipecgi-Session: ID, Pipecgi-Cursor: C    200, every line from C on, each
 *                                                         ended by LF, Pipecgi-Cursor: the next;
 *                                                         204 after the wait, nothing new;
 *                                                         410 and Pipecgi-Close: why, once the
 *                                                         session has ended and all was read
 * close    DELETE, Pipecgi-Session: ID                    204
 * </pre>
 */
public final class Sessions {
  /** How long a poll waits for a line: under the proxies' usual 60 s read timeouts. */
  static final long POLL_MILLIS = 20_000;
  /** How long an ended session's reason stays, for its page's last poll. */
  private static final long ENDED_KEPT_MILLIS = 120_000;
  static final String HEADER = "Pipecgi-Session";
  static final String SEQUENCE = "Pipecgi-Sequence";
  static final String CURSOR = "Pipecgi-Cursor";
  static final String CLOSE = "Pipecgi-Close";

  private final Map<String, String> own;
  private final OutputStream err;
  /** The sessions, by the hash of their id (see {@link #key}); ended ones for a while. */
  private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Session, Long> endedAt = new ConcurrentHashMap<>();
  private final ScheduledExecutorService reaper;
  private volatile boolean stopping;

  public Sessions(Map<String, String> own, OutputStream err) {
    this.own = own;
    this.err = err;
    this.reaper = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "pipecgi-sessions");
      t.setDaemon(true);
      return t;
    });
    reaper.scheduleWithFixedDelay(this::reap, 1, 1, TimeUnit.SECONDS);
  }

  /**
   * Answers one request to a session endpoint: {@code request} holds its meta-variables, {@code
   * body} its body. Never throws: a failure is a short error answer and one log line.
   */
  public Response respond(Endpoint endpoint, Map<String, String> request, InputStream body) {
    ErrorLog log = new ErrorLog(err, endpoint.name());
    try {
      Response r = route(endpoint, request, body, log);
      return r.set("X-Content-Type-Options", "nosniff").set("Cache-Control", "no-store");
    } catch (HttpError e) {
      log.line(e.status + " " + Response.reasonPhrase(e.status) + ": " + e.getMessage());
      return Response.error(e.status).set("X-Content-Type-Options", "nosniff");
    }
  }

  private Response route(Endpoint endpoint, Map<String, String> request, InputStream body,
      ErrorLog log) throws HttpError {
    if (endpoint.config() == null) {
      throw new HttpError(500, "bad configuration: " + endpoint.problem());
    }
    String method = request.get("REQUEST_METHOD");
    String id = request.get("HTTP_PIPECGI_SESSION");
    if (id == null) {
      throw new HttpError(400, "a session endpoint's request needs a " + HEADER + " header (new,"
          + " to open a session)");
    }
    if (id.equals("new")) {
      if (!"POST".equals(method)) {
        throw new HttpError(405, "a session is opened with POST");
      }
      return open(endpoint, request);
    }
    Session s = find(endpoint, id);
    if ("POST".equals(method)) {
      return send(s, request, body, endpoint.config());
    } else if ("GET".equals(method)) {
      return poll(s, request);
    } else if ("DELETE".equals(method)) {
      s.end("its page closed it");
      return Response.empty(204);
    }
    throw new HttpError(405, "method " + method + " on a session (POST, GET or DELETE)");
  }

  private Response open(Endpoint endpoint, Map<String, String> request) throws HttpError {
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
    Session s = Session.start(endpoint, request, own, err);
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

  private Response send(Session s, Map<String, String> request, InputStream body,
      EndpointConfig config) throws HttpError {
    long sequence = number(request.get("HTTP_PIPECGI_SEQUENCE"), SEQUENCE);
    if (sequence < 1) {
      throw new HttpError(400, SEQUENCE + " starts at 1");
    }
    byte[] line = readLine(body, config.maxRequestBytes());
    if (s.ended() != null) {
      throw gone(s);
    }
    Sequencer.Outcome outcome;
    try {
      outcome = s.send(sequence, line);
    } catch (IOException e) {
      throw new HttpError(410, "the service no longer reads its stdin: " + e.getMessage());
    }
    if (outcome == Sequencer.Outcome.TOO_FAR) {
      throw new HttpError(409, "message " + sequence + " is more than " + Sequencer.WINDOW
          + " ahead of the next one to write");
    }
    return Response.empty(204);
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

  private Response poll(Session s, Map<String, String> request) throws HttpError {
    long cursor = number(request.get("HTTP_PIPECGI_CURSOR"), CURSOR);
    OutputLog.Batch batch;
    try {
      batch = s.poll(cursor, POLL_MILLIS);
    } catch (OutputLog.BadCursor e) {
      throw new HttpError(409, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HttpError(503, "interrupted while waiting for a line");
    }
    if (batch.ended() != null) {
      return Response.error(410).set(CLOSE, batch.ended()).set(CURSOR,
          Long.toString(batch.cursor()));
    }
    if (batch.lines().isEmpty()) {
      return Response.empty(204).set(CURSOR, Long.toString(batch.cursor()));
    }
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    for (byte[] line : batch.lines()) {
      text.writeBytes(line);
      text.write('\n');
    }
    return Response.bytes(200, text.toByteArray(), "text/plain; charset=utf-8")
        .set(CURSOR, Long.toString(batch.cursor()));
  }

  private static HttpError gone(Session s) {
    return new HttpError(410, "session " + s.id.shortForm + " has ended: " + s.ended());
  }

  private static long number(String text, String header) throws HttpError {
    long n = text == null ? -1 : pipecgi.core.Setting.digits(text.trim());
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
        s.end("nothing was sent or read for session-idle (" + s.idleMillis / 1000.0 + " s)");
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

  /** Ends every session: pipecgi is stopping. Returns how many were running. */
  public int stop() {
    stopping = true;
    reaper.shutdownNow();
    List<Session> running = new ArrayList<>();
    for (Session s : sessions.values()) {
      if (s.ended() == null) {
        running.add(s);
      }
    }
    running.parallelStream().forEach(s -> s.end("pipecgi is stopping"));
    return running.size();
  }

  /** Whether the request is for a session endpoint, to be answered here. */
  public static boolean isFor(Endpoint endpoint) {
    return endpoint.config() != null && endpoint.config().isSession();
  }

}
