package org.introvae.train;

import java.io.IOException;
import java.io.PrintStream;
import org.introvae.data.DataException;
import org.introvae.model.Objective;
import org.introvae.model.Placement;
import org.introvae.model.UpdateOrder;
import org.introvae.serving.CommandLine;

/** The options the experiment commands (2-D densities, point clouds) share, each checked with a one-line error. */
public final class ExperimentOptions {
  private ExperimentOptions() {}

  /** A command's work, which may fail on the user's input or on I/O. */
  public interface Work {
    void run() throws IOException, DataException;
  }

  /** Runs {@code work}, returning the exit code: 0 done, 2 bad input (one line on {@code err}), 1 I/O failure or divergence. */
  public static int exitCode(PrintStream err, Work work) {
    try {
      work.run();
      return 0;
    } catch (IllegalArgumentException | DataException e) {
      err.println("error: " + e.getMessage());
      return 2;
    } catch (IllegalStateException | IOException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
  }

  /** {@code base}'s weights, with any given on the command line instead. */
  public static Objective objective(CommandLine c, Objective base) {
    float[] values = base.weightValues();
    for (int i = 0; i < values.length; i++) {
      String option = base.kind().weights().get(i).option();
      values[i] = c.get(option) == null ? values[i] : nonNegative(c, option);
    }
    return base.kind().of(values);
  }

  public static float nonNegative(CommandLine c, String name) {
    try {
      float v = Float.parseFloat(c.get(name));
      if (!(v >= 0) || Float.isInfinite(v)) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + ": '" + c.get(name) + "' is not a non-negative number");
    }
  }

  /** --device and --replicas, the batch split into equal shards. */
  public static Placement placement(CommandLine c, int batch) {
    int replicas = (int) c.whole("replicas", 1, 1024);
    if (batch % replicas != 0) {
      throw new IllegalArgumentException("--replicas: a batch of " + batch + " does not split into " + replicas
          + " equal shards");
    }
    try {
      return Placement.parse(c.get("device"), replicas);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--device: " + e.getMessage());
    }
  }

  public static UpdateOrder order(CommandLine c) {
    try {
      return UpdateOrder.byLabel(c.get("updates"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--updates: " + e.getMessage());
    }
  }
}
