package pipecgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import pipecgi.cgi.StartupArchive;

/**
 * apache-conf/serve and the start-up archive: the private server runs as nobody when started as
 * root, which cannot write the cgi-bin, so serve makes the archive itself, or says it could not.
 */
class PrivateServerIT {
  private static final String JAVA =
      Path.of(System.getProperty("java.home"), "bin", "java").toString();

  private Path home;
  private Path cgiBin;
  private int port;

  @BeforeEach
  void aCgiBinWithNoArchive() throws Exception {
    // Readable by nobody, the server's user when the tests run as root.
    home = TestHome.create("pipecgi-it-");
    cgiBin = Files.createDirectory(home.resolve("cgi-bin"));
    Files.copy(Launch.CGI_BIN.resolve("pipecgi.jar"), cgiBin.resolve("pipecgi.jar"));
    Files.copy(Launch.CGI_BIN.resolve("pipecgi.cgi"), cgiBin.resolve("echo.cgi"),
        StandardCopyOption.COPY_ATTRIBUTES);
    Files.writeString(cgiBin.resolve("echo.conf"), "command = /bin/cat\n");
    port = WebServer.freePort();
  }

  @AfterEach
  void stopAndForget() throws Exception {
    serve("stop");
    Launch.deleteTree(home);
  }

  private Launch.Result serve(String action) {
    return Launch.of("apache-conf/serve", action, "lighttpd", Integer.toString(port),
            cgiBin.toString())
        .env("PIPECGI_SERVE_DIR", home.resolve("runs").toString())
        .env("PIPECGI_JAVA", JAVA)
        .run();
  }

  @Test
  void startMakesTheStartupArchiveForTheJar() throws Exception {
    Launch.Result r = serve("start");
    assertEquals(0, r.exit, r.outText() + r.err);
    assertTrue(r.outText().startsWith("pipecgi: ok: made " + cgiBin.resolve(StartupArchive.JSA)),
        r.outText());
    assertEquals("", r.err);
    // The launcher passes it to the JVM only while it has the jar's time.
    assertEquals(Files.getLastModifiedTime(cgiBin.resolve("pipecgi.jar")),
        Files.getLastModifiedTime(cgiBin.resolve(StartupArchive.JSA)));
  }

  @Test
  void startSaysInOneLineWhenItCannotMakeTheArchiveAndStartsAnyway() throws Exception {
    // A maker at work (a fresh lock): --make-archive refuses to make another.
    Files.createFile(cgiBin.resolve(StartupArchive.LOCK));
    Launch.Result r = serve("start");
    assertEquals(0, r.exit, r.outText() + r.err);
    assertEquals(1, r.err.split("\n").length, r.err);
    assertTrue(r.err.startsWith("apache-conf/serve: no start-up archive, so every request starts"
        + " slower (cannot make the archive: another --make-archive is at work"), r.err);
    assertTrue(r.err.endsWith("; make it with: " + JAVA + " -jar " + cgiBin.resolve("pipecgi.jar")
        + " --make-archive\n"), r.err);
    assertTrue(r.outText().startsWith("lighttpd serves " + cgiBin), r.outText());
  }
}
