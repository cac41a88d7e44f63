package pipecgi.cgi;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import pipecgi.core.Jar;
import pipecgi.core.ServiceEnv;

/**
 * The start-up archive: the classes one request loads, stored for the JVM to map instead of load.
 * On JDK 25 and later an AOT cache (pipecgi.aot), which also keeps the linked lambdas the JDK's
 * process launching uses; before that a dynamic AppCDS archive (pipecgi.jsa).
 *
 * <p>It is made for one java and one jar: beside the jar, or in $PIPECGI_ARCHIVE_DIR. A request
 * that finds no archive fitting its java and jar starts one background {@code --make-archive}
 * after its response is out, when the directory is writable; the launcher passes the archive to
 * the JVM only when its modification time equals the jar's, which the maker sets, because a
 * stale AOT cache on JDK 25.0.3 runs the old jar's code (JDK-8377932).
 */
public final class StartupArchive {
  public static final String DIR_VARIABLE = "PIPECGI_ARCHIVE_DIR";
  /** $PIPECGI_ARCHIVE_DIR=off: no archive is used or made. */
  public static final String OFF = "off";
  public static final String JSA = "pipecgi.jsa";
  public static final String AOT = "pipecgi.aot";
  /** What the archive was made for: java and jar. */
  public static final String KEY = "pipecgi.archive-key";
  /** Held while an archive is being made; older than this, it was left by a maker that died. */
  public static final String LOCK = "pipecgi.archive-lock";
  private static final long LOCK_MAX_AGE_MILLIS = TimeUnit.MINUTES.toMillis(2);
  /** cgi-bin/pipecgi.cgi's JVM flags: an archive must be made with the flags it is used with. */
  public static final List<String> LAUNCHER_FLAGS = List.of(
      "-Xint", "-XX:+UseSerialGC", "-XX:-UsePerfData",
      "-XX:+DisplayVMOutputToStderr", "-Xlog:disable", "-Xlog:all=warning:stderr");
  private static final byte[] BODY = "ping\n".getBytes(StandardCharsets.US_ASCII);
  private static final long WAIT_SECONDS = 120;

  private final File jar;
  private final File dir;
  private final boolean aot;

  private StartupArchive(File jar, File dir) {
    this.jar = jar;
    this.dir = dir;
    // Not Runtime.version(): it parses, and this runs on every request.
    this.aot = Integer.parseInt(System.getProperty("java.specification.version")) >= 25;
  }

  /** The archive for this JVM and jar, or null when switched off or not running from a jar. */
  public static StartupArchive of(Map<String, String> env) {
    String configured = env.get(DIR_VARIABLE);
    if (OFF.equals(configured)) {
      return null;
    }
    File jar = Jar.running();
    if (jar == null) {
      return null;
    }
    boolean unset = configured == null || configured.isEmpty();
    return new StartupArchive(jar, unset ? jar.getParentFile() : new File(configured));
  }

  File file() {
    return new File(dir, aot ? AOT : JSA);
  }

  /**
   * After a request: when no archive fits this java and jar, start a maker that outlives us. Costs
   * a few file-system calls when the archive fits, which is every request but the first.
   */
  void refreshInBackground() {
    if (fits() || !dir.canWrite() || new File(dir, LOCK).exists()) {
      return;
    }
    List<String> argv = new ArrayList<>(List.of(java()));
    argv.addAll(LAUNCHER_FLAGS);
    argv.addAll(List.of("-jar", jar.getPath(), "--make-archive"));
    ProcessBuilder pb = new ProcessBuilder(argv).directory(dir)
        .redirectInput(new File("/dev/null"))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    Map<String, String> env = pb.environment();
    env.clear();
    env.put("PATH", ServiceEnv.SAFE_PATH);
    env.put(DIR_VARIABLE, dir.getPath());
    try {
      pb.start();
    } catch (IOException e) {
      // No archive this time: the request is answered, and the next one tries again.
    }
  }

