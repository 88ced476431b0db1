package org.introvae.points;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.introvae.commandline.ToolOptions;
import org.introvae.data.DataException;
import org.introvae.data.mesh.ShapeSet;
import org.introvae.model.Objective;
import org.introvae.model.PointNetworks;
import org.introvae.model.SoftIntroVaeObjective;
import org.introvae.model.VaeObjective;
import org.introvae.train.ExperimentOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code Train --model points}: the command line of {@link PointCloudTraining}. */
public final class PointsCommand {
  private PointsCommand() {}

  static final Path DEFAULT_MESHES = Path.of(System.getProperty("user.home"), ".cache", "introvae", "meshes");

  @Command(name = "train --model points", showDefaultValues = true, sortOptions = false,
      description = "Soft-IntroVAE on 3-D point clouds sampled from meshes.",
      footer = {"Every 10th shape (in path order) is held out. Writes metrics.csv, metrics.json (held-out Chamfer",
          "distance, voxel JSD of samples), images/reconstructions.png, samples.png, interpolation.png, settings.json",
          "and checkpoints (every --checkpoint-every steps and the last)."})
  static final class Options {
    @Option(names = "--meshes", paramLabel = "DIR", description = "folder of .off .ply .stl .obj .wrl meshes, searched"
        + " recursively (tools/install-meshes.sh fills the default)")
    Path meshes = DEFAULT_MESHES;
    @Option(names = "--objective", paramLabel = "NAME", description = "soft or vae")
    String objective = SoftIntroVaeObjective.NAME;
    @Option(names = "--steps", paramLabel = "N", description = "training steps")
    int steps = 2000;
    @Option(names = "--vae-steps", paramLabel = "N", description = "first N steps train the plain VAE (soft only)")
    int vaeSteps = 0;
    @Option(names = "--batch", paramLabel = "N", description = "clouds per step")
    int batch = 32;
    @Option(names = "--lr", paramLabel = "RATE", description = "Adam learning rate")
    float lr = 5e-4f;
    @Option(names = "--points", paramLabel = "N", description = "points per cloud")
    int points = 576;
    @Option(names = "--widths", paramLabel = "LIST", description = "the encoder's per-point MLP widths")
    String widths = "64,128,256,256,512";
    @Option(names = "--z", paramLabel = "N", description = "latent dimensions")
    int z = 128;
    @Option(names = "--prior-std", paramLabel = "σ", description = "the prior N(0, σ² I); the official 3-D code uses 0.2")
    float priorStd = 1f;
    @Option(names = "--rotate", arity = "0..1", paramLabel = "BOOL", description = "rotate each training cloud about the"
        + " vertical axis at random")
    boolean rotate;
    @Mixin
    ExperimentOptions.Output output = new ExperimentOptions.Output(1, 50);
    @Option(names = "--checkpoint-every", paramLabel = "N", description = "steps between checkpoints (the last step"
        + " always writes one)")
    int checkpointEvery = 500;
    @Option(names = "--resume", description = "continue the run folder's latest checkpoint up to --steps; give the"
        + " options the run was started with")
    boolean resume;
    @Option(names = "--export", paramLabel = "DIR", description = "after training, export the model to DIR/<next"
        + " version> (a SavedModel)")
    Path export;
    @Mixin
    ExperimentOptions.Execution execution;
    @Mixin
    ExperimentOptions.Devices devices;
    @Mixin
    ToolOptions.Help help;
  }

  /** The official 3-D code's Soft-IntroVAE weights, and a VAE with the same ELBO as its warm-up (β = 2·β_rec). */
  static Objective defaults(String objective) {
    return switch (objective) {
      case SoftIntroVaeObjective.NAME -> new SoftIntroVaeObjective(1f, 20f, 256f, 1e-8f);
      case VaeObjective.NAME -> new VaeObjective(40f);
      default -> throw new IllegalArgumentException("--objective: '" + objective + "' is not one of "
          + List.of(SoftIntroVaeObjective.NAME, VaeObjective.NAME) + " for point clouds");
    };
  }

  /** Returns the exit code: 0 done, 1 failed (I/O, diverged), 2 bad input. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Options o = new Options();
    return ExperimentOptions.exitCode(err, () -> {
      ToolOptions parsed = ExperimentOptions.withWeights(o);
      if (!parsed.parse(args, out)) {
        return;
      }
      Objective objective = ExperimentOptions.objective(parsed, defaults(o.objective));
      int batch = ToolOptions.whole("--batch", o.batch, 1, 1 << 16);
      int points = ToolOptions.whole("--points", o.points, PointNetworks.FEWEST_POINTS, 1 << 16);
      PointCloudTraining.Settings settings = new PointCloudTraining.Settings(objective, o.execution.order(),
          ToolOptions.whole("--steps", o.steps, 1, 100_000_000), ToolOptions.whole("--vae-steps", o.vaeSteps, 0, 100_000_000),
          batch, ToolOptions.nonNegative("--lr", o.lr), points, ToolOptions.wholes("--widths", o.widths, 1, 8192),
          ToolOptions.whole("--z", o.z, 1, 4096),
          priorStd(o.priorStd),
          o.output.seed, o.output.logEvery(), o.execution.threads(),
          o.devices.placement(batch), o.rotate, o.export,
          ToolOptions.whole("--checkpoint-every", o.checkpointEvery, 1, 100_000_000), o.resume);
      ShapeSet shapes;
      try {
        shapes = ShapeSet.load(o.meshes, 10);
      } catch (DataException e) {
        throw new DataException(e.getMessage() + (o.meshes.equals(DEFAULT_MESHES)
            ? " — run tools/install-meshes.sh, or give --meshes DIR" : ""));
      }
      new PointCloudTraining(settings, shapes, o.output.folder("points-" + o.objective), out).run();
    });
  }

  private static float priorStd(float value) {
    if (!(value > 0) || value > 1000) {
      throw new IllegalArgumentException("--prior-std: '" + value + "' must be a number above 0 and at most 1000");
    }
    return value;
  }
}
