package pipecgi.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Who the process runs as, and why a long-lived pipecgi must not be root. */
public final class Privileges {
  private Privileges() {}

  /** The effective user id, from /proc (the owner of /proc/self); -1 where it cannot be read. */
  public static long uid() {
    try {
      return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return -1;
    }
  }

  /**
   * Null, or why {@code mode} (such as --http) refuses to run as root, and how to run it instead:
   * every service it starts would run as root, with every request's input.
   */
  public static String refusalOfRoot(String mode) {
    return refusalOfRoot(mode, "Run it as a user of its own, such as one made with 'useradd"
        + " --system --no-create-home pipecgi': 'setpriv --reuid=pipecgi --regid=pipecgi"
        + " --init-groups java -jar pipecgi.jar " + mode + " ...', or the systemd unit"
        + " apache-conf/pipecgi.service (User=pipecgi)");
  }

  /** Null, or why {@code what} refuses to run as root, and {@code how} to run it instead. */
  public static String refusalOfRoot(String what, String how) {
    if (uid() != 0) {
      return null;
    }
    return what + " refuses to run as root: every service it starts would run as root. " + how;
  }
}
