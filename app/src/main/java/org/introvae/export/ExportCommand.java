package org.introvae.export;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.introvae.eval.SampleQuality;
import org.introvae.serving.CommandLine;
import org.introvae.train.UserError;

/** Export's command line: --run DIR --out MODEL_DIR [--version N] [--eval DATA [--classifier DIR]]. */
public final class ExportCommand {
  private ExportCommand() {}

  static final String USAGE = "usage: Export --run runs/<name> --out models/<model> [--version N] [--eval DATA]"
      + " [--classifier DIR]\n"
      + "  Exports the run's latest checkpoint as a SavedModel in <model>/<version>/ (TF Serving's layout).\n"
      + "  Without --version the next free version number is used; existing versions are never overwritten.\n"
      + "  --eval DATA measures reconstruction error and KL on up to 10,000 images not used for training (a file or\n"
      + "  folder, or held-out: the run's own held-out images)\n"
      + "  and stores them with the model's facts, with the FD of 10,000 samples against them in the features of\n"
      + "  --classifier (default models/fmnist-classifier; models/mnist-classifier for digits).\n";

  public static int run(String[] args, PrintStream out, PrintStream err) {
    Map<String, String> options = new HashMap<>();
    options.put("run", null);
    options.put("out", null);
    options.put("version", null);
    options.put("eval", null);
    options.put("classifier", SampleQuality.SHIPPED_CLASSIFIER.toString());
    try {
      CommandLine c = CommandLine.parse(args, options);
      if (c == null) {
        out.print(USAGE);
        return 0;
      }
      Integer version = c.get("version") == null ? null : (int) c.whole("version", 1, Integer.MAX_VALUE);
      ModelExporter.EvalData eval = c.get("eval") == null ? null
          : new ModelExporter.EvalData(Path.of(c.get("eval")), Path.of(c.get("classifier")));
      Path written = ModelExporter.export(Path.of(c.required("run")), Path.of(c.required("out")), version, eval);
      out.println("exported " + written);
      return 0;
    } catch (UserError | IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
  }
}
