package pipecgi.cgi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether this process writes to a terminal: then a person runs it, whatever its environment. */
public final class Terminal {
  private Terminal() {}

  /** Whether file descriptor 1 is a terminal. */
  public static boolean isStdout() {
    try {
      // Linux names the device each descriptor leads to. Java 17 has no isatty of its own:
      // System.console() asks whether stdin and stdout both are one.
      String device = Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString();
      return device.startsWith("/dev/pts/") || device.startsWith("/dev/tty")
          || device.equals("/dev/console");
    } catch (IOException | UnsupportedOperationException e) {
      return System.console() != null;
    }
  }
}
