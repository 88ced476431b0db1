package org.introvae.train;

import java.io.IOException;
import java.io.PrintStream;
import org.introvae.data.DataException;
import java.util.Optional;
import org.introvae.model.Cluster;
import org.introvae.model.TensorFlowRuntime;
import org.introvae.model.TrainingSession;

/** Train's logic: parse, run, and turn user mistakes into one-line messages with exit code 2. */
public final class TrainCommand {
  private TrainCommand() {}

  /** Exports a finished run (supplied by the entry point, so training does not depend on export). */
  public interface Exporter {
    java.nio.file.Path export(java.nio.file.Path runDir, java.nio.file.Path modelDir) throws UserError, IOException;
  }

  public static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, out, err, null);
  }

  /** Returns the process exit code: 0 done, 1 failed (I/O), 2 bad input or diverged. */
  public static int run(String[] args, PrintStream out, PrintStream err, Exporter exporter) {
    TensorFlowRuntime.prepare();
    ModelChoice model = ModelChoice.of(args);
    if (model.error() != null) {
      err.println("error: " + model.error());
      return 2;
    }
    if (model.name().equals("points")) {
      return Interruption.guarded(err, () -> org.introvae.points.PointsCommand.run(model.rest(), out, err));
    }
    if (model.name().equals("translation")) {
      return Interruption.guarded(err, () -> org.introvae.translation.TranslationCommand.run(model.rest(), out, err));
    }
    args = model.rest();
    try {
      TrainOptions options = TrainOptions.parse(args);
      if (options.help()) {
        out.print(TrainOptions.helpText());
        return 0;
      }
      Optional<Cluster> cluster = options.clusterTask();
      if (cluster.isPresent() && !cluster.get().chief()) {
        WorkerTask.serve(cluster.get(), TrainingSession.settings(options.config().schedule().threads()), out);
        return 0;
      }
      if (options.exportDir().isPresent() && exporter == null) {
        throw new UserError("--export is not available here");
      }
      try (Interruption.Guard guard = Interruption.guard()) {
        try {
          Trainer.Summary summary = new Trainer(options, out, System.console() != null).run();
          if (options.exportDir().isPresent()) {
            out.println("exported " + exporter.export(summary.model(), options.exportDir().get()));
          }
          return 0;
        } catch (Interruption.Stopped e) {
          return e.report(err);
        }
      }
    } catch (UserError | DataException e) {
      err.println("error: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
  }

  /** --model images|points|translation (images: the default), taken out of the arguments the chosen command parses. */
  record ModelChoice(String name, String[] rest, String error) {
    static ModelChoice of(String[] args) {
      java.util.List<String> rest = new java.util.ArrayList<>();
      String model = "images";
      for (int i = 0; i < args.length; i++) {
        if (args[i].equals("--model") && i + 1 < args.length) {
          model = args[++i];
        } else if (args[i].startsWith("--model=")) {
          model = args[i].substring("--model=".length());
        } else {
          rest.add(args[i]);
        }
      }
      String error = java.util.List.of("images", "points", "translation").contains(model) ? null
          : "--model: '" + model + "' is not images, points or translation";
      return new ModelChoice(model, rest.toArray(String[]::new), error);
    }
  }
}
