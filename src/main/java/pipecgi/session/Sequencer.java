package pipecgi.session;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Puts a page's messages back in the order it sent them, for the thread that writes them to the
 * service's stdin: message n is handed out only after message n - 1, whatever order the requests
 * arrive in (parallel connections, a proxy that runs pipelined requests at once), and a message
 * sent twice (a browser or a proxy that retries a POST) is handed out once. Each message's future
 * completes when it has been written, so its POST is answered then; at most {@link #WINDOW}
 * messages wait for one that is missing, and at most {@code maxBytes} of them wait in all.
 */
final class Sequencer {
  /** How far ahead of the next message to write one may arrive. */
  static final int WINDOW = 1000;

  /** What became of a message. */
  enum Outcome {
    /** To be written in its turn (now, or once the earlier ones have come). */
    ACCEPTED,
    /** Seen before: written, or to be written, once. */
    DUPLICATE,
    /** Further ahead than the window: refused. */
    TOO_FAR,
    /** Refused for now: the service has not yet read what waits for it. */
    FULL,
    /** Refused: no more messages are written (see {@link #close}). */
    CLOSED
  }

  /** What became of a message, and when it is written (failing if it never will be). */
  record Offer(Outcome outcome, CompletableFuture<Void> written) {}

  /** Why a message was never written. */
  static final class NotWritten extends Exception {
    private static final long serialVersionUID = 1L;

    NotWritten(String why) {
      super(why, null, false, false);
    }
  }

  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private final long maxBytes;
  /** Messages that came before their turn, by sequence number. */
  private final TreeMap<Long, byte[]> early = new TreeMap<>();
  /** Messages in order, for the writer. */
  private final ArrayDeque<byte[]> ready = new ArrayDeque<>();
  /** The futures of the messages accepted and not yet written, by sequence number. */
  private final TreeMap<Long, CompletableFuture<Void>> unwritten = new TreeMap<>();
  /** The sequence number of the next message to hand out; messages are numbered from 1. */
  private long next = 1;
  /** The sequence number of the next message to be written: every earlier one was. */
  private long written = 1;
  /** The bytes of the messages accepted and not yet written. */
  private long bytes;
  private String closed;

  Sequencer(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  synchronized Offer offer(long sequence, byte[] line) {
    if (sequence < written) {
      return new Offer(Outcome.DUPLICATE, DONE);
    }
    CompletableFuture<Void> known = unwritten.get(sequence);
    if (known != null) {
      return new Offer(Outcome.DUPLICATE, known);
    }
    if (closed != null) {
      return new Offer(Outcome.CLOSED, CompletableFuture.failedFuture(new NotWritten(closed)));
    }
    if (sequence - next >= WINDOW) {
      return new Offer(Outcome.TOO_FAR, null);
    }
    // A message counts with its LF, as the service reads it: empty ones fill the bound too. The
    // next one in the order is always taken: those that came before it wait for it.
    if (sequence != next && bytes > 0 && bytes + line.length + 1 > maxBytes) {
      return new Offer(Outcome.FULL, null);
    }
    CompletableFuture<Void> future = new CompletableFuture<>();
    unwritten.put(sequence, future);
    bytes += line.length + 1;
    early.put(sequence, line);
    for (byte[] more; (more = early.remove(next)) != null; next++) {
      ready.add(more);
      notifyAll();
    }
    return new Offer(Outcome.ACCEPTED, future);
  }

  /** The next message to write, waiting for it; null once closed. */
  synchronized byte[] take() throws InterruptedException {
    while (ready.isEmpty() && closed == null) {
      wait();
    }
    return closed == null ? ready.remove() : null;
  }

  /** The message last taken has been written: its POST may be answered. */
  void written(byte[] line) {
    CompletableFuture<Void> future;
    synchronized (this) {
      bytes -= line.length + 1;
      future = unwritten.remove(written++);
    }
    future.complete(null); // outside the lock: the answer goes out from here
  }

  /** No more messages will be written, for {@code why}: those waiting fail with it. */
  void close(String why) {
    List<CompletableFuture<Void>> failed;
    synchronized (this) {
      if (closed != null) {
        return;
      }
      closed = why;
      failed = new ArrayList<>(unwritten.values());
      unwritten.clear();
      early.clear();
      ready.clear();
      notifyAll();
    }
    for (CompletableFuture<Void> f : failed) {
      f.completeExceptionally(new NotWritten(why));
    }
  }

  /** The number of the next message to write: every earlier one was written. */
  synchronized long next() {
    return written;
  }
}
