package pipecgi.core;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * {@code --check}: what an installer runs before going live. It checks what a request would only
 * find out later, and the file permissions that would let someone else choose what runs.
 */
public final class ConfigCheck {
  private ConfigCheck() {}

  /**
   * Returns null if the endpoint can serve, else what is wrong, after where the setting at fault
   * was given: its configuration file and line, or its option.
   */
  public static String problem(EndpointConfig config) {
    try {
      ServiceProgram.check(config.command.get(0));
    } catch (ServiceProgram.Problem e) {
      return config.where(OptionKey.COMMAND) + ": " + e.getMessage();
    }
    if (config.configFile != null) {
      String writable = writableByOthers(config.configFile);
      if (writable != null) {
        return writable;
      }
    }
    if (config.workdir != null && !config.workdir.isDirectory()) {
      return config.where(OptionKey.WORKDIR) + ": " + config.workdir + ": not a directory";
    }
    return null;
  }

  /**
   * For an endpoint checked on its own (a CGI or mod_fcgid one): null, or why it cannot serve
   * there.
   */
  public static String problemAlone(EndpointConfig config) {
    String problem = problem(config);
    return problem != null || !config.session ? problem
        : config.where(OptionKey.SESSION) + ": " + Exchange.SESSIONS_NEED_A_GATEWAY;
  }

  /** The one-line summary printed when all is well. */
  public static String summary(EndpointConfig config) {
    File program;
    try {
      program = ServiceProgram.check(config.command.get(0));
    } catch (ServiceProgram.Problem e) {
      return e.getMessage();
    }
    return config.name
        + " runs "
        + program
        + " ("
        + (config.cgiOutput ? "cgi" : "body")
        + " output, methods "
        + String.join(",", config.methods)
        + ", timeout "
        + config.timeoutText()
        + " s"
        + (config.session ? "; a session endpoint, for --http or --fastcgi ADDRESS only" : "")
        + ")";
  }

  /**
   * Like suEXEC: a program or configuration file that any user may change lets any user choose
   * what the web server runs.
   */
  private static String writableByOthers(File file) {
    try {
      Set<PosixFilePermission> p =
          Files.getPosixFilePermissions(file.toPath(), new LinkOption[0]);
      if (p.contains(PosixFilePermission.OTHERS_WRITE)) {
        return file + ": writable by every user (chmod o-w)";
      }
    } catch (IOException | UnsupportedOperationException e) {
      return null; // not a POSIX file system: nothing to check
    }
    return null;
  }
}
