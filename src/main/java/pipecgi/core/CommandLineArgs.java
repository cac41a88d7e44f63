package pipecgi.core;

import java.util.EnumMap;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/**
 * The command line, read with commons-cli. Kept apart from {@link CommandLine} so that a request
 * started by the launcher, which passes no arguments, never loads commons-cli.
 */
final class CommandLineArgs {
  private CommandLineArgs() {}

  static Map<OptionKey, Setting> parse(String[] args) throws UsageException {
    CommandLine line;
    try {
      // No abbreviations ("--comm" must not quietly mean "--command"), and values exactly as
      // given: commons-cli would otherwise strip the quotes from --command '"/opt/my prog"'.
      DefaultParser parser =
          DefaultParser.builder()
              .setAllowPartialMatching(false)
              .setStripLeadingAndTrailingQuotes(false)
              .get();
      line = parser.parse(options(), args);
    } catch (ParseException e) {
      throw new UsageException(e.getMessage() + " (see --help)");
    }
    if (!line.getArgList().isEmpty()) {
      throw new UsageException(
          "unexpected argument '" + line.getArgList().get(0) + "': pipecgi takes options only");
    }
    Map<OptionKey, Setting> given = new EnumMap<>(OptionKey.class);
    for (Option o : line.getOptions()) {
      OptionKey key = OptionKey.forLongName(o.getLongOpt());
      if (given.containsKey(key)) {
        throw new UsageException("--" + key.longName + " is given twice");
      }
      given.put(key, new Setting(o.getValue(), "--" + key.longName, null));
    }
    return given;
  }

  private static Options options() {
    Options options = new Options();
    for (OptionKey k : OptionKey.values()) {
      options.addOption(
          Option.builder().longOpt(k.longName).hasArg(k.takesValue()).argName(k.valueName)
              .desc(k.help).get());
    }
    return options;
  }
}
