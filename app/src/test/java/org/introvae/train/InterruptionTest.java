package org.introvae.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.introvae.data.mesh.TestMeshes;
import org.introvae.testing.ChildJvm;
import org.introvae.testing.TrainCli;
import org.introvae.testing.TrainCli.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM (what Ctrl-C's SIGINT and a scheduler's stop do alike) to a training JVM mid-run: it stops
 * between steps with one line, keeps a checkpoint of the last step and --resume goes on from it; no
 * JVM crash report (before, libtensorflow could be torn down under a running step: SIGSEGV).
 */
class InterruptionTest {
  private static final Pattern STOPPED = Pattern.compile("stopped after step (\\d+) \\(interrupted\\); its checkpoint is in (\\S+); continue with --resume");

  @TempDir
  Path runs;

  @Test
  void an_interrupted_image_run_keeps_its_last_step_and_resumes() throws Exception {
    List<String> base = List.of("--runs", runs.toString(), "--run", "r", "--widths", "8,16", "--z", "8", "--batch", "16",
        "--log-every", "1", "--image-every", "100000", "--checkpoint-every", "100000", "--threads", "1");
    long step = interrupt(base, List.of("--steps", "100000"), runs.resolve("r/checkpoints"));
    Outcome resumed = TrainCli.train(base, "--resume", "--steps", String.valueOf(step + 2));
    assertEquals(0, resumed.code(), resumed.err());
    assertTrue(resumed.out().contains("(step " + step + ")"), resumed.out());
  }

  @Test
  void an_interrupted_points_run_keeps_its_last_step_and_resumes() throws Exception {
    List<String> base = List.of("--model", "points", "--meshes", TestMeshes.folder().toString(), "--batch", "4",
        "--points", "64", "--widths", "8,16", "--z", "4", "--threads", "1", "--log-every", "1", "--runs", runs.toString(),
        "--run", "p");
    long step = interrupt(base, List.of("--steps", "100000"), runs.resolve("p/checkpoints"));
    Outcome resumed = TrainCli.train(base, "--resume", "--steps", String.valueOf(step + 2));
    assertEquals(0, resumed.code(), resumed.err());
    assertTrue(resumed.out().contains("(step " + step + ")"), resumed.out());
  }

  /** Starts Train, sends SIGTERM after its third logged step, checks the stop; returns the step it kept. */
  private static long interrupt(List<String> base, List<String> extra, Path checkpoints) throws Exception {
    List<String> args = new ArrayList<>(base);
    args.addAll(extra);
    try (ChildJvm train = ChildJvm.start("Train", args)) {
      assertTrue(train.awaitLine("step 3/", 180), "no third step: " + train.out() + train.err());
      train.terminate();
      assertTrue(train.awaitExit(120), "did not stop within 2 minutes of SIGTERM");
      String all = train.out() + train.err();
      assertFalse(all.contains("fatal error") || all.contains("SIGSEGV"), all);
      assertEquals(128 + 15, train.process().exitValue(), "the exit status of a JVM ended by SIGTERM");
      Matcher m = STOPPED.matcher(train.err());
      assertTrue(m.find(), "one line saying where it stopped: " + train.err() + " / " + train.out());
      assertEquals(1, train.err().strip().lines().count(), train.err());
      long step = Long.parseLong(m.group(1));
      assertTrue(step >= 3, "stopped after the third step, at " + step);
      assertEquals(checkpoints.toString(), m.group(2));
      assertEquals(String.format("step-%08d", step), Files.readString(checkpoints.resolve("latest")).trim());
      return step;
    }
  }
}
