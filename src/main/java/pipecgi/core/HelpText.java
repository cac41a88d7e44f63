package pipecgi.core;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code --help}: the usage line, the actions, the options, then where to read more, in at most
 * {@link #WIDTH} columns with no trailing blanks, as a terminal and a pager show it.
 */
final class HelpText {
  static final int WIDTH = 80;
  /** Where the descriptions start: after the longest option with its value, and two spaces. */
  private static final int DESCRIPTION_COLUMN = 28;

  private HelpText() {}

  static String text() {
    StringBuilder text = new StringBuilder();
    text.append("usage: java -jar pipecgi.jar [options]\n");
    text.append("       java -jar pipecgi.jar ACTION [options]\n\n");
    paragraph(text, "Runs a stdin/stdout command as a CGI endpoint: the request body goes to its"
        + " stdin, its output comes back with an exact Content-Length. With no action, it"
        + " answers the CGI request in its environment, as when the launcher (NAME.cgi) starts"
        + " it.");
    section(text, "Actions:", OptionKey.Kind.ACTION);
    section(text, "An endpoint's settings (also NAME.conf's 'key = value' lines):",
        OptionKey.Kind.ENDPOINT);
    section(text, "On the command line only:", OptionKey.Kind.COMMAND_LINE);
    paragraph(text, "With no --config, the configuration file is the one named by PIPECGI_CONF."
        + " Sizes take K, M or G.");
    paragraph(text, "Exit status: 0 once a response is written (whatever its HTTP status), 1 if"
        + " --check or --self-test finds a problem, no response could be written or a gateway"
        + " cannot listen, 2 for a bad"
        + " command line or configuration (under a web server, a 500 response is still"
        + " written).");
    paragraph(text, "More: README.md in pipecgi's source (installing on Apache, lighttpd and"
        + " nginx, every option, the security model, the error log).");
    text.setLength(text.length() - 1); // the blank line after the last paragraph
    return text.toString();
  }

  private static void section(StringBuilder text, String title, OptionKey.Kind kind) {
    text.append(title).append('\n');
    for (OptionKey k : OptionKey.values()) {
      if (k.kind == kind) {
        String name = "  --" + k.longName + (k.takesValue() ? " " + k.valueName : "");
        List<String> lines = wrap(k.help, WIDTH - DESCRIPTION_COLUMN);
        if (name.length() + 2 > DESCRIPTION_COLUMN) {
          text.append(name).append('\n');
          name = "";
        }
        for (String line : lines) {
          text.append(name).append(" ".repeat(DESCRIPTION_COLUMN - name.length())).append(line)
              .append('\n');
          name = "";
        }
      }
    }
    text.append('\n');
  }

  private static void paragraph(StringBuilder text, String words) {
    for (String line : wrap(words, WIDTH)) {
      text.append(line).append('\n');
    }
    text.append('\n');
  }

  /** Words in lines of at most {@code width} columns (a longer word gets a line of its own). */
  static List<String> wrap(String words, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : words.split(" +")) {
      if (line.length() > 0 && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line.setLength(0);
      }
      if (line.length() > 0) {
        line.append(' ');
      }
      line.append(word);
    }
    lines.add(line.toString());
    return lines;
  }
}
