package pipecgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web server gives up on a request (the client went away, its own timeout) by sending SIGTERM
 * to the CGI program: the launcher's JVM must take the service's whole process tree and its
 * temporary files with it.
 */
@Timeout(300)
class SignalIT {
  @TempDir Path dir;

  @Test
  void sigtermStopsTheServiceItsChildrenAndOrphansAndRemovesTemporaryFiles() throws Exception {
    String marker = Processes.uniqueSleep();
    Path tmp = Files.createDirectory(dir.resolve("tmp"));
    Path conf = dir.resolve("hang.conf");
    // One child, one orphan (its parent, the subshell, exits at once), one in the foreground.
    Files.writeString(conf, "command = /bin/sh -c '(sleep " + marker + " &); sleep " + marker
        + " & sleep " + marker + "; wait'\nmemory-buffer-bytes = 1K\n");
    byte[] body = new byte[100_000];
    Process p = Launch.endpoint("echo")
        .cgi("POST", "CONTENT_LENGTH", Integer.toString(body.length))
        .env("PIPECGI_CONF", conf.toString())
        .env("TMPDIR", tmp.toString())
        .start();
    p.getOutputStream().write(body);
    p.getOutputStream().flush();

    // The body is in a temporary file, already unlinked (see Spool), open only in pipecgi.
    Await.until("the service and its children started, the body spooled",
        () -> Processes.withArgument(marker).size() == 3 && spoolsOpen(p, tmp) == 1);
    p.destroy(); // SIGTERM, as Apache sends it

    assertTrue(p.waitFor(Await.HANG.toSeconds(), TimeUnit.SECONDS), "pipecgi exited");
    assertEquals(List.of(), Processes.awaitGone(marker));
    assertEquals(List.of(), listing(tmp));
  }

  private static long spoolsOpen(Process p, Path tmp) throws Exception {
    try (var fds = Files.list(Path.of("/proc/" + p.pid() + "/fd"))) {
      return fds.filter(fd -> {
        try {
          return Files.readSymbolicLink(fd).startsWith(tmp);
        } catch (Exception e) {
          return false;
        }
      }).count();
    }
  }

  private static List<Path> listing(Path d) throws Exception {
    try (var files = Files.list(d)) {
      return files.toList();
    }
  }
}
