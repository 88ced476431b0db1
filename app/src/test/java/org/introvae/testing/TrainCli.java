package org.introvae.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.introvae.train.TrainCommand;

/** Train's command line run in-process, with what it printed. */
public final class TrainCli {
  private TrainCli() {}

  /** Train's exit code, standard output and standard error. */
  public record Outcome(int code, String out, String err) {}

  /** Runs Train with {@code base} followed by {@code extra}. */
  public static Outcome train(List<String> base, String... extra) {
    List<String> args = new ArrayList<>(base);
    args.addAll(Arrays.asList(extra));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = TrainCommand.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
