package pipecgi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the integration tests saw each server do, written as a Markdown table to
 * target/servers-report.md after each server is stopped; README's table is drawn from it.
 */
final class ServersReport {
  private static final Map<String, Map<String, String>> ROWS = new LinkedHashMap<>();

  private ServersReport() {}

  static synchronized void record(String server, String observation, Object value) {
    ROWS.computeIfAbsent(server, s -> new LinkedHashMap<>()).put(observation, String.valueOf(value));
  }

  static synchronized void write() throws IOException {
    Set<String> observations = new LinkedHashSet<>();
    ROWS.values().forEach(row -> observations.addAll(row.keySet()));
    StringBuilder md = new StringBuilder("| observation |");
    ROWS.keySet().forEach(server -> md.append(' ').append(server).append(" |"));
    md.append("\n|---|").append("---|".repeat(ROWS.size())).append('\n');
    for (String observation : observations) {
      md.append("| ").append(observation).append(" |");
      for (Map<String, String> row : ROWS.values()) {
        md.append(' ').append(row.getOrDefault(observation, "")).append(" |");
      }
      md.append('\n');
    }
    Path out = Launch.ROOT.resolve("target/servers-report.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, md);
  }
}
