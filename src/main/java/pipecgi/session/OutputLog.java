package pipecgi.session;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What a session's service wrote, line by line, until the page has it. Line i has cursor i: a
 * poll at cursor c gets every line from c on that is there (a burst in one answer), or waits for
 * the next; and it tells that the page has every line before c, which is then forgotten. So a poll
 * that was lost is asked again at the same cursor, and gets the same lines: nothing missed, nothing
 * twice. What waits for the page is capped: past {@code maxBytes}, the session ends.
 */
final class OutputLog {
  /** What a poll gets: lines, the cursor after them, and why the output ended, once it has. */
  record Batch(List<byte[]> lines, long cursor, String ended) {}

  /** A cursor that no poll could have been given: ahead of the lines. */
  static final class BadCursor extends Exception {
    private static final long serialVersionUID = 1L;

    BadCursor(String message) {
      super(message, null, false, false);
    }
  }

  /** A poll that waits for a line: there was none from its cursor on. */
  private record Waiter(long cursor, CompletableFuture<Batch> batch) {}

  private final long maxBytes;
  private final ArrayDeque<byte[]> lines = new ArrayDeque<>();
  private final List<Waiter> waiters = new ArrayList<>();
  /** The cursor of the first line kept. */
  private long first;
  private long bytes;
  private String ended;

  OutputLog(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /**
   * Adds a line; returns false, keeping it out, once what waits would pass the cap. A line counts
   * with its LF, as the page gets it: a flood of empty lines fills the cap too.
   */
  boolean add(byte[] line) {
    List<Runnable> answers;
    synchronized (this) {
      if (bytes + line.length + 1 > maxBytes) {
        return false;
      }
      lines.add(line);
      bytes += line.length + 1;
      answers = answerWaiters();
    }
    answers.forEach(Runnable::run);
    return true;
  }

  /**
   * No more lines will come, for {@code why}; the first reason given stays. Returns whether this
   * was the first.
   */
  boolean end(String why) {
    List<Runnable> answers;
    synchronized (this) {
      if (ended != null) {
        return false;
      }
      ended = why;
      answers = answerWaiters();
    }
    answers.forEach(Runnable::run);
    return true;
  }

  synchronized String ended() {
    return ended;
  }

  /** The cursor after the last line. */
  private long end() {
    return first + lines.size();
  }

  /**
   * The lines from {@code cursor} on, when there are any or the output has ended; else they
   * come when the next line does (the caller bounds the wait: see {@link #expire}).
   */
  synchronized CompletableFuture<Batch> poll(long cursor) throws BadCursor {
    if (cursor > end()) {
      throw new BadCursor("cursor " + cursor + " is past the last line (" + end() + ")");
    }
    if (cursor < first) {
      throw new BadCursor("cursor " + cursor + " asks again for lines the page had already"
          + " confirmed (from " + first + " on)");
    }
    while (first < cursor) {
      bytes -= lines.remove().length + 1;
      first++;
    }
    if (!lines.isEmpty() || ended != null) {
      return CompletableFuture.completedFuture(batch(cursor));
    }
    waiters.removeIf(w -> w.batch.isDone());
    Waiter w = new Waiter(cursor, new CompletableFuture<>());
    waiters.add(w);
    return w.batch;
  }

  /** Answers a waiting poll: nothing came in time (a poll that had its lines is unchanged). */
  static void expire(CompletableFuture<Batch> poll, long cursor) {
    poll.complete(new Batch(List.of(), cursor, null));
  }

  /** How many polls wait for a line now. */
  synchronized int waiting() {
    int n = 0;
    for (Waiter w : waiters) {
      n += w.batch.isDone() ? 0 : 1;
    }
    return n;
  }

  /** The answers of the waiting polls, to be given outside the lock. */
  private List<Runnable> answerWaiters() {
    List<Runnable> answers = new ArrayList<>();
    for (Waiter w : waiters) {
      Batch b = batch(w.cursor);
      answers.add(() -> w.batch.complete(b));
    }
    waiters.clear();
    return answers;
  }

  /** Every line from {@code cursor} on (never before the first kept), or the end. */
  private Batch batch(long cursor) {
    List<byte[]> all = new ArrayList<>(lines);
    List<byte[]> from = all.subList((int) (cursor - first), all.size());
    return new Batch(List.copyOf(from), cursor + from.size(), from.isEmpty() ? ended : null);
  }
}
