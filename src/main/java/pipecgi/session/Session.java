package pipecgi.session;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import pipecgi.core.Endpoint;
import pipecgi.core.ErrorLog;
import pipecgi.core.HttpError;
import pipecgi.core.ProcessTree;
import pipecgi.core.StderrRelay;

/**
 * One conversation: the endpoint's service, started once and kept running, as websocketd runs a
 * program per connection. Each message the page sends is one line of its stdin, in the order
 * sent; each line it writes to stdout is one message to the page, whenever it writes it. Its
 * stderr goes to the log, tagged with the session's short form. Three threads of its own wait on
 * the service's three pipes; no request waits on a thread.
 *
 * <p>The session ends when the service exits, or is ended (the page closes it, it idles, its
 * output overflows, pipecgi stops): then its stdin is closed and, a grace later, whatever is left
 * of its process tree is stopped.
 */
final class Session {
  /** Close codes, as a WebSocket's (RFC 6455, 7.4.1), for the page's close event. */
  static final int NORMAL = 1000;
  static final int GOING_AWAY = 1001;
  static final int POLICY = 1008;
  static final int FAILED = 1011;

  final SessionId id;
  final String endpoint;
  final ErrorLog log;
  private final Process process;
  private final Sequencer input;
  private final OutputLog output;
  private final long maxLineBytes;
  /** How long the session may idle: session-idle. */
  final long idleMillis;
  /** Where the waits of an ending session run. */
  private final Executor enders;
  private volatile long lastActivity = System.nanoTime();

  private Session(SessionId id, Endpoint endpoint, Process process, OutputStream err,
      Executor enders) {
    this.id = id;
    this.endpoint = endpoint.name();
    this.log = new ErrorLog(err, endpoint.name() + " " + id.shortForm);
    this.process = process;
    this.input = new Sequencer(endpoint.config().maxQueuedBytes());
    this.output = new OutputLog(endpoint.config().maxQueuedBytes());
    this.maxLineBytes = endpoint.config().maxQueuedBytes();
    this.idleMillis = endpoint.config().sessionIdleMillis();
    this.enders = enders;
  }

  /** Starts the service for a session that {@code request} opens, its id after {@code route}. */
  static Session start(Endpoint endpoint, Map<String, String> request, String route,
      Map<String, String> own, OutputStream err, Executor enders) throws HttpError {
    Process p = endpoint.startService(request, own);
    Session s = new Session(SessionId.random(route), endpoint, p, err, enders);
    daemon(s::writeStdin, "pipecgi-session-in");
    daemon(s::readStdout, "pipecgi-session-out");
    daemon(s::relayStderr, "pipecgi-session-err");
    p.onExit().thenRunAsync(s::reapLeftovers, enders);
    return s;
  }

  /** Offers message {@code sequence}, to be written in its place in the order. */
  Sequencer.Offer send(long sequence, byte[] line) {
    touch();
    return input.offer(sequence, line);
  }

  /** The lines from {@code cursor} on, now or when the next comes (the caller bounds the wait). */
  CompletableFuture<OutputLog.Batch> poll(long cursor) throws OutputLog.BadCursor {
    touch();
    CompletableFuture<OutputLog.Batch> batch = output.poll(cursor);
    batch.whenComplete((b, x) -> touch());
    return batch;
  }

  private void touch() {
    lastActivity = System.nanoTime();
  }

  /** Whether nobody has sent a message or polled for {@code millis}, and no poll waits now. */
  boolean idleFor(long millis) {
    return output.waiting() == 0
        && System.nanoTime() - lastActivity > TimeUnit.MILLISECONDS.toNanos(millis);
  }

  /** Why the session ended ("CODE why", the code for the page), or null while it runs. */
  String ended() {
    return output.ended();
  }

  /** Whether the service has exited (what it left running is stopped a grace later). */
  boolean gone() {
    return !process.isAlive();
  }

  /**
   * Ends the session for {@code why} (unless it has ended already): its page hears {@code code}
   * and why once it has read every line; the service's stdin is closed, and what is still
   * running a grace later is stopped, its whole tree.
   */
  void end(int code, String why) {
    if (!output.end(code + " " + why)) {
      return; // it had ended already
    }
    log.line("the session ends: " + why);
    input.close(code + " " + why);
    enders.execute(() -> {
      try {
        if (!process.waitFor(ProcessTree.GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
          ProcessTree.stop(process);
        }
      } catch (InterruptedException e) {
        ProcessTree.stop(process);
      }
    });
  }

  /** The page's messages, in order, to the service's stdin; closed when the session ends. */
  private void writeStdin() {
    try (OutputStream stdin = process.getOutputStream()) {
      for (byte[] line; (line = input.take()) != null; ) {
        stdin.write(line);
        stdin.write('\n');
        stdin.flush();
        input.written(line);
      }
    } catch (IOException e) {
      input.close(FAILED + " the service no longer reads its stdin");
    } catch (InterruptedException e) {
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
    closedStdout();
  }

  /** Passes a line on to the page; false once the page's backlog would pass the cap. */
  private boolean deliver(ByteArrayOutputStream line) {
    byte[] b = line.toByteArray();
    int length = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
    line.reset();
    if (output.add(Arrays.copyOf(b, length))) {
      return true;
    }
    end(POLICY, "its page did not read its messages: more than max-queued-bytes (" + maxLineBytes
        + ") waited");
    return false;
  }

  /**
   * The service's stdout is closed, and every line it wrote is with the page's: the session
   * ends, with the service's exit if it comes within a grace.
   */
  private void closedStdout() {
    try {
      if (process.waitFor(ProcessTree.GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
        int code = process.exitValue();
        if (code > 128 && code < 128 + 32) {
          end(FAILED, "the service was killed by signal " + (code - 128));
        } else {
          end(code == 0 ? NORMAL : FAILED, "the service exited with status " + code);
        }
      } else {
        end(NORMAL, "the service closed its stdout");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The service has exited: what it left running in its process session goes, a grace later,
   * unless its stdout was closed by then (a child that kept it open would keep the session).
   */
  private void reapLeftovers() {
    try {
      Thread.sleep(ProcessTree.GRACE_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ProcessTree.stop(process);
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
