package pipecgi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A test's private directory for the servers it starts, pipecgi-it-* in the temporary directory,
 * readable by the servers' users. It holds owner.pid, the test JVM's pid: .ci/run stops what a
 * killed test JVM left (runs/NAME/server.pid and the like) only under a directory whose owner is
 * gone, so that it never stops the servers of another test run on the same machine.
 */
final class TestHome {
  private TestHome() {}

  static Path create(String prefix) throws IOException {
    Path home = Files.createTempDirectory(prefix,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Files.writeString(home.resolve("owner.pid"), ProcessHandle.current().pid() + "\n");
    return home;
  }
}
