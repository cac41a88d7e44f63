package pipecgi.core;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The service runs in a session of its own (setsid), so that everything it starts can be found
 * again: a child whose parent has exited is no longer anyone's descendant, but it stays in the
 * session, and the session is found through /proc. Only a process that makes a session of its
 * own (a daemon) leaves it.
 */
final class UnixSession {
  /** util-linux's setsid: run a program as the leader of a new session. */
  static final File SETSID = new File("/usr/bin/setsid");

  private static final String LAST_PID = "/proc/sys/kernel/ns_last_pid";
  /** Up to this many pids handed out since the leader's are read one by one. */
  private static final long NEARBY = 64;

  private UnixSession() {}

  /** The words that start {@code argv} in a new session, or {@code argv} where that cannot be. */
  static List<String> inNewSession(List<String> argv) {
    if (!SETSID.canExecute()) {
      return argv;
    }
    // The JDK starts the child in the JVM's process group, never as a group leader, so setsid
    // makes the new session at once and execs the program: the service keeps the child's pid.
    List<String> words = new ArrayList<>(argv.size() + 1);
    words.add(SETSID.getPath());
    words.addAll(argv);
    return words;
  }

  /** The live processes of session {@code sid}, read from /proc; none where there is no /proc. */
  static List<ProcessHandle> members(long sid) {
    List<ProcessHandle> found = new ArrayList<>();
    String[] entries = new File("/proc").list();
    if (entries == null) {
      return found;
    }
    for (String entry : entries) {
      if (isNumber(entry) && sessionOf(entry) == sid) {
        Optional<ProcessHandle> p = ProcessHandle.of(Long.parseLong(entry));
        if (p.isPresent()) {
          found.add(p.get());
        }
      }
    }
    return found;
  }

  /**
   * Whether session {@code sid} has a live process besides its leader. The leader's children
   * were started after it, so their pids are among those the kernel has handed out since: from
   * the leader's to the last one (/proc/sys/kernel/ns_last_pid), a few on a quiet machine, each
   * read on its own. When they are many (a busy machine), or the pids wrapped around in between,
   * or the last one cannot be read, every process is read.
   */
  static boolean hasLaterMembers(long sid) {
    long last = lastPid();
    if (last >= sid && last - sid <= NEARBY) {
      for (long pid = sid + 1; pid <= last; pid++) {
        if (sessionOf(Long.toString(pid)) == sid) {
          return true;
        }
      }
      return false;
    }
    String[] entries = new File("/proc").list();
    if (entries == null) {
      return false;
    }
    String leader = Long.toString(sid);
    for (String entry : entries) {
      if (isNumber(entry) && !entry.equals(leader) && sessionOf(entry) == sid) {
        return true;
      }
    }
    return false;
  }

  /** The pid the kernel handed out last, or -1. */
  private static long lastPid() {
    try (InputStream in = new FileInputStream(LAST_PID)) {
      String text = new String(in.readNBytes(32), StandardCharsets.ISO_8859_1).trim();
      return isNumber(text) ? Long.parseLong(text) : -1;
    } catch (IOException e) {
      return -1;
    }
  }

  /** Field 6 of /proc/PID/stat, counted after the command name, which may hold spaces or ')'. */
  private static long sessionOf(String pid) {
    String stat;
    try (InputStream in = new FileInputStream("/proc/" + pid + "/stat")) {
      stat = new String(in.readNBytes(1024), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return -1; // it has just exited
    }
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // state, ppid, pgrp, session
    return fields.length > 3 && isNumber(fields[3]) ? Long.parseLong(fields[3]) : -1;
  }

  private static boolean isNumber(String s) {
    if (s.isEmpty() || s.length() > 18) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }
}
