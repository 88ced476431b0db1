package org.introvae.train;

import org.introvae.model.Objective;
import org.introvae.model.Placement;
import org.introvae.model.UpdateOrder;
import org.introvae.serving.CommandLine;

/** The options the experiment commands (2-D densities, point clouds) share, each checked with a one-line error. */
public final class ExperimentOptions {
  private ExperimentOptions() {}

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
