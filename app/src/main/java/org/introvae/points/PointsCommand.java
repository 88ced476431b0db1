package org.introvae.points;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.introvae.data.DataException;
import org.introvae.data.mesh.ShapeSet;
import org.introvae.model.Objective;
import org.introvae.model.Objectives;
import org.introvae.model.PointNetworks;
import org.introvae.model.SoftIntroVaeObjective;
import org.introvae.model.VaeObjective;
import org.introvae.serving.CommandLine;
import org.introvae.train.ExperimentOptions;

/** {@code Train --model points}: the command line of {@link PointCloudTraining}. */
public final class PointsCommand {
  private PointsCommand() {}

  static final String USAGE = """
      usage: Train --model points [options]   (Soft-IntroVAE on 3-D point clouds sampled from meshes)
        --meshes DIR          folder of .off .ply .stl .obj meshes, searched recursively
                              [~/.cache/introvae/meshes, filled by tools/install-meshes.sh]
        --objective NAME      soft or vae                                          [soft]
        --steps N             training steps                                       [2000]
        --vae-steps N         first N steps train the plain VAE (soft only)        [0]
        --updates ORDER       alternating (the papers' order) or simultaneous      [alternating]
        --batch N             clouds per step                                      [32]
        --lr RATE             Adam learning rate                                   [5e-4]
        --points N            points per cloud, a square number                    [576]
        --widths LIST         the encoder's per-point MLP widths                   [64,128,256,256,512]
        --z N                 latent dimensions                                    [128]
        --beta-kl, --beta-rec, --beta-neg, --gamma-r   soft weights  [1, 20, 256, 1e-8: the official 3-D code's]
        --beta                vae weight of L_AE = ½·Chamfer     [40: the same ELBO as soft's warm-up]
        --rotate              rotate each training cloud about the vertical axis at random
        --seed N              seed of data, weights and noise                      [1]
        --run NAME            output folder under --runs                           [points-<objective>]
        --runs DIR                                                                 [runs]
        --log-every N                                                              [50]
        --export DIR          after training, export the model to DIR/<next version> (a SavedModel)
        --threads N           TensorFlow intra- and inter-op threads (0 = TF's default) [0]
        --device cpu|gpu|gpu:N, --replicas N   as for image training               [cpu, 1]
      Every 10th shape (in path order) is held out. Writes metrics.csv, metrics.json (held-out Chamfer
      distance, voxel JSD of samples), images/reconstructions.png, samples.png, interpolation.png and the
      final checkpoint.
      """;

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
    Map<String, String> d = new LinkedHashMap<>();
    Objectives.weightOptions().keySet().forEach(w -> d.put(w.option(), null));
    d.put("meshes", Path.of(System.getProperty("user.home"), ".cache", "introvae", "meshes").toString());
    d.putAll(Map.of("objective", SoftIntroVaeObjective.NAME, "steps", "2000", "vae-steps", "0", "updates", "alternating",
        "batch", "32", "lr", "5e-4", "points", "576", "widths", "64,128,256,256,512", "z", "128"));
    d.putAll(Map.of("rotate", "false", "seed", "1", "runs", "runs", "log-every", "50", "threads", "0", "device", "cpu",
        "replicas", "1"));
    d.put("run", null);
    d.put("export", null);
    return ExperimentOptions.exitCode(err, () -> {
      CommandLine c = CommandLine.parse(args, d);
      if (c == null) {
        out.print(USAGE);
        return;
      }
      String objectiveName = c.get("objective");
      Objective objective = ExperimentOptions.objective(c, defaults(objectiveName));
      int batch = (int) c.whole("batch", 1, 1 << 16);
      int points = (int) c.whole("points", 4, 1 << 16);
      try {
        PointNetworks.side(points);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--points: " + e.getMessage());
      }
      PointCloudTraining.Settings settings = new PointCloudTraining.Settings(objective, ExperimentOptions.order(c),
          (int) c.whole("steps", 1, 100_000_000), (int) c.whole("vae-steps", 0, 100_000_000), batch,
          ExperimentOptions.nonNegative(c, "lr"), points, widths(c.get("widths")), (int) c.whole("z", 1, 4096),
          c.whole("seed", Long.MIN_VALUE, Long.MAX_VALUE), (int) c.whole("log-every", 1, 1 << 30),
          (int) c.whole("threads", 0, 256), ExperimentOptions.placement(c, batch), Boolean.parseBoolean(c.get("rotate")),
          c.get("export") == null ? null : Path.of(c.get("export")));
      Path meshes = Path.of(c.get("meshes"));
      ShapeSet shapes;
      try {
        shapes = ShapeSet.load(meshes, 10);
      } catch (DataException e) {
        throw new DataException(e.getMessage() + (c.get("meshes").equals(d.get("meshes"))
            ? " — run tools/install-meshes.sh, or give --meshes DIR" : ""));
      }
      String run = c.get("run") != null ? c.get("run") : "points-" + objectiveName;
      new PointCloudTraining(settings, shapes, Path.of(c.get("runs")).resolve(run), out).run();
    });
  }

  private static int[] widths(String text) {
    try {
      int[] w = java.util.Arrays.stream(text.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
      for (int v : w) {
        if (v < 1 || v > 8192) {
          throw new NumberFormatException();
        }
      }
      return w;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--widths: '" + text + "' must be widths from 1 to 8192 separated by commas");
    }
  }
}
