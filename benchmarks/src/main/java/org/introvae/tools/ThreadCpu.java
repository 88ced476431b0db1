package org.introvae.tools;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of a process' threads by role, from Linux's /proc/PID/task/N/stat (user + system
 * ticks) and each thread's name: Java threads carry their Java names, TensorFlow's own pool threads
 * the launcher's ("java"). Threads that ended between two snapshots are missing from the second.
 */
final class ThreadCpu {
  /** Linux's USER_HZ, the unit of utime and stime. */
  private static final double TICKS_PER_SECOND = 100;

  private final Map<String, Long> ticksByThread;

  private ThreadCpu(Map<String, Long> ticksByThread) {
    this.ticksByThread = ticksByThread;
  }

  /** This process' threads: id and name → ticks so far. */
  static ThreadCpu now() throws IOException {
    return of("self");
  }

  /** Process {@code pid}'s threads: id and name → ticks so far. */
  static ThreadCpu of(long pid) throws IOException {
    return of(String.valueOf(pid));
  }

  private static ThreadCpu of(String pid) throws IOException {
    Map<String, Long> ticks = new HashMap<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", pid, "task"))) {
      for (Path task : tasks) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException ended) {
          continue;
        }
        // pid (comm) state ... : comm may hold spaces and parentheses, so split at the last ')'.
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        String name = stat.substring(open + 1, close);
        String[] fields = stat.substring(close + 2).split(" ");
        long used = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
        ticks.put(task.getFileName() + "/" + name, used);
      }
    }
    return new ThreadCpu(ticks);
  }

  /** CPU seconds per role spent since {@code before}. */
  private Map<String, Double> byRole(ThreadCpu before) {
    Map<String, Double> byRole = new TreeMap<>();
    for (Map.Entry<String, Long> e : ticksByThread.entrySet()) {
      long spent = e.getValue() - before.ticksByThread.getOrDefault(e.getKey(), 0L);
      if (spent > 0) {
        byRole.merge(role(e.getKey().substring(e.getKey().indexOf('/') + 1)), spent / TICKS_PER_SECOND, Double::sum);
      }
    }
    return byRole;
  }

  /** "{@code perRequest} ms CPU per request: role 45 %, ..." for the time since {@code before}, largest roles first. */
  String perRequest(ThreadCpu before, int requests) {
    Map<String, Double> byRole = byRole(before);
    double total = byRole.values().stream().mapToDouble(Double::doubleValue).sum();
    StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%.2f ms CPU/request:", 1000 * total / requests));
    byRole.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(6)
        .forEach(e -> text.append(String.format(Locale.ROOT, " %s %.0f%%", e.getKey(), 100 * e.getValue() / total)));
    return text.toString();
  }

  /** CPU milliseconds per request since {@code before}, every thread together. */
  double msPerRequest(ThreadCpu before, int requests) {
    return 1000 * byRole(before).values().stream().mapToDouble(Double::doubleValue).sum() / requests;
  }

  /** The share of the CPU time since {@code before} that the JIT compiler threads used (0 when none was used). */
  double compilerShare(ThreadCpu before) {
    Map<String, Double> byRole = byRole(before);
    double total = byRole.values().stream().mapToDouble(Double::doubleValue).sum();
    double compiler = byRole.entrySet().stream().filter(e -> e.getKey().contains("CompilerThre"))
        .mapToDouble(Map.Entry::getValue).sum();
    return total == 0 ? 0 : compiler / total;
  }

  /** A thread name without its number: "pool-3-thread-12" → "pool-thread", "GC Thread#1" → "GC Thread". */
  static String role(String name) {
    if (name.equals("java")) {
      return "TensorFlow/main";
    }
    String role = name.replaceAll("[-#]?\\d+", "").replaceAll("-+", "-").replaceAll("-$", "");
    return role.isEmpty() ? name : role;
  }
}