  /** Whether the archive in place was made for this java and this jar. */
  boolean fits() {
    File key = new File(dir, KEY);
    if (!file().canRead() || key.length() > 4096) {
      return false;
    }
    try (InputStream in = new FileInputStream(key)) {
      return key().equals(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return false;
    }
  }

  private String key() {
    return "java " + System.getProperty("java.home") + " " + System.getProperty("java.vm.version")
        + "\njar " + jar.getPath() + " " + jar.length() + " " + jar.lastModified() + "\n";
  }

  /** {@code --make-archive}: makes the archive under the lock; returns a one-line verdict. */
  public String make() throws IOException {
    Path lock = dir.toPath().resolve(LOCK);
    takeLock(lock);
    try {
      makeUnlocked();
    } finally {
      Files.deleteIfExists(lock);
    }
    return "made " + file() + " (" + file().length() / 1024 + " KiB) for " + java() + " and "
        + jar + "; a request makes it again when either changes";
  }

  private static void takeLock(Path lock) throws IOException {
    try {
      Files.createFile(lock);
    } catch (FileAlreadyExistsException e) {
      long age = System.currentTimeMillis() - Files.getLastModifiedTime(lock).toMillis();
      if (age < LOCK_MAX_AGE_MILLIS) {
        throw new IOException("another --make-archive is at work (" + lock + ")");
      }
      Files.deleteIfExists(lock); // its maker died
      Files.createFile(lock);
    }
  }

  private void makeUnlocked() throws IOException {
    Path target = file().toPath();
    Path work = Files.createTempDirectory("pipecgi-archive-");
    // In the same directory, so that the move into place is atomic: a request maps the old
    // archive or the new one, never half of one.
    Path made = Files.createTempFile(dir.toPath(), "pipecgi-", ".new");
    try {
      Path conf = Files.writeString(work.resolve("archive.conf"), "command = /bin/cat\n");
      Files.delete(made); // the JVM creates it
      if (aot) {
        Path config = work.resolve("pipecgi.aotconf");
        request(jvm("-XX:AOTMode=record", "-XX:AOTConfiguration=" + config), conf, work, true);
        request(jvm("-XX:AOTMode=create", "-XX:AOTConfiguration=" + config,
            "-XX:AOTCache=" + made), conf, work, false);
      } else {
        request(jvm("-XX:ArchiveClassesAtExit=" + made), conf, work, true);
      }
      // Prove it: a JVM that cannot use the archive then refuses to start.
      request(jvm(aot ? "-XX:AOTMode=on" : "-Xshare:on",
          (aot ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=") + made), conf, work, true);
      // The launcher's fork-free test of fit: the same modification time as the jar.
      Files.setLastModifiedTime(made, Files.getLastModifiedTime(jar.toPath())); // to the ns
      // Made by its owner, read by the server's user: like the jar, readable by all.
      Files.setPosixFilePermissions(made, PosixFilePermissions.fromString("rw-r--r--"));
      Files.move(made, target, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      Files.deleteIfExists(dir.toPath().resolve(aot ? JSA : AOT)); // another java's kind
      Path key = Files.writeString(work.resolve(KEY), key());
      Files.move(key, dir.toPath().resolve(KEY), StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(made);
      try (var files = Files.list(work)) {
        for (Path p : files.toList()) {
          Files.delete(p);
        }
      }
      Files.delete(work);
    }
  }

  private List<String> jvm(String... archiveFlags) {
    List<String> argv = new ArrayList<>(List.of(java()));
    argv.addAll(LAUNCHER_FLAGS);
    // Not its notes on the JDK classes it leaves out.
    argv.add(aot ? "-Xlog:aot*=error:stderr" : "-Xlog:cds*=error:stderr");
    argv.addAll(List.of(archiveFlags));
    return argv;
  }

  /**
   * Runs {@code command} on the jar as the launcher would; with {@code answers}, it must answer
   * a request with 200.
   */
  private void request(List<String> command, Path conf, Path work, boolean answers)
      throws IOException {
    List<String> argv = new ArrayList<>(command);
    argv.addAll(List.of("-jar", jar.getPath()));
    // What the JVM says while making an archive is kept, and told only if it fails.
    Path said = work.resolve("stderr");
    ProcessBuilder pb = new ProcessBuilder(argv).directory(work.toFile())
        .redirectError(said.toFile());
    Map<String, String> env = pb.environment();
    env.clear();
    env.put("PATH", ServiceEnv.SAFE_PATH);
    env.put("LC_ALL", "C.UTF-8");
    env.put("PIPECGI_CONF", conf.toString());
    env.put("GATEWAY_INTERFACE", "CGI/1.1");
    env.put("REQUEST_METHOD", "POST");
    env.put("CONTENT_LENGTH", Integer.toString(BODY.length));
    env.put(DIR_VARIABLE, OFF); // the training request must not start a maker of its own
    Process p = pb.start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(BODY);
    } catch (IOException e) {
      // It did not read the body: the status below says what went wrong.
    }
    byte[] out = p.getInputStream().readAllBytes();
    try {
      if (!p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("the JVM did not finish within " + WAIT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
    String response = new String(out, StandardCharsets.ISO_8859_1);
    if (p.exitValue() != 0 || answers && !response.startsWith("Status: 200 OK\r\n")) {
      throw new IOException(String.join(" ", argv) + " failed (exit status " + p.exitValue()
          + "): " + Files.readString(said, StandardCharsets.ISO_8859_1).strip());
    }
  }

  private static String java() {
    return ProcessHandle.current().info().command().orElse(
        System.getProperty("java.home") + "/bin/java");
  }

}
