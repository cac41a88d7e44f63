package pipecgi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a test service noted of its runs, one line per event: "PID start NANOSECONDS" and
 * "PID end NANOSECONDS". Whether requests ran in parallel is observed from these, never inferred
 * from how long something took.
 */
final class ServiceRuns {
  private ServiceRuns() {}

  /** Each finished run as {start, end}. */
  static List<long[]> read(Path log) throws IOException {
    Map<String, Long> starts = new HashMap<>();
    List<long[]> runs = new ArrayList<>();
    for (String line : Files.readAllLines(log)) {
      String[] f = line.split(" ");
      if (f.length != 3) {
        throw new IOException("not 'PID start|end NANOSECONDS': " + line);
      }
      if (f[1].equals("start")) {
        starts.put(f[0], Long.parseLong(f[2]));
      } else {
        runs.add(new long[] {starts.remove(f[0]), Long.parseLong(f[2])});
      }
    }
    return runs;
  }

  /** Whether one run started before another had ended. */
  static boolean someOverlap(List<long[]> runs) {
    List<long[]> sorted = new ArrayList<>(runs);
    sorted.sort((a, b) -> Long.compare(a[0], b[0]));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i)[0] < sorted.get(i - 1)[1]) {
        return true;
      }
    }
    return false;
  }
}
