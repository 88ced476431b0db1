package org.introvae.testing;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** An entry point of this project in a JVM of its own (the test classpath), its output collected as it runs. */
public final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final StringBuffer out = new StringBuffer();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final Thread outReader;
  private final Thread errReader;

  private ChildJvm(Process process) {
    this.process = process;
    outReader = new Thread(this::readOut, "child-stdout");
    errReader = new Thread(this::readErr, "child-stderr");
    outReader.start();
    errReader.start();
  }

  /** {@code java -cp <test classpath> mainClass args...} in the current folder. */
  public static ChildJvm start(String mainClass, List<String> args) throws IOException {
    return start(mainClass, args, java.util.Map.of(), List.of());
  }

  /** As {@link #start(String, List)}, with {@code set} added to this JVM's environment and {@code unset} removed from it. */
  public static ChildJvm start(String mainClass, List<String> args, java.util.Map<String, String> set, List<String> unset)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), mainClass));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).directory(Path.of("").toAbsolutePath().toFile());
    unset.forEach(builder.environment()::remove);
    builder.environment().putAll(set);
    return new ChildJvm(builder.start());
  }

  public Process process() {
    return process;
  }

  /**
   * SIGTERM, through the process handle: {@link Process#destroy} would also close this side's pipes,
   * losing what the JVM says while it stops.
   */
  public void terminate() {
    process.toHandle().destroy();
  }

  /** Waits until standard output has a line starting with {@code prefix}; false if the time ran out or the JVM ended first. */
  public boolean awaitLine(String prefix, long seconds) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < end) {
      if (out().lines().anyMatch(l -> l.startsWith(prefix))) {
        return true;
      }
      if (!process.isAlive() && !outReader.isAlive()) {
        return out().lines().anyMatch(l -> l.startsWith(prefix));
      }
      Thread.sleep(50);
    }
    return false;
  }

  /** Waits for the JVM to end and its output to be read; false if it is still running after {@code seconds}. */
  public boolean awaitExit(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      return false;
    }
    outReader.join();
    errReader.join();
    return true;
  }

  public String out() {
    return out.toString();
  }

  public String err() {
    synchronized (err) {
      return err.toString(StandardCharsets.UTF_8);
    }
  }

  private void readOut() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        out.append(line).append('\n');
      }
    } catch (IOException e) {
      out.append(e).append('\n');
    }
  }

  private void readErr() {
    byte[] buffer = new byte[8192];
    try (var in = process.getErrorStream()) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        synchronized (err) {
          err.write(buffer, 0, n);
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
