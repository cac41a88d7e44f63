package pipecgi.session;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import pipecgi.core.Endpoint;
import pipecgi.core.ErrorLog;
import pipecgi.core.HttpError;
import pipecgi.core.ProcessTree;
import pipecgi.core.StderrRelay;

/**
 * One conversation: the endpoint's service, started once and kept running, as websocketd runs a
 * program per connection. Each message the page sends is one line of its stdin, in the order
 * sent; each line it writes to stdout is one message to the page, whenever it writes it. Its
 * stderr goes to the log, tagged with the session's short form. The session ends when the service
 * exits, or is ended (the page closes it, it idles, its output overflows, pipecgi stops): then the
 * service's stdin is closed and, after a grace, its whole process tree stopped.
 */
final class Session {
  final SessionId id;
  final String endpoint;
  final ErrorLog log;
  private final Process process;
  private final OutputStream stdin;
  private final Sequencer sequencer;
  private final OutputLog output;
  private final long maxLineBytes;
  /** How long the session may idle: session-idle. */
  final long idleMillis;
  private volatile long lastActivity = System.nanoTime();
  private final AtomicInteger pollsWaiting = new AtomicInteger();

  private Session(SessionId id, Endpoint endpoint, Process process, OutputStream err) {
    this.id = id;
    this.endpoint = endpoint.name();
    this.log = new ErrorLog(err, endpoint.name() + " " + id.shortForm);
    this.process = process;
    this.stdin = process.getOutputStream();
    this.sequencer = new Sequencer(this::write);
    this.output = new OutputLog(endpoint.config().maxQueuedBytes());
    this.maxLineBytes = endpoint.config().maxQueuedBytes();
    this.idleMillis = endpoint.config().sessionIdleMillis();
  }

  /** Starts the service for a session that {@code request} opens. */
  static Session start(Endpoint endpoint, Map<String, String> request, Map<String, String> own,
      OutputStream err) throws HttpError {
    Process p = endpoint.startService(request, own);
    Session s = new Session(SessionId.random(), endpoint, p, err);
    daemon(s::readStdout, "pipecgi-session-out");
    daemon(s::relayStderr, "pipecgi-session-err");
    return s;
  }

  /** Writes message {@code sequence}, in its place in the order; see {@link Sequencer}. */
  Sequencer.Outcome send(long sequence, byte[] line) throws IOException {
    touch();
    return sequencer.offer(sequence, line);
  }

  private void write(byte[] line) throws IOException {
    stdin.write(line);
    stdin.write('\n');
    stdin.flush();
  }

  /** The lines from {@code cursor} on, or the next, waiting up to {@code waitMillis}. */
  OutputLog.Batch poll(long cursor, long waitMillis)
      throws OutputLog.BadCursor, InterruptedException {
    touch();
    pollsWaiting.incrementAndGet();
    try {
      return output.poll(cursor, waitMillis);
    } finally {
      pollsWaiting.decrementAndGet();
      touch();
    }
  }

  private void touch() {
    lastActivity = System.nanoTime();
  }

  /** Whether nobody has sent a message or polled for {@code millis}, and no poll waits now. */
  boolean idleFor(long millis) {
    return pollsWaiting.get() == 0
        && System.nanoTime() - lastActivity > TimeUnit.MILLISECONDS.toNanos(millis);
  }

  /** Why the session ended, or null while it runs. */
  String ended() {
    return output.ended();
  }

  /**
   * Ends the session for {@code why} (unless it has ended already): the service's stdin is
   * closed, and what is still running a grace later is stopped, its whole tree.
   */
  void end(String why) {
    if (output.ended() != null) {
      return;
    }
    output.end(why);
    log.line("the session ends: " + why);
    try {
      stdin.close();
    } catch (IOException e) {
      // it has exited already
    }
    try {
      if (!process.waitFor(ProcessTree.GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
        ProcessTree.stop(process);
      }
    } catch (InterruptedException e) {
      ProcessTree.stop(process);
      Thread.currentThread().interrupt();
    }
  }

  /** The service's stdout, split into lines (LF, or CRLF), each one message. */
  private void readStdout() {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = process.getInputStream()) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        for (int i = 0; i < n; i++) {
          if (buffer[i] != '\n') {
            line.write(buffer[i]);
          } else if (!deliver(line)) {
            return;
          }
        }
        if (line.size() > maxLineBytes && !deliver(line)) {
          return;
        }
      }
      if (line.size() > 0) {
        deliver(line);
      }
    } catch (IOException e) {
      // the service was stopped
    }
    exited();
  }

  /** Passes a line on to the page; false once the page's backlog would pass the cap. */
  private boolean deliver(ByteArrayOutputStream line) {
    byte[] b = line.toByteArray();
    int length = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
    line.reset();
    if (output.add(java.util.Arrays.copyOf(b, length))) {
      return true;
    }
    daemon(() -> end("its page did not read its messages: more than max-queued-bytes ("
        + maxLineBytes + ") waited"), "pipecgi-session-end");
    return false;
  }

  /** The service closed its stdout: the session ends with its exit, as the page will hear. */
  private void exited() {
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    int code = process.exitValue();
    end(code > 128 && code < 128 + 32 ? "the service was killed by signal " + (code - 128)
        : "the service exited with status " + code);
    ProcessTree.stop(process); // what it left running in its session
  }

  /** The service's stderr, line by line, to the log: at most 64 KiB of it, as for a request. */
  private void relayStderr() {
    StderrRelay relay = new StderrRelay(log);
    byte[] buffer = new byte[8192];
    try (InputStream in = process.getErrorStream()) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        relay.accept(buffer, n);
      }
    } catch (IOException e) {
      // the service was stopped
    }
    relay.finish();
  }

  private static void daemon(Runnable job, String name) {
    Thread t = new Thread(job, name);
    t.setDaemon(true);
    t.start();
  }
}
