package pipecgi;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import pipecgi.cgi.StartupArchive;

/** Runs a real program (the launcher, the fixture runner) with an exact environment and stdin. */
final class Launch {
  static final Path ROOT = Path.of("").toAbsolutePath();
  static final Path CGI_BIN = ROOT.resolve("cgi-bin");

  private final List<String> command = new ArrayList<>();
  private final Map<String, String> env = new TreeMap<>();
  private File stdin;
  private byte[] input = new byte[0];

  private Launch(List<String> command) {
    this.command.addAll(command);
    env.put("PATH", System.getenv("PATH"));
    // No start-up archive is made or used unless a test asks for one: a maker left running in
    // the background would outlive the test that started it.
    env.put(StartupArchive.DIR_VARIABLE, StartupArchive.OFF);
  }

  /** Deletes a temporary directory and everything in it. */
  static void deleteTree(Path dir) throws IOException {
    List<Path> all;
    try (var files = Files.walk(dir)) {
      all = files.sorted(Comparator.reverseOrder()).toList();
    }
    for (Path p : all) {
      Files.deleteIfExists(p);
    }
  }

  static Launch of(String... command) {
    return new Launch(List.of(command));
  }

  /** An endpoint in the repository's cgi-bin, such as "echo". */
  static Launch endpoint(String name) {
    return of(CGI_BIN.resolve(name + ".cgi").toString());
  }

  /** Every distinct java on this machine: the one on PATH first, then each under /usr/lib/jvm. */
  static List<Path> javas() throws IOException {
    List<Path> found = new ArrayList<>();
    addJava(found, Path.of(System.getProperty("java.home"), "bin", "java"));
    Path jvms = Path.of("/usr/lib/jvm");
    if (Files.isDirectory(jvms)) {
      try (var dirs = Files.list(jvms)) {
        for (Path dir : dirs.sorted().toList()) {
          addJava(found, dir.resolve("bin/java"));
        }
      }
    }
    return found;
  }

  private static void addJava(List<Path> found, Path java) throws IOException {
    if (Files.isExecutable(java) && !found.contains(java.toRealPath())) {
      found.add(java.toRealPath());
    }
  }

  Launch env(String name, String value) {
    env.put(name, value);
    return this;
  }

  Launch cgi(String method, String... pairs) {
    env("GATEWAY_INTERFACE", "CGI/1.1");
    env("REQUEST_METHOD", method);
    for (int i = 0; i < pairs.length; i += 2) {
      env(pairs[i], pairs[i + 1]);
    }
    return this;
  }

  Launch stdin(File file) {
    stdin = file;
    return this;
  }

  Launch input(byte[] bytes) {
    input = bytes;
    return this;
  }

  Launch args(String... args) {
    command.addAll(List.of(args));
    return this;
  }

  Process start() {
    ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    if (stdin != null) {
      pb.redirectInput(stdin);
    }
    try {
      return pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Result run() {
    Process p = start();
    CompletableFuture<byte[]> out = readAll(p.getInputStream());
    CompletableFuture<byte[]> err = readAll(p.getErrorStream());
    try (var in = p.getOutputStream()) {
      if (stdin == null) {
        in.write(input);
      }
    } catch (IOException e) {
      // The program did not read all of its input, which some tests expect.
    }
    try {
      assertTrue(p.waitFor(Await.HANG.toSeconds(), TimeUnit.SECONDS), "finished: " + command);
      return new Result(p.exitValue(), out.get(), new String(err.get(), StandardCharsets.UTF_8));
    } catch (Exception e) {
      p.destroyForcibly();
      throw new AssertionError(e);
    }
  }

  /**
   * Reads {@code in} to its end on a thread of its own. Not the common pool: on 2 cores it has one
   * thread, so the reads of concurrent launches would wait for each other, and a program that
   * fills one pipe while its other one is not read would hang.
   */
  private static CompletableFuture<byte[]> readAll(InputStream in) {
    CompletableFuture<byte[]> all = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (in) {
        all.complete(in.readAllBytes());
      } catch (IOException e) {
        all.completeExceptionally(e);
      }
    }, "launch-reader");
    reader.setDaemon(true);
    reader.start();
    return all;
  }

  static final class Result {
    final int exit;
    final byte[] out;
    final String err;

    Result(int exit, byte[] out, String err) {
      this.exit = exit;
      this.out = out;
      this.err = err;
    }

    String outText() {
      return new String(out, StandardCharsets.UTF_8);
    }

    /** The output read as a CGI response, strictly. */
    Cgi.Result cgi() {
      return new Cgi.Result(exit, out, err);
    }
  }
}
