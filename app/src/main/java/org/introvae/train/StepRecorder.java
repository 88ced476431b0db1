package org.introvae.train;

import java.io.IOException;
import org.introvae.model.StepLosses;

/**
 * What the experiment loops (2-D densities, point clouds, translation) do after each step: stop on a
 * non-finite loss, append the logged steps to metrics.csv and show progress.
 */
public final class StepRecorder {
  private final String unit;
  private final MetricsLog log;
  private final Progress progress;
  private final long started = System.nanoTime();

  /** {@code unit} names a step in messages ("step", "iteration"). */
  public StepRecorder(String unit, MetricsLog log, Progress progress) {
    this.unit = unit;
    this.log = log;
    this.progress = progress;
  }

  /** After 0-based step {@code index}; an IllegalStateException when a loss is not finite. */
  public void record(long index, StepLosses l, boolean warmUp, boolean logStep) throws IOException {
    if (l.firstNonFinite() != null) {
      progress.breakLine();
      throw new IllegalStateException(unit + " " + (index + 1) + ": " + l.firstNonFinite() + "; training diverged");
    }
    if (logStep) {
      log.append(new MetricsLog.Row(index + 1, 1, l, warmUp ? 0f : 1f, seconds()));
    }
    progress.update(index, 0, l, logStep);
  }

  /** Ends the progress line; the seconds since the recorder was made. */
  public double finish() {
    progress.breakLine();
    return seconds();
  }

  private double seconds() {
    return (System.nanoTime() - started) / 1e9;
  }
}
