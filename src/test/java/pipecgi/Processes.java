package pipecgi;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/** Finds test processes by a unique marker in their command line, to prove none is left behind. */
final class Processes {
  private Processes() {}

  /** A sleep duration no other process on the machine uses, such as "900.4f1c2a". */
  static String uniqueSleep() {
    long n = UUID.randomUUID().getMostSignificantBits() & 0xffffff;
    return "900." + n;
  }

  static List<ProcessHandle> withArgument(String marker) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().arguments().map(a -> List.of(a).contains(marker)).orElse(false))
        .collect(Collectors.toList());
  }

  /** Waits until no live process has {@code marker} as an argument; returns those still there. */
  static List<ProcessHandle> awaitGone(String marker, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    List<ProcessHandle> left = withArgument(marker);
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
      left = withArgument(marker);
    }
    return left;
  }
}
