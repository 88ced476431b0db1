package org.introvae.train;

import java.io.IOException;
import java.io.PrintStream;
import org.introvae.data.DataException;
import org.introvae.model.TensorFlowRuntime;

/** Train's logic: parse, run, and turn user mistakes into one-line messages with exit code 2. */
public final class TrainCommand {
  private TrainCommand() {}

  /** Returns the process exit code: 0 done, 1 failed (I/O or diverged), 2 bad input. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    TensorFlowRuntime.prepare();
    try {
      TrainOptions options = TrainOptions.parse(args);
      if (options.help()) {
        out.print(TrainOptions.helpText());
        return 0;
      }
      new Trainer(options, out, System.console() != null).run();
      return 0;
    } catch (UserError | DataException e) {
      err.println("error: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
  }
}
