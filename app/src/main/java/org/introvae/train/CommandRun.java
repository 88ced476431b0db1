package org.introvae.train;

import java.io.IOException;
import java.io.PrintStream;
import org.introvae.commandline.ToolOptions;

/**
 * What a tool's run method does around its work: parses its picocli options (printing help when asked),
 * then reports a user's mistake as one line and exit code 2, a failed read or write as one line and 1.
 */
public final class CommandRun {
  private CommandRun() {}

  /** A tool's work on its parsed options. */
  public interface Body<O> {
    void run(O options) throws UserError, IOException;
  }

  public static <O> int run(O options, String[] args, PrintStream out, PrintStream err, Body<O> body) {
    try {
      if (new ToolOptions(options).parse(args, out)) {
        body.run(options);
      }
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
