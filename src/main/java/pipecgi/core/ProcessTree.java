package pipecgi.core;

import java.io.File;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A service's process and everything it starts: launched as the leader of a session of its own
 * (see {@link UnixSession}), so that all of it can be found again, and stopped all together.
 */
public final class ProcessTree {
  /** Between SIGTERM and SIGKILL. Apache waits 3 s before it SIGKILLs pipecgi itself. */
  public static final long GRACE_MILLIS = 1000;

  private static final long POLL_MILLIS = 10;

  private ProcessTree() {}

  /**
   * A builder for {@code program} with the rest of {@code command}, in {@code workdir}, with
   * exactly {@code env}, in a session of its own.
   */
  static ProcessBuilder builder(File program, List<String> command, File workdir,
      Map<String, String> env) {
    List<String> argv = new ArrayList<>(command);
    argv.set(0, program.getPath());
    ProcessBuilder builder =
        new ProcessBuilder(UnixSession.inNewSession(argv)).directory(workdir);
    Map<String, String> childEnv = builder.environment();
    childEnv.clear();
    childEnv.putAll(env);
    return builder;
  }

  /**
   * Stops {@code process} and everything it started: SIGTERM to the whole tree and to its
   * session (where children whose parent has exited still are), a grace period, then SIGKILL to
   * whatever is left.
   */
  public static void stop(Process process) {
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
}
