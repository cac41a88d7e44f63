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
import pipecgi.Await;

/** What the page is owed: batches at cursors, a lost poll asked again, the cap, the end. */
class OutputLogTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> text(OutputLog.Batch batch) {
    return batch.lines().stream().map(l -> new String(l, StandardCharsets.UTF_8)).toList();
  }

  @Test
  void aBurstComesInOneAnswer() throws Exception {
    OutputLog log = new OutputLog(1 << 20);
    for (int i = 0; i < 1000; i++) {
      log.add(b("line " + i));
    }
    OutputLog.Batch batch = log.poll(0, 0);
    assertEquals(1000, batch.lines().size());
    assertEquals(1000, batch.cursor());
    assertEquals("line 999", text(batch).get(999));
  }

  @Test
  void aLostPollAskedAgainAtItsCursorGetsTheSameLinesAndNoneTwice() throws Exception {
    OutputLog log = new OutputLog(1 << 20);
    log.add(b("a"));
    log.add(b("b"));
    OutputLog.Batch lost = log.poll(0, 0);
    log.add(b("c"));
    OutputLog.Batch again = log.poll(0, 0);
    assertEquals(List.of("a", "b"), text(lost));
    assertEquals(List.of("a", "b", "c"), text(again));
    OutputLog.Batch next = log.poll(again.cursor(), 0);
    assertEquals(List.of(), text(next));
    assertEquals(3, next.cursor());
    assertThrows(OutputLog.BadCursor.class, () -> log.poll(1, 0), "confirmed lines are gone");
    assertThrows(OutputLog.BadCursor.class, () -> log.poll(4, 0), "no such line yet");
  }

  @Test
  void aWaitingPollIsAnsweredByTheNextLine() throws Exception {
    OutputLog log = new OutputLog(1 << 20);
    CompletableFuture<OutputLog.Batch> poll = CompletableFuture.supplyAsync(() -> {
      try {
        return log.poll(0, 120_000);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    Await.until("the poll waits", () -> !poll.isDone());
    log.add(b("pushed"));
    assertEquals(List.of("pushed"), text(poll.get()));
  }

  @Test
  void whatWaitsForThePageIsCapped() {
    OutputLog log = new OutputLog(10);
    assertTrue(log.add(b("12345")));
    assertTrue(log.add(b("12345")));
    assertFalse(log.add(b("1")), "over the cap");
  }

  @Test
  void theEndComesAfterTheLastLine() throws Exception {
    OutputLog log = new OutputLog(1 << 20);
    log.add(b("last"));
    log.end("the service exited with status 0");
    log.end("later reasons do not count");
    OutputLog.Batch first = log.poll(0, 0);
    assertEquals(List.of("last"), text(first));
    assertNull(first.ended());
    OutputLog.Batch end = log.poll(first.cursor(), 120_000);
    assertEquals(List.of(), text(end));
    assertEquals("the service exited with status 0", end.ended());
  }
}
