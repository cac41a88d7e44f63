package pipecgi.core;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The service: a child process that gets the request body on stdin while its stdout and stderr are
 * drained at the same time, so no order of reading and writing can deadlock it. It has a deadline,
 * and when it must stop, its whole process tree stops with it.
 */
final class ServiceProcess {
  /** How a run ended. */
  enum Ending {
    EXITED,
    TIMED_OUT,
    OUTPUT_TOO_LARGE,
    /** Its output could not be kept (the temporary file could not be written). */
    OUTPUT_LOST
  }

  /** Between SIGTERM and SIGKILL. Apache waits 3 s before it SIGKILLs pipecgi itself. */
  static final long GRACE_MILLIS = 1000;

  private static final long POLL_MILLIS = 10;

  private final Process process;
  private final Spool stdout;
  private final ErrorLog log;
  /** A body up to this size is written to the service's stdin by the request's own thread. */
  private static final int DIRECT_STDIN_BYTES = 16 * 1024;

  private boolean killed;
  private volatile IOException outputFailure;

  private ServiceProcess(Process process, Spool stdout, ErrorLog log) {
    this.process = process;
    this.stdout = stdout;
    this.log = log;
  }

  /** Starts {@code program} with the rest of {@code command}, and exactly {@code env}. */
  static ServiceProcess start(File program, List<String> command, File workdir,
      Map<String, String> env, Spool stdout, ErrorLog log) throws IOException {
    List<String> argv = new ArrayList<>(command);
    argv.set(0, program.getPath());
    ProcessBuilder builder =
        new ProcessBuilder(UnixSession.inNewSession(argv)).directory(workdir);
    Map<String, String> childEnv = builder.environment();
    childEnv.clear();
    childEnv.putAll(env);
    return new ServiceProcess(builder.start(), stdout, log);
  }

  /**
   * Feeds {@code stdin}, collects stdout and relays stderr on this thread, until the service has
   * exited and its output is all read, or the deadline.
   */
  Ending run(Spool stdin, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    feed(stdin);
    // The drain naps while the service is silent; its exit wakes it at once.
    process.onExit().thenRun(new Unpark(Thread.currentThread()));
    StderrRelay stderr = new StderrRelay(log);
    InputStream[] pipes = {process.getInputStream(), process.getErrorStream()};
    PipeDrain.Sink[] sinks = {new Collect(stdout), stderr};
    PipeDrain.End end;
    try {
      end = PipeDrain.drain(process, pipes, sinks, new byte[64 * 1024], deadline);
    } catch (IOException e) {
      outputFailure = e;
      end = PipeDrain.End.STOPPED;
    }
    if (end != PipeDrain.End.DRAINED) {
      kill();
    }
    stderr.finish();
    if (end == PipeDrain.End.INTERRUPTED) {
      throw new InterruptedException();
    }
    if (end == PipeDrain.End.DEADLINE) {
      return Ending.TIMED_OUT;
    }
    if (!killed()) {
      stopLeftovers();
    }
    if (outputFailure != null) {
      return Ending.OUTPUT_LOST;
    }
    return stdout.overflowed() ? Ending.OUTPUT_TOO_LARGE : Ending.EXITED;
  }

  /**
   * The service has exited; whatever it left running in its session (a background child, one
   * still holding its stdout) is stopped too, so that a request leaves nothing behind.
   */
  private void stopLeftovers() {
    if (UnixSession.hasLaterMembers(process.pid())) {
      log.line("the service left processes running after it exited; they were stopped");
      kill();
    }
  }

  private synchronized boolean killed() {
    return killed;
  }

  int exitValue() {
    return process.exitValue();
  }

  /** Why the output was lost, for {@link Ending#OUTPUT_LOST}. */
  String outputFailure() {
    return outputFailure == null ? null : outputFailure.getMessage();
  }

  /**
   * Stops the service and everything it started: SIGTERM to the whole tree and to its session
   * (where children whose parent has exited still are), a grace period, then SIGKILL to whatever
   * is left. Apache signals only the CGI's own pid and lighttpd never sends SIGKILL, so without
   * this a timed-out service's children would live on.
   */
  synchronized void kill() {
    if (killed) {
      return;
    }
    killed = true;
    List<ProcessHandle> tree = new ArrayList<>();
    addTree(process.toHandle(), tree);
    for (ProcessHandle p : tree) {
      p.destroy();
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
    while (anyAlive(tree) && System.nanoTime() < deadline) {
      sleep(POLL_MILLIS);
      addDescendants(tree); // a child may have forked on its way out
      addSession(process.pid(), tree);
    }
    for (ProcessHandle p : tree) {
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    }
  }

  private static void addTree(ProcessHandle root, List<ProcessHandle> tree) {
    tree.add(root);
    for (Iterator<ProcessHandle> i = root.descendants().iterator(); i.hasNext(); ) {
      tree.add(i.next());
    }
    addSession(root.pid(), tree);
  }

  private static void addSession(long sid, List<ProcessHandle> tree) {
    for (ProcessHandle p : UnixSession.members(sid)) {
      if (!tree.contains(p)) {
        tree.add(p);
      }
    }
  }

  private static void addDescendants(List<ProcessHandle> tree) {
    for (ProcessHandle p : new ArrayList<>(tree)) {
      if (p.isAlive()) {
        for (Iterator<ProcessHandle> i = p.descendants().iterator(); i.hasNext(); ) {
          ProcessHandle d = i.next();
          if (!tree.contains(d)) {
            tree.add(d);
          }
        }
      }
    }
  }

  private static boolean anyAlive(List<ProcessHandle> tree) {
    for (ProcessHandle p : tree) {
      if (p.isAlive()) {
        return true;
      }
    }
    return false;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The request body to the service's stdin, then its end. A small one fits in the pipe at once
   * (a pipe holds 64 KiB), so it is written here; a larger one by a thread of its own, while this
   * one drains the service's output, so that no order of reading and writing deadlocks.
   */
  private void feed(Spool stdin) {
    if (stdin.size() <= DIRECT_STDIN_BYTES) {
      new Feeder(stdin, process.getOutputStream()).run();
    } else {
      daemon(new Feeder(stdin, process.getOutputStream()), "pipecgi-stdin");
    }
  }

  private static Thread daemon(Runnable job, String name) {
    // Daemon threads: once the response is written, nothing may keep the JVM alive.
    Thread t = new Thread(job, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Writes the request body to the service's stdin, then closes it. */
  private static final class Feeder implements Runnable {
    private static final byte[] NOTHING = new byte[0];
    private final Spool body;
    private final OutputStream stdin;

    Feeder(Spool body, OutputStream stdin) {
      this.body = body;
      this.stdin = stdin;
    }

    @Override
    public void run() {
      try (OutputStream out = stdin) {
        body.writeTo(out, NOTHING, 0);
      } catch (IOException e) {
        // The service closed its stdin or exited without reading it all: that is its choice.
      }
    }
  }

  /** Wakes a thread: the drain, when the service exits. (Not a lambda: they cost start-up.) */
  private static final class Unpark implements Runnable {
    private final Thread thread;

    Unpark(Thread thread) {
      this.thread = thread;
    }

    @Override
    public void run() {
      LockSupport.unpark(thread);
    }
  }

  /** Keeps the service's stdout; refuses more once it passes max-response-bytes. */
  private static final class Collect implements PipeDrain.Sink {
    private final Spool stdout;

    Collect(Spool stdout) {
      this.stdout = stdout;
    }

    @Override
    public boolean accept(byte[] bytes, int length) throws IOException {
      return stdout.write(bytes, 0, length);
    }
  }
}
