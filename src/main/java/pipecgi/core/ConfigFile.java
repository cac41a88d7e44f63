package pipecgi.core;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;

/**
 * A configuration file: {@code key = value} lines whose keys are the long option names. Blank
 * lines and lines starting with {@code #} are ignored; a {@code #} anywhere else is part of the
 * value, so a command may contain one. Windows line ends and a UTF-8 byte order mark are accepted
 * because such files get uploaded to shared hosts.
 */
final class ConfigFile {
  private ConfigFile() {}

  /** Reads the settings in {@code file}, each with the place it came from ("echo.conf line 3"). */
  static Map<OptionKey, Setting> read(File file) throws UsageException {
    String text = new String(readBytes(file), StandardCharsets.UTF_8);
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    // Relative paths in a configuration file are relative to the file, wherever it is read from.
    File base = file.getAbsoluteFile().getParentFile();
    Map<OptionKey, Setting> settings = new EnumMap<>(OptionKey.class);
    int lineNo = 0;
    int start = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = text.length();
      }
      lineNo++;
      parseLine(text.substring(start, end), file.getPath() + " line " + lineNo, base, settings);
      start = end + 1;
    }
    return settings;
  }

  private static void parseLine(
      String line, String where, File base, Map<OptionKey, Setting> settings)
      throws UsageException {
    line = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    // Spaces and tabs only: String.trim would also drop control characters that must be refused.
    String trimmed = HttpSyntax.trim(line);
    if (trimmed.isEmpty() || trimmed.startsWith("#")) {
      return;
    }
    int eq = trimmed.indexOf('=');
    if (eq < 0) {
      throw new UsageException(where + ": expected 'key = value', got '" + trimmed + "'");
    }
    String name = HttpSyntax.trim(trimmed.substring(0, eq));
    OptionKey key = OptionKey.forLongName(name);
    if (key == null) {
      throw new UsageException(where + ": unknown key '" + name + "'");
    }
    if (!key.allowedInConfig()) {
      throw new UsageException(where + ": '" + name + "' can only be given on the command line");
    }
    if (settings.containsKey(key)) {
      throw new UsageException(where + ": '" + name + "' is set twice");
    }
    String value = HttpSyntax.trim(trimmed.substring(eq + 1));
    settings.put(key, new Setting(value, where + ": " + name, base));
  }

  private static byte[] readBytes(File file) throws UsageException {
    try (InputStream in = new FileInputStream(file)) {
      return in.readAllBytes();
    } catch (IOException e) {
      // The message already names the file: "x.conf (No such file or directory)".
      throw new UsageException("cannot read configuration file " + e.getMessage());
    }
  }
}
