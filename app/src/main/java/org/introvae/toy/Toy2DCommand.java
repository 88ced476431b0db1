package org.introvae.toy;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.introvae.model.Objectives;
import org.introvae.serving.CommandLine;
import org.introvae.train.ExperimentOptions;

/** Toy2D's command line: one dataset, one objective, the paper's protocol unless overridden. */
public final class Toy2DCommand {
  private Toy2DCommand() {}

  static final String USAGE = """
      usage: Toy2D [options]   (2-D density experiments of the Soft-IntroVAE paper)
        --dataset NAME        8gaussians, 2spirals, checkerboard, rings            [8gaussians]
        --objective NAME      soft, introvae, vae                                  [soft]
        --iterations N        training iterations                                  [30000]
        --vae-iterations N    first N iterations train the plain VAE               [2000]
        --updates ORDER       alternating (the papers' order) or simultaneous      [alternating]
        --lr-drops LIST       iterations where the learning rate is multiplied by 0.1 [10000,15000]
        --batch N             points per iteration                                 [512]
        --lr RATE             Adam learning rate                                   [2e-4]
        --z N                 latent dimensions                                    [2]
        --beta-kl, --beta-rec, --beta-neg, --gamma-r   soft weights   [the paper's per dataset]
        --alpha, --beta, --margin                      introvae weights [0.25, 1, 10]; vae: --beta [1]
        --seed N              seed of data, weights and noise                      [92]
        --run NAME            output folder under --runs                           [toy2d-<dataset>-<objective>]
        --runs DIR                                                                 [runs]
        --log-every N                                                              [100]
        --threads N           TensorFlow intra- and inter-op threads (0 = TF's default) [0]
        --device cpu|gpu|gpu:N  where the step runs (no GPU: the CPU, and it says so) [cpu]
        --replicas N          split each batch over N devices, average the gradients [1]
      Writes metrics.csv, metrics.json (KL, JSD, gnELBO), samples.png and density.png.
      """;

  public static int run(String[] args, PrintStream out, PrintStream err) {
    Map<String, String> d = new LinkedHashMap<>();
    Objectives.weightOptions().keySet().forEach(w -> d.put(w.option(), null));
    d.put("run", null);
    d.putAll(Map.of("dataset", "8gaussians", "objective", org.introvae.model.SoftIntroVaeObjective.NAME, "iterations", "30000", "vae-iterations", "2000",
        "lr-drops", "10000,15000", "batch", "512", "lr", "2e-4", "z", "2", "seed", "92", "runs", "runs"));
    d.put("log-every", "100");
    d.put("updates", "alternating");
    d.put("threads", "0");
    d.put("device", "cpu");
    d.put("replicas", "1");
    return ExperimentOptions.exitCode(err, () -> {
      CommandLine c = CommandLine.parse(args, d);
      if (c == null) {
        out.print(USAGE);
        return;
      }
      String dataset = c.get("dataset");
      if (!ToyDatasets.NAMES.contains(dataset)) {
        throw new IllegalArgumentException("--dataset: '" + dataset + "' is not one of " + ToyDatasets.NAMES);
      }
      String objectiveName = c.get("objective");
      if (!Toy2D.objectives().contains(objectiveName)) {
        throw new IllegalArgumentException("--objective: '" + objectiveName + "' is not one of " + Toy2D.objectives());
      }
      int batch = (int) c.whole("batch", 1, 1 << 20);
      Toy2D.Settings settings = new Toy2D.Settings(dataset,
          ExperimentOptions.objective(c, Toy2D.defaults(objectiveName, dataset)), ExperimentOptions.order(c),
          (int) c.whole("iterations", 1, 10_000_000), (int) c.whole("vae-iterations", 0, 10_000_000),
          batch, ExperimentOptions.nonNegative(c, "lr"), drops(c.get("lr-drops")),
          (int) c.whole("z", 1, 1024), c.whole("seed", Long.MIN_VALUE, Long.MAX_VALUE), (int) c.whole("log-every", 1, 1 << 30),
          (int) c.whole("threads", 0, 256), ExperimentOptions.placement(c, batch));
      String run = c.get("run") != null ? c.get("run") : "toy2d-" + dataset + "-" + objectiveName;
      new Toy2D(settings, Path.of(c.get("runs")).resolve(run), out).run();
    });
  }

  private static int[] drops(String text) {
    if (text.isBlank() || text.equals("none")) {
      return new int[0];
    }
    try {
      return java.util.Arrays.stream(text.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--lr-drops: '" + text + "' must be iterations separated by commas, or none");
    }
  }
}
