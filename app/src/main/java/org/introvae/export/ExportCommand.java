package org.introvae.export;

import java.io.PrintStream;
import java.nio.file.Path;
import org.introvae.commandline.ToolOptions;
import org.introvae.eval.SampleQuality;
import org.introvae.train.CommandRun;
import org.introvae.train.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Export's command line. */
public final class ExportCommand {
  private ExportCommand() {}

  @Command(name = "export", showDefaultValues = true, sortOptions = false, description = {
      "Exports the run's latest checkpoint (or an exported model's variables, --from-model) as a SavedModel in",
      "<model>/<version>/ (TF Serving's layout).",
      "Without --version the next free version number is used; existing versions are never overwritten."})
  static final class Options {
    @Option(names = "--run", paramLabel = "DIR", description = "the run folder (runs/<name>)")
    Path run;
    @Option(names = "--from-model", paramLabel = "DIR", description = "instead of --run: an exported model (its latest"
        + " version, or a version folder), written again with today's graph and signatures over its variables")
    Path fromModel;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the model folder (models/<model>)")
    Path out;
    @Option(names = "--version", paramLabel = "N", description = "the version to write [the next free one]")
    Integer version;
    @Option(names = "--eval", paramLabel = "DATA", description = "measure reconstruction error and KL on up to 10,000"
        + " images not used for training (a file or folder, or held-out: the run's own held-out images) and store"
        + " them with the model's facts, with the FD of 10,000 samples against them in --classifier's features")
    Path eval;
    @Option(names = "--classifier", paramLabel = "DIR", description = "the classifier behind the FD"
        + " (models/mnist-classifier for digits)")
    Path classifier = SampleQuality.SHIPPED_CLASSIFIER;
    @Option(names = "--truncation", paramLabel = "PSI", description = "style-based models: the sample signature pulls"
        + " each style towards the average one, w = w̄ + ψ (F(z) − w̄); 1 is none (the official code samples with 0.7)")
    float truncation = 1f;
    @Mixin
    ToolOptions.Help help;
  }

  public static int run(String[] args, PrintStream out, PrintStream err) {
    return CommandRun.run(new Options(), args, out, err, o -> {
      Integer version = o.version == null ? null : ToolOptions.whole("--version", o.version, 1, Integer.MAX_VALUE);
      ModelExporter.EvalData eval = o.eval == null ? null : new ModelExporter.EvalData(o.eval, o.classifier);
      if ((o.run == null) == (o.fromModel == null)) {
        throw new UserError("give exactly one of --run or --from-model (see --help)");
      }
      Path written = o.run != null ? ModelExporter.export(o.run, o.out, version, eval, o.truncation)
          : ModelReExport.export(o.fromModel, o.out, version, eval, o.truncation);
      out.println("exported " + written);
    });
  }
}
