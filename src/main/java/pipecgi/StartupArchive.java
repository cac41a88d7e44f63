package pipecgi;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code --make-archive}: makes pipecgi.jsa beside the jar, a class-data archive (AppCDS) of the
 * classes a request loads, which the launcher passes to the JVM when it finds it. The archive fits
 * one java and one jar at one path, so it is made on the host, with the java the server runs:
 * the JVM checks both, and without a fit it starts without the archive.
 */
final class StartupArchive {
  static final String FILE = "pipecgi.jsa";
  /** cgi-bin/pipecgi.cgi's JVM flags: an archive must be made with the flags it is used with. */
  static final List<String> LAUNCHER_FLAGS = List.of(
      "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData",
      "-XX:+DisplayVMOutputToStderr", "-Xlog:disable", "-Xlog:all=warning:stderr");
  private static final byte[] BODY = "ping\n".getBytes(StandardCharsets.US_ASCII);
  private static final long WAIT_SECONDS = 60;

  private StartupArchive() {}

  /** Makes the archive; returns a one-line verdict for the person who asked. */
  static String make() throws IOException {
    Path jar = runningJar();
    Path archive = jar.resolveSibling(FILE);
    Path made = jar.resolveSibling(FILE + ".new");
    String java = ProcessHandle.current().info().command().orElse(
        System.getProperty("java.home") + "/bin/java");
    Path work = Files.createTempDirectory("pipecgi-archive-");
    try {
      Path conf = Files.writeString(work.resolve("archive.conf"), "command = /bin/cat\n");
      List<String> dump = new ArrayList<>(List.of(java));
      dump.addAll(LAUNCHER_FLAGS);
      dump.add("-XX:ArchiveClassesAtExit=" + made);
      dump.add("-Xlog:cds*=error:stderr"); // not its notes on the JDK classes it leaves out
      request(dump, jar, conf, work);
      Files.move(made, archive, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      // Prove it: with -Xshare:on a JVM that cannot use the archive refuses to start.
      List<String> use = new ArrayList<>(List.of(java));
      use.addAll(LAUNCHER_FLAGS);
      use.addAll(List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:on"));
      request(use, jar, conf, work);
    } finally {
      Files.deleteIfExists(made);
      try (var files = Files.list(work)) {
        for (Path p : files.toList()) {
          Files.delete(p);
        }
      }
      Files.delete(work);
    }
    return "made " + archive + " (" + Files.size(archive) / 1024 + " KiB) for " + java
        + "; make it again after changing java or pipecgi.jar";
  }

  /** Runs one request through the jar as the launcher would, with {@code command}'s JVM. */
  private static void request(List<String> command, Path jar, Path conf, Path work)
      throws IOException {
    List<String> argv = new ArrayList<>(command);
    argv.addAll(List.of("-jar", jar.toString()));
    ProcessBuilder pb = new ProcessBuilder(argv).directory(work.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    Map<String, String> env = pb.environment();
    env.clear();
    env.put("PATH", ServiceEnv.SAFE_PATH);
    env.put("LC_ALL", "C.UTF-8");
    env.put("PIPECGI_CONF", conf.toString());
    env.put("GATEWAY_INTERFACE", "CGI/1.1");
    env.put("REQUEST_METHOD", "POST");
    env.put("CONTENT_LENGTH", Integer.toString(BODY.length));
    Process p = pb.start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(BODY);
    }
    byte[] out = p.getInputStream().readAllBytes();
    try {
      if (!p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("the request did not finish within " + WAIT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
    String response = new String(out, StandardCharsets.ISO_8859_1);
    if (p.exitValue() != 0 || !response.startsWith("Status: 200 OK\r\n")) {
      throw new IOException(String.join(" ", argv) + " failed (exit status " + p.exitValue()
          + ")");
    }
  }

  private static Path runningJar() throws IOException {
    try {
      File f = new File(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (!f.isFile() || !f.getName().endsWith(".jar")) {
        throw new IOException("run it from the jar the server runs: java -jar"
            + " /path/to/cgi-bin/pipecgi.jar --make-archive");
      }
      return f.toPath().toRealPath();
    } catch (URISyntaxException e) {
      throw new IOException("cannot tell where pipecgi.jar is: " + e.getMessage());
    }
  }
}
