package org.introvae.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tmpfs mounted on a test's folder: a small one to fill, or a read-only one. Mounting needs root
 * (CI and these machines run as root); elsewhere the test is skipped, not passed.
 */
public final class SmallDisk implements AutoCloseable {
  private final Path mountPoint;

  private SmallDisk(Path mountPoint) {
    this.mountPoint = mountPoint;
  }

  /** A tmpfs of {@code kilobytes} on {@code folder} (created if needed). */
  public static SmallDisk of(Path folder, int kilobytes) throws IOException, InterruptedException {
    return mount(folder, "size=" + kilobytes + "k");
  }

  /** A read-only tmpfs on {@code folder}. */
  public static SmallDisk readOnly(Path folder) throws IOException, InterruptedException {
    return mount(folder, "ro,size=64k");
  }

  private static SmallDisk mount(Path folder, String options) throws IOException, InterruptedException {
    Files.createDirectories(folder);
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", options, "tmpfs", folder.toString())
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    assumeTrue(p.waitFor() == 0, "cannot mount a tmpfs here (needs root): " + output.trim());
    return new SmallDisk(folder);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    new ProcessBuilder("umount", "-l", mountPoint.toString()).inheritIO().start().waitFor();
  }
}
