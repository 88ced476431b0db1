package org.introvae.toy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.introvae.serving.Json;
import org.introvae.train.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Toy2DTest {
  @TempDir
  Path runs;

  @Test
  void a_short_run_lowers_the_loss_and_writes_metrics_and_pictures() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Toy2DCommand.run(new String[] {"--dataset", "rings", "--objective", "soft", "--iterations", "300",
        "--vae-iterations", "50", "--batch", "256", "--lr", "1e-3", "--lr-drops", "none", "--runs", runs.toString(),
        "--run", "r", "--log-every", "10", "--average-last", "250"}, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
    assertEquals(0, code, err.toString());
    Path run = runs.resolve("r");
    List<double[]> rows = MetricsLog.read(run.resolve("metrics.csv"));
    // L_AE (column 4) over the first and last five logged steps: single steps are noisy. (A plain VAE
    // is a poor probe here: with β = 1 it settles near the data's mean on rings within a few steps.)
    double first = 0;
    double last = 0;
    for (int i = 0; i < 5; i++) {
      first += rows.get(i)[4] / 5;
      last += rows.get(rows.size() - 1 - i)[4] / 5;
    }
    assertTrue(last < 0.9 * first, "reconstruction error should fall: " + first + " → " + last);
    Map<String, String> m = Json.parseFlat(Files.readString(run.resolve("metrics.json")));
    for (String key : new String[] {"kl", "jsd", "gnelbo"}) {
      double v = Double.parseDouble(m.get(key));
      assertTrue(Double.isFinite(v) && v >= 0, key + " = " + v);
    }
    // 20 evaluations on fresh draws of real and generated points: they differ (the histograms are noisy),
    // and the first, the protocol's, lies within their spread.
    assertEquals("20", m.get("evaluations"));
    for (String key : new String[] {"kl", "jsd"}) {
      double protocol = Double.parseDouble(m.get(key));
      double mean = Double.parseDouble(m.get(key + "_mean"));
      double sd = Double.parseDouble(m.get(key + "_sd"));
      assertTrue(sd > 0 && Math.abs(protocol - mean) < 5 * sd, key + ": " + protocol + " vs " + mean + " ± " + sd);
    }
    assertTrue(Files.size(run.resolve("samples.png")) > 1000 && Files.size(run.resolve("density.png")) > 1000);
    // The mean of the last 250 iterations' weights, snapshots at iterations 300, 200 and 100 (counted from 1),
    // measured on the same draws: a different model from the last iteration's.
    assertEquals("3", m.get("average_snapshots"));
    assertTrue(!m.get("average_kl_mean").equals(m.get("kl_mean")), m.toString());
    assertTrue(Double.parseDouble(m.get("average_jsd_mean")) > 0);
    assertTrue(Files.size(run.resolve("samples-average.png")) > 1000);
  }

  @Test
  void one_snapshot_averages_to_the_last_iterations_model() throws Exception {
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    int code = Toy2DCommand.run(new String[] {"--dataset", "8gaussians", "--iterations", "40", "--vae-iterations", "20",
        "--batch", "64", "--runs", runs.toString(), "--run", "one", "--average-last", "1", "--threads", "1"}, quiet, quiet);
    assertEquals(0, code);
    Map<String, String> m = Json.parseFlat(Files.readString(runs.resolve("one/metrics.json")));
    assertEquals("1", m.get("average_snapshots"));
    // Same weights, same graph, same draws, same threads: the same figures to the bit.
    for (String key : new String[] {"kl", "kl_mean", "jsd_mean"}) {
      assertEquals(m.get(key), m.get("average_" + key), key);
    }
  }

  @Test
  void bad_options_are_one_line_errors() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    assertEquals(2, Toy2DCommand.run(new String[] {"--dataset", "moons"}, quiet, new PrintStream(err)));
    assertTrue(err.toString().contains("--dataset: 'moons' is not one of"), err.toString());
    assertEquals(2, Toy2DCommand.run(new String[] {"--objective", "gan"}, quiet, new PrintStream(err)));
    assertEquals(2, Toy2DCommand.run(new String[] {"--lr-drops", "x"}, quiet, new PrintStream(err)));
    assertTrue(err.toString().contains("--lr-drops"), err.toString());
    assertEquals(2, Toy2DCommand.run(new String[] {"--replicas", "3"}, quiet, new PrintStream(err)));
    assertTrue(err.toString().contains("--replicas: a batch of 512 does not split into 3 equal shards"), err.toString());
    assertEquals(2, Toy2DCommand.run(new String[] {"--device", "tpu"}, quiet, new PrintStream(err)));
    assertTrue(err.toString().contains("--device: 'tpu' is not cpu, gpu or gpu:N"), err.toString());
  }
}
