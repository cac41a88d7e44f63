package pipecgi.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Messages reach the service in the order sent, each once, whatever order they arrive in; each
 * POST is answered when its message is written; what waits is bounded.
 */
class SequencerTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Takes and "writes" every message that is ready, as the session's writer does. */
  private static List<String> drain(Sequencer s, int count) throws InterruptedException {
    List<String> written = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] line = s.take();
      written.add(new String(line, StandardCharsets.UTF_8));
      s.written(line);
    }
    return written;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "1 2 3|m1 m2 m3|ACCEPTED ACCEPTED ACCEPTED",
      "3 1 2|m1 m2 m3|ACCEPTED ACCEPTED ACCEPTED",
      "2 3 4 1|m1 m2 m3 m4|ACCEPTED ACCEPTED ACCEPTED ACCEPTED",
      "1 1 2 1 2|m1 m2|ACCEPTED DUPLICATE ACCEPTED DUPLICATE DUPLICATE",
      "3 3 1 2 3|m1 m2 m3|ACCEPTED DUPLICATE ACCEPTED ACCEPTED DUPLICATE",
      "1 3 5|m1|ACCEPTED ACCEPTED ACCEPTED",
      "1 3 5 2|m1 m2 m3|ACCEPTED ACCEPTED ACCEPTED ACCEPTED",
      "3 8 9 6 2 1|m1 m2 m3|ACCEPTED ACCEPTED ACCEPTED ACCEPTED ACCEPTED ACCEPTED",
      "3 4 9 6 8 2 5 1 7|m1 m2 m3 m4 m5 m6 m7 m8 m9|"
          + "ACCEPTED ACCEPTED ACCEPTED ACCEPTED ACCEPTED ACCEPTED ACCEPTED ACCEPTED ACCEPTED"})
  void messagesAreWrittenInOrderOnceEach(String arrivals, String written, String outcomes)
      throws Exception {
    Sequencer s = new Sequencer(1 << 20);
    List<String> how = new ArrayList<>();
    for (String n : arrivals.split(" ")) {
      how.add(s.offer(Long.parseLong(n), b("m" + n)).outcome().name());
    }
    List<String> expected = List.of(written.split(" "));
    assertEquals(expected, drain(s, expected.size()));
    assertEquals(List.of(outcomes.split(" ")), how);
    assertEquals(expected.size() + 1, s.next(), "written up to here, no further");
  }

  @Test
  void aMessageIsAnsweredWhenWrittenAndNotBefore() throws Exception {
    Sequencer s = new Sequencer(1 << 20);
    CompletableFuture<Void> second = s.offer(2, b("m2")).written();
    CompletableFuture<Void> first = s.offer(1, b("m1")).written();
    assertFalse(first.isDone() || second.isDone(), "nothing written yet");
    drain(s, 1);
    assertTrue(first.isDone());
    assertFalse(second.isDone());
    drain(s, 1);
    assertTrue(second.isDone());
  }

  @Test
  void aMessageSentAgainIsAnsweredWithTheFirstOne() throws Exception {
    Sequencer s = new Sequencer(1 << 20);
    CompletableFuture<Void> sent = s.offer(1, b("m1")).written();
    Sequencer.Offer again = s.offer(1, b("m1"));
    assertEquals(Sequencer.Outcome.DUPLICATE, again.outcome());
    assertFalse(again.written().isDone(), "answered once written, not before");
    drain(s, 1);
    assertTrue(sent.isDone() && again.written().isDone());
    assertTrue(s.offer(1, b("m1")).written().isDone(), "long written: answered at once");
  }

  @ParameterizedTest(name = "{0} ahead")
  @CsvSource({"1000, TOO_FAR", "999, ACCEPTED"})
  void aMessageTooFarAheadIsRefused(long ahead, String outcome) {
    assertEquals(outcome, new Sequencer(1 << 20).offer(1 + ahead, b("m")).outcome().name());
  }

  @Test
  void whatWaitsForTheServiceIsBoundedByMaxQueuedBytes() throws Exception {
    Sequencer s = new Sequencer(10);
    assertEquals(Sequencer.Outcome.ACCEPTED, s.offer(1, b("12345")).outcome());
    assertEquals(Sequencer.Outcome.FULL, s.offer(3, b("12345")).outcome(),
        "a message counts with its LF");
    drain(s, 1);
    assertEquals(Sequencer.Outcome.ACCEPTED, s.offer(3, b("12345")).outcome(),
        "refused for now only: once the service has read, the same message goes");
    assertEquals(Sequencer.Outcome.ACCEPTED, new Sequencer(10).offer(1, b("a longer line"))
        .outcome(), "one message alone is never refused: max-request-bytes bounds it");
  }

  @Test
  void theNextMessageIsTakenEvenWhenThoseThatCameBeforeItFillTheBound() throws Exception {
    Sequencer s = new Sequencer(10);
    assertEquals(Sequencer.Outcome.ACCEPTED, s.offer(2, b("123456789")).outcome());
    assertEquals(Sequencer.Outcome.FULL, s.offer(3, b("1")).outcome());
    assertEquals(Sequencer.Outcome.ACCEPTED, s.offer(1, b("1")).outcome(), "else they all wait");
    assertEquals(List.of("1", "123456789"), drain(s, 2));
  }

  @Test
  void closingFailsWhatWasNotWrittenAndRefusesTheRest() throws Exception {
    Sequencer s = new Sequencer(1 << 20);
    CompletableFuture<Void> waiting = s.offer(2, b("m2")).written();
    s.close("its page closed it");
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
        ExecutionException.class, waiting::get);
    assertInstanceOf(Sequencer.NotWritten.class, e.getCause());
    assertEquals("its page closed it", e.getCause().getMessage());
    assertEquals(Sequencer.Outcome.CLOSED, s.offer(1, b("m1")).outcome());
    assertNull(s.take(), "the writer stops");
  }
}
