package pipecgi.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** What the page is owed: batches at cursors, a lost poll asked again, the cap, the end. */
class OutputLogTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> text(OutputLog.Batch batch) {
    return batch.lines().stream().map(l -> new String(l, StandardCharsets.UTF_8)).toList();
  }

  /** A poll that must be answered at once. */
  private static OutputLog.Batch now(OutputLog log, long cursor) throws Exception {
    CompletableFuture<OutputLog.Batch> poll = log.poll(cursor);
    assertTrue(poll.isDone(), "answered at once");
    return poll.get();
  }

  @Test
  void aWaitingPollIsAnsweredByTheEnd() throws Exception {
    OutputLog log = new OutputLog(1 << 20);
    CompletableFuture<OutputLog.Batch> poll = log.poll(0);
    log.end("its page closed it");
    assertEquals("its page closed it", poll.get().ended());
  }

  @Test
  void aBurstComesInOneAnswer() throws Exception {
    OutputLog log = new OutputLog(1 << 20);
    for (int i = 0; i < 1000; i++) {
      log.add(b("line " + i));
    }
    OutputLog.Batch batch = now(log, 0);
    assertEquals(1000, batch.lines().size());
    assertEquals(1000, batch.cursor());
    assertEquals("line 999", text(batch).get(999));
  }

  @Test
  void aLostPollAskedAgainAtItsCursorGetsTheSameLinesAndNoneTwice() throws Exception {
    OutputLog log = new OutputLog(1 << 20);
    log.add(b("a"));
    log.add(b("b"));
    OutputLog.Batch lost = now(log, 0);
    log.add(b("c"));
    OutputLog.Batch again = now(log, 0);
    assertEquals(List.of("a", "b"), text(lost));
    assertEquals(List.of("a", "b", "c"), text(again));
    assertFalse(log.poll(again.cursor()).isDone(), "nothing new: the next poll waits");
    assertThrows(OutputLog.BadCursor.class, () -> log.poll(1), "confirmed lines are gone");
    assertThrows(OutputLog.BadCursor.class, () -> log.poll(4), "no such line yet");
  }

  @Test
  void aWaitingPollIsAnsweredByTheNextLine() throws Exception {
    OutputLog log = new OutputLog(1 << 20);
    CompletableFuture<OutputLog.Batch> poll = log.poll(0);
    assertFalse(poll.isDone(), "nothing yet: the poll waits");
    assertEquals(1, log.waiting());
    log.add(b("pushed"));
    assertEquals(List.of("pushed"), text(poll.get()));
    assertEquals(0, log.waiting());
  }

  @Test
  void aPollThatWaitedLongEnoughGetsNothingAndItsCursorBack() throws Exception {
    OutputLog log = new OutputLog(1 << 20);
    log.add(b("read"));
    long cursor = now(log, 0).cursor();
    CompletableFuture<OutputLog.Batch> poll = log.poll(cursor);
    OutputLog.expire(poll, cursor);
    assertEquals(List.of(), text(poll.get()));
    assertEquals(cursor, poll.get().cursor());
    assertNull(poll.get().ended());
    log.add(b("next"));
    assertEquals(List.of("next"), text(now(log, cursor)), "nothing lost by the expiry");
  }

  @Test
  void whatWaitsForThePageIsCapped() {
    OutputLog log = new OutputLog(12);
    assertTrue(log.add(b("12345")));
    assertTrue(log.add(b("12345")));
    assertFalse(log.add(b("")), "over the cap: a line counts with its LF");
  }

  @Test
  void theEndComesAfterTheLastLine() throws Exception {
    OutputLog log = new OutputLog(1 << 20);
    log.add(b("last"));
    log.end("the service exited with status 0");
    log.end("later reasons do not count");
    OutputLog.Batch first = now(log, 0);
    assertEquals(List.of("last"), text(first));
    assertNull(first.ended());
    OutputLog.Batch end = log.poll(first.cursor()).get();
    assertEquals(List.of(), text(end));
    assertEquals("the service exited with status 0", end.ended());
  }
}
