package pipecgi.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Messages reach the service in the order sent, each once, whatever order they arrive in. */
class SequencerTest {
  /** Offers the sequence numbers in {@code arrivals} order; returns what was written, and how. */
  private static List<String> run(String arrivals, List<String> outcomes) throws Exception {
    List<String> written = new ArrayList<>();
    Sequencer s = new Sequencer(line -> written.add(new String(line, StandardCharsets.UTF_8)));
    for (String n : arrivals.split(" ")) {
      outcomes.add(s.offer(Long.parseLong(n), ("m" + n).getBytes(StandardCharsets.UTF_8))
          .name());
    }
    return written;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "1 2 3|m1 m2 m3|WRITTEN WRITTEN WRITTEN",
      "3 1 2|m1 m2 m3|WAITING WRITTEN WRITTEN",
      "2 3 4 1|m1 m2 m3 m4|WAITING WAITING WAITING WRITTEN",
      "1 1 2 1 2|m1 m2|WRITTEN DUPLICATE WRITTEN DUPLICATE DUPLICATE",
      "3 3 1 2 3|m1 m2 m3|WAITING DUPLICATE WRITTEN WRITTEN DUPLICATE",
      "1 3 5|m1|WRITTEN WAITING WAITING",
      "1 3 5 2|m1 m2 m3|WRITTEN WAITING WAITING WRITTEN",
      "3 8 9 6 2 1|m1 m2 m3|WAITING WAITING WAITING WAITING WAITING WRITTEN"})
  void messagesAreWrittenInOrderOnceEach(String arrivals, String written, String outcomes)
      throws Exception {
    List<String> how = new ArrayList<>();
    assertEquals(List.of(written.split(" ")), run(arrivals, how));
    assertEquals(List.of(outcomes.split(" ")), how);
  }

  @ParameterizedTest(name = "{0} ahead")
  @CsvSource({"1000, TOO_FAR", "999, WAITING"})
  void aMessageTooFarAheadIsRefused(long ahead, String outcome) throws Exception {
    List<String> how = new ArrayList<>();
    run(Long.toString(1 + ahead), how);
    assertEquals(List.of(outcome), how);
  }
}
