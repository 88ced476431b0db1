package org.introvae.train;

import org.introvae.testing.TrainCli;
import org.introvae.testing.TrainCli.Outcome;
import org.introvae.serving.Json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end on the bundled Fashion-MNIST images, with a narrow network. */
class TrainingRunTest {
  @TempDir
  Path runs;

  private Outcome train(String... extra) {
    return TrainCli.train(List.of("--runs", runs.toString(), "--widths", "8,16", "--z", "8", "--batch", "32",
        "--vae-epochs", "0", "--log-every", "5", "--image-every", "1000", "--checkpoint-every", "10", "--seed", "42"),
        extra);
  }

  private static double meanColumn(List<double[]> rows, int from, int to, int column) {
    return rows.subList(from, to).stream().mapToDouble(r -> r[column]).average().orElseThrow();
  }

  @Test
  void a_short_run_lowers_the_reconstruction_error_and_leaves_its_files() throws Exception {
    Outcome o = train("--run", "short", "--steps", "60");
    assertEquals(0, o.code(), o.err());
    Path run = runs.resolve("short");
    List<double[]> rows = MetricsLog.read(run.resolve("metrics.csv"));
    assertEquals(12, rows.size());
    double early = meanColumn(rows, 0, 3, 4);
    double late = meanColumn(rows, 9, 12, 4);
    assertTrue(late < 0.6 * early, "L_AE should fall: first rows " + early + ", last rows " + late);

    RunParams params = new RunFolder(run).readParams();
    assertEquals(List.of(8, 16), params.config().network().widths());
    assertEquals("data/fashion-mnist/t10k-images-idx3-ubyte.gz", params.data().source());
    assertEquals(9000, params.data().trainImages());
    assertEquals(60, params.config().schedule().steps());
    assertTrue(Files.size(run.resolve("images/final.png")) > 1000);
    assertTrue(Files.size(run.resolve("loss-curves.png")) > 1000);
    assertEquals("step-00000060", Files.readString(run.resolve("checkpoints/latest")).trim());
    assertEquals(o.out(), Files.readString(run.resolve("train.log")), "train.log holds what the run printed");

    List<Path> events;
    try (var list = Files.list(run.resolve("tensorboard"))) {
      events = list.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents")).toList();
    }
    assertEquals(1, events.size(), "one TensorBoard event file");
    String content = new String(Files.readAllBytes(events.get(0)), java.nio.charset.StandardCharsets.ISO_8859_1);
    assertTrue(content.contains("L_AE") && content.contains("kl_sampled"), "scalar summaries");
    assertTrue(content.contains("real | reconstruction | sample") && content.contains("PNG"), "the final grid as an image summary");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"soft", "vae"})
  void the_other_objectives_train_end_to_end(String objective) throws Exception {
    Outcome o = train("--run", objective, "--objective", objective, "--steps", "40", "--batch", "32");
    assertEquals(0, o.code(), o.err());
    Path run = runs.resolve(objective);
    List<double[]> rows = MetricsLog.read(run.resolve("metrics.csv"));
    assertTrue(meanColumn(rows, 6, 8, 4) < 0.7 * meanColumn(rows, 0, 2, 4), "L_AE should fall");
    assertEquals(objective, new RunFolder(run).readParams().config().objective().name());
    double expElbo = rows.get(rows.size() - 1)[8];
    assertTrue(objective.equals("soft") ? expElbo > 0 && expElbo < 1 : expElbo == 0, "expELBO column: " + expElbo);
  }

  /**
   * The bootstrapped Soft-IntroVAE end to end: 100 training images in batches of 32 make 3 steps an
   * epoch, so 8 steps refresh the target twice; the run records the setting and resumes with it.
   */
  @Test
  void a_bootstrapped_run_trains_records_its_setting_and_resumes() throws Exception {
    Outcome o = train("--run", "boot", "--objective", "soft", "--bootstrap", "--target-every", "2", "--held-out", "0.99",
        "--steps", "8");
    assertEquals(0, o.code(), o.err());
    assertTrue(o.out().contains("bootstrapped: the target decoder is refreshed after every 2 epoch(s)"), o.out());
    Path run = runs.resolve("boot");
    assertEquals(2, new RunFolder(run).readParams().config().objective().bootstrapEvery());
    Outcome resumed = train("--run", "boot", "--resume", "--steps", "10");
    assertEquals(0, resumed.code(), resumed.err());
    List<double[]> rows = MetricsLog.read(run.resolve("metrics.csv"));
    assertEquals(10, (int) rows.get(rows.size() - 1)[0]);
    String changed = train("--run", "boot", "--resume", "--objective", "soft", "--bootstrap", "--target-every", "3").err();
    assertTrue(changed.contains("--target-every 3 differs from the run's params.json (2)"), changed);
  }

  @Test
  void resuming_a_killed_run_reproduces_the_uninterrupted_run() throws Exception {
    assertEquals(0, train("--run", "whole", "--steps", "30").code());
    assertEquals(0, train("--run", "split", "--steps", "20").code());
    // Pretend the process died after step 20's checkpoint but before anything else.
    Outcome resumed = train("--run", "split", "--resume", "--steps", "30");
    assertEquals(0, resumed.code(), resumed.err());
    assertTrue(resumed.out().contains("resumed from"), resumed.out());
    assertEquals(30, new RunFolder(runs.resolve("split")).readParams().config().schedule().steps(),
        "params.json records the resumed length");
    String log = Files.readString(runs.resolve("split/train.log"));
    assertTrue(log.indexOf("done: ") < log.indexOf("resumed from"), "the resumed run appends to train.log: " + log);
    List<double[]> whole = MetricsLog.read(runs.resolve("whole/metrics.csv"));
    List<double[]> split = MetricsLog.read(runs.resolve("split/metrics.csv"));
    assertEquals(whole.size(), split.size());
    for (int i = 0; i < whole.size(); i++) {
      // Every column but the wall-clock seconds.
      int n = whole.get(i).length - 1;
      assertTrue(Arrays.equals(Arrays.copyOf(whole.get(i), n), Arrays.copyOf(split.get(i), n)),
          "row " + i + ": " + Arrays.toString(whole.get(i)) + " vs " + Arrays.toString(split.get(i)));
    }
  }

  @Test
  void the_same_seed_gives_the_same_losses() throws Exception {
    assertEquals(0, train("--run", "a", "--steps", "10").code());
    assertEquals(0, train("--run", "b", "--steps", "10").code());
    assertEquals(0, train("--run", "c", "--steps", "10", "--seed", "43").code());
    List<String> a = Files.readAllLines(runs.resolve("a/metrics.csv"));
    List<String> b = Files.readAllLines(runs.resolve("b/metrics.csv"));
    List<String> c = Files.readAllLines(runs.resolve("c/metrics.csv"));
    assertEquals(strip(a), strip(b));
    assertTrue(!strip(a).equals(strip(c)), "another seed should train differently");
  }

  private static List<String> strip(List<String> lines) {
    return lines.stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
  }

  @Test
  void a_diverging_run_stops_with_a_message_and_keeps_the_last_good_checkpoint() throws Exception {
    assertEquals(0, train("--run", "nan", "--steps", "10").code());
    Outcome o = train("--run", "nan", "--resume", "--steps", "40", "--lr", "1e30");
    assertEquals(2, o.code());
    assertTrue(o.err().startsWith("error: step ") && o.err().contains("training stopped"), o.err());
    assertEquals(1, o.err().strip().lines().count(), o.err());
    assertTrue(o.err().contains("(step 10)"), o.err());
    assertEquals("step-00000010", Files.readString(runs.resolve("nan/checkpoints/latest")).trim());
    assertTrue(Files.exists(runs.resolve("nan/checkpoints/step-00000010/model.index")));
  }

  @Test
  void bad_input_is_one_line_on_stderr_with_exit_code_2() {
    Outcome missing = train("--run", "x", "--data", runs.resolve("nope").toString());
    assertEquals(2, missing.code());
    assertEquals("error: " + runs.resolve("nope") + ": no such file or folder", missing.err().strip());

    Outcome exists = train("--run", "dup", "--steps", "1");
    assertEquals(0, exists.code(), exists.err());
    Outcome again = train("--run", "dup", "--steps", "1");
    assertEquals(2, again.code());
    assertTrue(again.err().contains("pass --resume"), again.err());

    Outcome resumeNothing = train("--run", "ghost", "--resume");
    assertEquals(2, resumeNothing.code());
    assertTrue(resumeNothing.err().contains("no run to resume"), resumeNothing.err());
  }
}
