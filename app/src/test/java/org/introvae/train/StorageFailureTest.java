package org.introvae.train;

import org.introvae.testing.TrainCli;
import org.introvae.testing.TrainCli.Outcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.introvae.testing.SmallDisk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints on a full disk and damaged checkpoints: one-line errors, nothing half-written left, fallbacks. */
class StorageFailureTest {
  @TempDir
  Path root;

  private static Outcome train(Path runs, String... extra) {
    return TrainCli.train(List.of("--runs", runs.toString(), "--run", "r", "--widths", "8,16", "--z", "8",
        "--batch", "32", "--vae-epochs", "0", "--log-every", "5", "--image-every", "1000", "--seed", "3"), extra);
  }

  @Test
  void a_full_disk_during_a_checkpoint_is_a_one_line_error_and_leaves_no_temporary_folder() throws Exception {
    Path runs = root.resolve("full");
    try (SmallDisk disk = SmallDisk.of(runs, 96)) {
      Outcome o = train(runs, "--steps", "10", "--checkpoint-every", "5");
      assertEquals(1, o.code(), o.out() + o.err());
      String error = o.err().trim();
      assertEquals(1, error.lines().count(), error);
      assertTrue(error.contains(runs.resolve("r/checkpoints").toString()) && error.contains("the disk is full"), error);
      assertFalse(error.contains("OOM") || error.contains("allocated tensors") || error.contains("Exception"), error);
      try (var list = Files.list(runs.resolve("r/checkpoints"))) {
        assertTrue(list.noneMatch(p -> p.getFileName().toString().startsWith(".tmp-step-")), "no temporary folder left");
      }
    }
  }

  /** A 20-step run with checkpoints at 10 and 20, its latest data file damaged by {@code damage}, resumed to 30. */
  private Outcome resumeAfterDamage(String name, Damage damage) throws Exception {
    Path runs = root.resolve(name);
    assertEquals(0, train(runs, "--steps", "20", "--checkpoint-every", "10").code());
    try (RandomAccessFile f = new RandomAccessFile(
        runs.resolve("r/checkpoints/step-00000020/model.data-00000-of-00001").toFile(), "rw")) {
      damage.apply(f);
    }
    Outcome o = train(runs, "--resume", "--steps", "30");
    assertEquals(0, o.code(), o.err());
    assertTrue(o.out().contains("resumed from " + runs.resolve("r/checkpoints/step-00000010") + " (step 10)"), o.out());
    assertEquals("step-00000030", Files.readString(runs.resolve("r/checkpoints/latest")).trim());
    return o;
  }

  private interface Damage {
    void apply(RandomAccessFile f) throws java.io.IOException;
  }

  @Test
  void a_truncated_latest_checkpoint_resumes_from_the_newest_intact_one() throws Exception {
    Outcome o = resumeAfterDamage("truncated", f -> f.setLength(f.length() / 2));
    assertTrue(o.out().contains("step-00000020 is unusable: model.data-00000-of-00001 has"), o.out());
  }

  @Test
  void a_corrupted_byte_is_found_by_the_checksum() throws Exception {
    Outcome o = resumeAfterDamage("flipped", f -> {
      f.seek(f.length() / 2);
      int b = f.read();
      f.seek(f.length() / 2);
      f.write(b ^ 0x40);
    });
    assertTrue(o.out().contains("CRC-32 differs"), o.out());
  }
}
