package org.introvae.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process' memory as Linux reports it in /proc/PID/status. */
final class ProcessMemory {
  private ProcessMemory() {}

  /** Resident set size of this process, MB. */
  static double rssMb() throws IOException {
    return statusMb("self", "VmRSS:");
  }

  /** Resident set size of another process, MB. */
  static double rssMb(long pid) throws IOException {
    return statusMb(String.valueOf(pid), "VmRSS:");
  }

  /** Peak resident set size of this process, MB. */
  static double peakRssMb() throws IOException {
    return statusMb("self", "VmHWM:");
  }

  private static double statusMb(String pid, String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
      if (line.startsWith(field)) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
      }
    }
    return Double.NaN;
  }
}
