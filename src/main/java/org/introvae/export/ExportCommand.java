package org.introvae.export;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import org.introvae.train.UserError;

/** Export's command line: --run DIR --out MODEL_DIR [--version N]. */
public final class ExportCommand {
  private ExportCommand() {}

  static final String USAGE = "usage: Export --run runs/<name> --out models/<model> [--version N]\n"
      + "  Exports the run's latest checkpoint as a SavedModel in <model>/<version>/ (TF Serving's layout).\n"
      + "  Without --version the next free version number is used; existing versions are never overwritten.\n";

  public static int run(String[] args, PrintStream out, PrintStream err) {
    Path run = null;
    Path model = null;
    Integer version = null;
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--help")) {
          out.print(USAGE);
          return 0;
        }
        if (i + 1 >= args.length || !(a.equals("--run") || a.equals("--out") || a.equals("--version"))) {
          throw new UserError(a.startsWith("--") && (a.equals("--run") || a.equals("--out") || a.equals("--version"))
              ? a + " needs a value" : "unknown option " + a + " (see --help)");
        }
        String v = args[++i];
        switch (a) {
          case "--run" -> run = Path.of(v);
          case "--out" -> model = Path.of(v);
          default -> {
            try {
              version = Integer.parseInt(v);
            } catch (NumberFormatException e) {
              throw new UserError("--version: '" + v + "' is not a whole number");
            }
          }
        }
      }
      if (run == null || model == null) {
        throw new UserError("--run and --out are required\n" + USAGE);
      }
      Path written = ModelExporter.export(run, model, version);
      out.println("exported " + written);
      return 0;
    } catch (UserError e) {
      err.println("error: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
  }
}
