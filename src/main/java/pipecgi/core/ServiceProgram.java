package pipecgi.core;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The program a command's first word names, and whether pipecgi may run it. The rules are
 * suEXEC's: whoever can change the program, or the directory it is in, would choose what the web
 * server runs, so a program that group or others may write, or that sits in a directory they may
 * write, is refused, and so is a setuid or setgid program.
 */
final class ServiceProgram {
  private static final int SET_UID = 04000;
  private static final int SET_GID = 02000;
  private static final int GROUP_OR_OTHERS_WRITE = 00022;

  private ServiceProgram() {}

  /** Why a program cannot run ({@link #refused} false) or may not ({@link #refused} true). */
  static final class Problem extends Exception {
    private static final long serialVersionUID = 1L;

    /** Whether a rule refuses it (a 500: the installation is unsafe), rather than it is missing. */
    final boolean refused;

    Problem(String message, boolean refused) {
      super(message, null, false, false);
      this.refused = refused;
    }
  }

  /**
   * Finds the program a command's first word names and checks it by every rule: the one check of
   * both the request path and --check.
   */
  static File check(String word) throws Problem {
    File program;
    try {
      program = locate(word);
    } catch (IOException e) {
      throw new Problem(e.getMessage(), false);
    }
    String unusable = unusable(program);
    if (unusable != null) {
      throw new Problem(unusable, false);
    }
    String refused = refusal(program);
    if (refused != null) {
      throw new Problem(refused, true);
    }
    return program;
  }

  /**
   * Finds the program to run. A name without a slash is looked up in the fixed safe PATH, never
   * the server's, so what runs does not depend on how the server was started. (A relative path
   * was already resolved against the configuration file's directory.)
   */
  private static File locate(String program) throws IOException {
    if (program.indexOf('/') >= 0) {
      return new File(program);
    }
    for (String dir : ServiceEnv.SAFE_PATH.split(":")) {
      File candidate = new File(dir, program);
      if (candidate.isFile() && candidate.canExecute()) {
        return candidate;
      }
    }
    throw new IOException(program + ": not found in " + ServiceEnv.SAFE_PATH
        + " (give a full path)");
  }

  /** Returns null when {@code program} is a file that can run, else why not. */
  private static String unusable(File program) {
    if (!program.exists()) {
      return program + ": no such file";
    }
    if (!program.isFile()) {
      return program + ": not a regular file";
    }
    return program.canExecute() ? null : program + ": not executable (chmod +x)";
  }

  /**
   * Returns null when suEXEC's rules let {@code program} run, else the rule it breaks, in words
   * that say what to do. A link is judged by the file it leads to, and that file's directory.
   */
  private static String refusal(File program) {
    Path real;
    try {
      real = program.toPath().toRealPath();
    } catch (IOException e) {
      return null; // nothing there to run: starting it will fail and say so
    }
    String where = real.toString().equals(program.getPath()) ? "" : " (" + program + ")";
    int mode = mode(real);
    Path dir = real.getParent();
    int dirMode = mode(dir);
    if (mode < 0 || dirMode < 0) {
      return real + where + ": cannot read its permissions or its directory's";
    }
    if ((mode & GROUP_OR_OTHERS_WRITE) != 0) {
      return real + where + ": writable by its group or by others (chmod go-w)";
    }
    if ((mode & (SET_UID | SET_GID)) != 0) {
      return real + where + ": setuid or setgid (chmod ug-s)";
    }
    if ((dirMode & GROUP_OR_OTHERS_WRITE) != 0) {
      return real + where + ": in " + dir + ", which its group or others can write (chmod go-w "
          + dir + ")";
    }
    return null;
  }

  /** The file's mode bits; 0 on a file system without them; -1 if they cannot be read. */
  private static int mode(Path p) {
    try {
      return (Integer) Files.getAttribute(p, "unix:mode");
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      return 0;
    } catch (IOException e) {
      return -1;
    }
  }
}
