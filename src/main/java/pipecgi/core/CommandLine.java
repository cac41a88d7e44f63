package pipecgi.core;

import java.io.File;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The command line: what to do (an action, or none to answer a CGI request) and the options given
 * with it. Each option that only means something with certain actions is refused without them, so
 * that a mistyped command never quietly does something else.
 */
public final class CommandLine {
  private static final List<OptionKey> ACTIONS = List.of(
      OptionKey.HELP, OptionKey.VERSION, OptionKey.SELF_TEST, OptionKey.MAKE_ARCHIVE,
      OptionKey.HTTP, OptionKey.FASTCGI, OptionKey.CHECK);
  private static final List<OptionKey> SELF_TEST_OPTIONS = List.of(
      OptionKey.CACERT, OptionKey.INSECURE, OptionKey.PROXY);

  /**
   * HELP, VERSION, SELF_TEST, MAKE_ARCHIVE, HTTP, FASTCGI or CHECK; null to answer a CGI request
   * (or, spawned by a web server, FastCGI requests).
   */
  public final OptionKey action;

  private final Map<OptionKey, Setting> given;

  private CommandLine(OptionKey action, Map<OptionKey, Setting> given) {
    this.action = action;
    this.given = given;
  }

  public static CommandLine parse(String[] args) throws UsageException {
    // commons-cli costs about 20 ms of start-up; the launcher passes no arguments at all.
    Map<OptionKey, Setting> given =
        args.length == 0 ? new EnumMap<>(OptionKey.class) : CommandLineArgs.parse(args);
    OptionKey action = null;
    for (OptionKey k : ACTIONS) {
      if (action == null && given.containsKey(k)) {
        action = k;
      }
    }
    CommandLine line = new CommandLine(action, given);
    line.refuseWhatDoesNotGoWith(action);
    return line;
  }

  private void refuseWhatDoesNotGoWith(OptionKey action) throws UsageException {
    if (action == OptionKey.HELP || action == OptionKey.VERSION) {
      return;
    }
    boolean gateway = action == OptionKey.HTTP || action == OptionKey.FASTCGI;
    boolean perDirectory = gateway || given.containsKey(OptionKey.DIR);
    for (OptionKey k : given.keySet()) {
      String problem = null;
      if (k.kind == OptionKey.Kind.ACTION && k != action) {
        OptionKey first = k.ordinal() < action.ordinal() ? k : action;
        OptionKey second = first == k ? action : k;
        problem = "--" + first.longName + " and --" + second.longName
            + " cannot be given together";
      } else if (k == OptionKey.DIR && !gateway && action != OptionKey.CHECK) {
        problem = "--dir goes with --http, --fastcgi or --check only";
      } else if (SELF_TEST_OPTIONS.contains(k)) {
        problem = action != OptionKey.SELF_TEST ? "--" + k.longName + " goes with --self-test only"
            : k == OptionKey.CACERT && has(OptionKey.INSECURE) ? "--cacert and --insecure cannot"
                + " be given together: --insecure checks no certificate" : null;
      } else if (k.kind == OptionKey.Kind.COMMAND_LINE && k != OptionKey.DIR
          && k != OptionKey.CONFIG && !gateway) {
        problem = "--" + k.longName + " goes with --http or --fastcgi only";
      } else if (perDirectory && (k.kind == OptionKey.Kind.ENDPOINT || k == OptionKey.CONFIG)) {
        problem = "--" + k.longName + " is one endpoint's setting: for a directory of"
            + " endpoints, set it in each NAME.conf";
      }
      if (problem != null) {
        throw new UsageException(problem);
      }
    }
  }

  /** Whether {@code key} was given. */
  public boolean has(OptionKey key) {
    return given.containsKey(key);
  }

  /** The text given for {@code key}, or null. */
  public String text(OptionKey key) {
    Setting s = given.get(key);
    return s == null ? null : s.text;
  }

  /** The directory --dir names, or {@code byDefault}. */
  public File dir(File byDefault) {
    Setting s = given.get(OptionKey.DIR);
    return s == null ? byDefault : s.path();
  }

  /** The endpoint to answer a request for, or to check: see {@link EndpointConfig#read}. */
  public EndpointConfig endpoint(Map<String, String> env) throws UsageException {
    return EndpointConfig.read(given, env);
  }

  /** The settings of a warm gateway (--http or --fastcgi). */
  public GatewayConfig gateway(File defaultDir) throws UsageException {
    return new GatewayConfig(given, dir(defaultDir), action);
  }

  /** The help text: every option, what it does, and the exit statuses. */
  public static String help() {
    return HelpText.text();
  }
}
