package pipecgi;

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
final class ConfigCheck {
  private ConfigCheck() {}

  /** Returns null if the endpoint can serve, else what is wrong. */
  static String problem(Options options) {
    File program;
    try {
      program = ServiceProgram.locate(options.command.get(0));
    } catch (IOException e) {
      return e.getMessage();
    }
    String refused = ServiceProgram.unusable(program);
    if (refused == null) {
      refused = ServiceProgram.refusal(program);
    }
    if (refused != null) {
      return refused;
    }
    if (options.configFile != null) {
      String writable = writableByOthers(options.configFile);
      if (writable != null) {
        return writable;
      }
    }
    if (options.workdir != null && !options.workdir.isDirectory()) {
      return options.workdir + ": not a directory";
    }
    return null;
  }

  /** The one-line summary printed when all is well. */
  static String summary(Options options) throws IOException {
    return options.endpointName
        + " runs "
        + ServiceProgram.locate(options.command.get(0))
        + " ("
        + (options.cgiOutput ? "cgi" : "body")
        + " output, methods "
        + String.join(",", options.methods)
        + ", timeout "
        + options.timeoutText()
        + " s)";
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
