package pipecgi.session;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

  private final long maxBytes;
  private final ArrayDeque<byte[]> lines = new ArrayDeque<>();
  /** The cursor of the first line kept. */
  private long first;
  private long bytes;
  private String ended;

  OutputLog(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Adds a line; returns false, keeping it out, once what waits would pass the cap. */
  synchronized boolean add(byte[] line) {
    if (bytes + line.length > maxBytes) {
      return false;
    }
    lines.add(line);
    bytes += line.length;
    notifyAll();
    return true;
  }

  /** No more lines will come, for {@code why}; the first reason given stays. */
  synchronized void end(String why) {
    if (ended == null) {
      ended = why;
      notifyAll();
    }
  }

  synchronized String ended() {
    return ended;
  }

  /** The cursor after the last line. */
  synchronized long end() {
    return first + lines.size();
  }

  /**
   * The lines from {@code cursor} on, waiting up to {@code waitMillis} for one when there is none
   * and the output has not ended.
   */
  synchronized Batch poll(long cursor, long waitMillis) throws BadCursor, InterruptedException {
    if (cursor > end()) {
      throw new BadCursor("cursor " + cursor + " is past the last line (" + end() + ")");
    }
    if (cursor < first) {
      throw new BadCursor("cursor " + cursor + " asks again for lines the page had already"
          + " confirmed (from " + first + " on)");
    }
    while (first < cursor) {
      bytes -= lines.remove().length;
      first++;
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
    while (lines.isEmpty() && ended == null) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    List<byte[]> batch = new ArrayList<>(lines);
    return new Batch(batch, cursor + batch.size(), batch.isEmpty() ? ended : null);
  }
}
