package pipecgi.session;

import java.io.IOException;
import java.util.TreeMap;

/**
 * Puts a page's messages back in the order it sent them: message n is written to the service's
 * stdin only after message n - 1, whatever order the requests arrive in (parallel connections, a
 * proxy that runs pipelined requests at once), and a message sent twice (a browser or a proxy
 * that retries a POST) is written once. At most {@link #WINDOW} messages wait for one that is
 * missing.
 */
final class Sequencer {
  /** How far ahead of the next message to write one may arrive. */
  static final int WINDOW = 1000;

  /** What became of a message. */
  enum Outcome {
    /** Written, with any that were waiting for it. */
    WRITTEN,
    /** Waiting for an earlier one. */
    WAITING,
    /** Seen before: written, or waiting, already. */
    DUPLICATE,
    /** Further ahead than the window: refused. */
    TOO_FAR
  }

  /** Where messages go, in order. */
  interface Sink {
    void write(byte[] line) throws IOException;
  }

  private final Sink sink;
  private final TreeMap<Long, byte[]> waiting = new TreeMap<>();
  /** The sequence number of the next message to write; messages are numbered from 1. */
  private long next = 1;

  Sequencer(Sink sink) {
    this.sink = sink;
  }

  synchronized Outcome offer(long sequence, byte[] line) throws IOException {
    if (sequence < next || waiting.containsKey(sequence)) {
      return Outcome.DUPLICATE;
    }
    if (sequence - next >= WINDOW) {
      return Outcome.TOO_FAR;
    }
    if (sequence > next) {
      waiting.put(sequence, line);
      return Outcome.WAITING;
    }
    sink.write(line);
    next++;
    for (byte[] more; (more = waiting.remove(next)) != null; next++) {
      sink.write(more);
    }
    return Outcome.WRITTEN;
  }

  /** The number of the next message to write: every earlier one was written. */
  synchronized long next() {
    return next;
  }
}
