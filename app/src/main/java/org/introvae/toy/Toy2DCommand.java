package org.introvae.toy;

import java.io.PrintStream;
import org.introvae.commandline.ToolOptions;
import org.introvae.model.SoftIntroVaeObjective;
import org.introvae.train.ExperimentOptions;
import org.introvae.train.Interruption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Toy2D's command line: one dataset, one objective, the paper's protocol unless overridden. */
public final class Toy2DCommand {
  private Toy2DCommand() {}

  @Command(name = "toy2d", showDefaultValues = true, sortOptions = false,
      description = "The Soft-IntroVAE paper's 2-D density experiments: one dataset, one objective, the paper's protocol"
          + " unless overridden.",
      footer = "Writes metrics.csv, metrics.json (KL, JSD, gnELBO), samples.png and density.png.")
  static final class Options {
    @Option(names = "--dataset", paramLabel = "NAME", description = "8gaussians, 2spirals, checkerboard, rings")
    String dataset = "8gaussians";
    @Option(names = "--objective", paramLabel = "NAME", description = "soft, introvae, vae")
    String objective = SoftIntroVaeObjective.NAME;
    @Option(names = "--iterations", paramLabel = "N", description = "training iterations")
    int iterations = 30_000;
    @Option(names = "--vae-iterations", paramLabel = "N", description = "first N iterations train the plain VAE")
    int vaeIterations = 2_000;
    @Option(names = "--lr-drops", paramLabel = "LIST", description = "iterations where the learning rate is multiplied"
        + " by 0.1, or none")
    String lrDrops = "10000,15000";
    @Option(names = "--batch", paramLabel = "N", description = "points per iteration")
    int batch = 512;
    @Option(names = "--lr", paramLabel = "RATE", description = "Adam learning rate")
    float lr = 2e-4f;
    @Option(names = "--z", paramLabel = "N", description = "latent dimensions")
    int z = 2;
    @Option(names = "--average-last", paramLabel = "N", description = "also measure the mean of the weights over the"
        + " last N iterations (a snapshot every " + Toy2D.AVERAGE_EVERY + "; average_* in metrics.json,"
        + " samples-average.png); 0 for none; default: the last sixth of the run (5,000 of 30,000)")
    Integer averageLast;
    @Mixin
    ExperimentOptions.Output output = new ExperimentOptions.Output(92, 100);
    @Mixin
    ExperimentOptions.Execution execution;
    @Mixin
    ExperimentOptions.Devices devices;
    @Mixin
    ToolOptions.Help help;
  }

  public static int run(String[] args, PrintStream out, PrintStream err) {
    Options o = new Options();
    return Interruption.guarded(err, () -> ExperimentOptions.exitCode(err, () -> {
      ToolOptions parsed = ExperimentOptions.withWeights(o);
      if (!parsed.parse(args, out)) {
        return;
      }
      if (!ToyDatasets.NAMES.contains(o.dataset)) {
        throw new IllegalArgumentException("--dataset: '" + o.dataset + "' is not one of " + ToyDatasets.NAMES);
      }
      if (!Toy2D.objectives().contains(o.objective)) {
        throw new IllegalArgumentException("--objective: '" + o.objective + "' is not one of " + Toy2D.objectives());
      }
      int batch = ToolOptions.whole("--batch", o.batch, 1, 1 << 20);
      int iterations = ToolOptions.whole("--iterations", o.iterations, 1, 10_000_000);
      Toy2D.Settings settings = new Toy2D.Settings(o.dataset,
          ExperimentOptions.objective(parsed, Toy2D.defaults(o.objective, o.dataset)), o.execution.order(),
          iterations,
          ToolOptions.whole("--vae-iterations", o.vaeIterations, 0, 10_000_000),
          batch, ToolOptions.nonNegative("--lr", o.lr), drops(o.lrDrops), ToolOptions.whole("--z", o.z, 1, 1024),
          o.output.seed, o.output.logEvery(), o.execution.threads(), o.devices.placement(batch),
          o.averageLast == null ? Toy2D.defaultAverageLast(iterations)
              : ToolOptions.whole("--average-last", o.averageLast, 0, iterations));
      new Toy2D(settings, o.output.folder("toy2d-" + o.dataset + "-" + o.objective), out).run();
    }));
  }

  private static int[] drops(String text) {
    return text.isBlank() || text.equals("none") ? new int[0] : ToolOptions.wholes("--lr-drops", text, 1, 10_000_000);
  }
}
