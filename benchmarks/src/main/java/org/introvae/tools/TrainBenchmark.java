package org.introvae.tools;

import org.introvae.model.StepLosses;
import org.introvae.model.TrainingSession;
import java.io.IOException;
import java.util.Arrays;

/**
 * Training throughput of one preset and objective after warm-up: images per second, analytic FLOPs
 * per trained image with the per-pass breakdown, achieved GFLOP/s against this machine's peak
 * (a large matrix product in TF, read between the first timed steps, since this VM's speed drifts), peak
 * RSS, and RSS after step 100 vs the last step (after 1,000 steps when asked for that many) to show
 * native memory stays flat.
 * Usage: TrainBenchmark [preset] [batch] [warm-up steps] [timed steps] [objective] [--intra N] [--inter N] [--xla]
 * [--updates alternating|simultaneous] [--architecture residual|style]
 */
public final class TrainBenchmark {
  private static final int RSS_BASELINE_STEP = 100;
  /** The peak read after each timed step: best of a few products, about a quarter second. */
  private static final int PROBE_PRODUCTS = 3;
  private static final long PROBE_MILLIS = 250;
  /** Steps with a peak read before and after; enough for the ratio, few enough not to slow long runs. */
  private static final int PROBED_STEPS = 20;

  public static void main(String[] args) throws IOException {
    BenchmarkCase c = BenchmarkCase.parse(args, 4);
    int warmup = c.intArg(0, 3);
    int timed = c.intArg(1, 10);
    FlopCount.Passes passes = FlopCount.passes(c.objectiveName, c.order);
    long perImage = passes.flops(c.config);
    System.out.println(c.describe());
    System.out.printf("one forward pass per image: encoder %.1f MFLOP, decoder %.1f MFLOP%n",
        FlopCount.encoder(c.config) / 1e6, FlopCount.decoder(c.config) / 1e6);
    System.out.printf("passes per step: %s%n  = %d encoder + %d decoder forward units = %.1f MFLOP per trained image%n",
        passes.description(), passes.encoderUnits(), passes.decoderUnits(), perImage / 1e6);
    float[] x = c.images();
    try (TrainingSession session = c.session(); MatmulPeak peak = new MatmulPeak()) {
      double[] stepSeconds = new double[timed];
      // probes[i] is read just before timed step i, probes[i + 1] just after it, for the first steps.
      int probed = Math.min(timed, PROBED_STEPS);
      double[] probes = new double[probed + 1];
      double rssAfterWarmup = 0;
      double rssBaseline = Double.NaN;
      int total = warmup + timed;
      for (int step = 0; step < total; step++) {
        if (step == warmup) {
          rssAfterWarmup = rssGb();
          probes[0] = peak.best(PROBE_PRODUCTS, PROBE_MILLIS);
        }
        long t = System.nanoTime();
        StepLosses losses = c.step(session, x, step);
        if (step < warmup) {
          System.out.printf("warm-up step %d: L_E %.3f%n", step + 1, losses.lossE());
        }
        if (step >= warmup) {
          stepSeconds[step - warmup] = (System.nanoTime() - t) / 1e9;
          if (step - warmup < probed) {
            probes[step - warmup + 1] = peak.best(PROBE_PRODUCTS, PROBE_MILLIS);
          }
        }
        if (step + 1 == RSS_BASELINE_STEP) {
          rssBaseline = rssGb();
        }
        if ((step + 1) % 100 == 0) {
          System.out.printf("step %d: %.3f s/step so far, RSS %.3f GB%n", step + 1,
              sum(stepSeconds) / Math.max(1, step + 1 - warmup), rssGb());
        }
      }
      double rssEnd = rssGb();
      double flopsPerStep = (double) c.batch * perImage;
      double seconds = sum(stepSeconds);
      double gflops = flopsPerStep * timed / seconds / 1e9;
      double[] ratios = new double[probed];
      for (int i = 0; i < probed; i++) {
        ratios[i] = flopsPerStep / stepSeconds[i] / 1e9 / ((probes[i] + probes[i + 1]) / 2);
      }
      double meanPeak = sum(probes) / probes.length;
      double probedGflops = flopsPerStep * probed / Arrays.stream(stepSeconds, 0, probed).sum() / 1e9;
      double quietPeak = peak.best(20, 4000);
      System.out.printf("%.3f s/step, %.1f images/s over %d timed steps%n", seconds / timed, c.batch * timed / seconds, timed);
      double fastest = min(stepSeconds);
      double bestPeak = Math.max(quietPeak, max(probes));
      double fastestGflops = flopsPerStep / fastest / 1e9;
      System.out.printf("achieved %.1f GFLOP/s; over the first %d steps %.1f GFLOP/s = %.0f %% of the peak read between them "
          + "(mean %.1f, range %.1f-%.1f GFLOP/s)%n", gflops, probed, probedGflops, 100 * probedGflops / meanPeak, meanPeak,
          min(probes), max(probes));
      System.out.printf("  per step against the mean of the peaks read just before and after it: median %.0f %%, range %.0f-%.0f %%%n",
          100 * median(ratios), 100 * min(ratios), 100 * max(ratios));
      System.out.printf("  fastest step %.3f s = %.1f GFLOP/s = %.0f %% of the best peak read (%.1f GFLOP/s, incl. 4 s after the loop)%n",
          fastest, fastestGflops, 100 * fastestGflops / bestPeak, bestPeak);
      if (c.intraThreads > 0 && c.intraThreads < Runtime.getRuntime().availableProcessors()) {
        // TF sizes the process's intra-op pool at its first session, this one's: the peak reads ran in it too.
        System.out.printf("  (the peak was read in the same %d-thread intra-op pool, so these ratios are against that, "
            + "not the machine; compare images/s)%n", c.intraThreads);
      }
      System.out.printf("RSS after %d steps %.3f GB, after %d steps %.3f GB; peak RSS %.2f GB%n", warmup, rssAfterWarmup,
          total, rssEnd, peakRssGb());
      if (!Double.isNaN(rssBaseline)) {
        System.out.printf("RSS after step %d %.3f GB, after step %d %.3f GB: %+.1f %%%n", RSS_BASELINE_STEP, rssBaseline,
            total, rssEnd, 100 * (rssEnd / rssBaseline - 1));
      }
    }
  }

  private static double sum(double[] v) {
    return Arrays.stream(v).sum();
  }

  private static double min(double[] v) {
    return Arrays.stream(v).min().orElse(Double.NaN);
  }

  private static double max(double[] v) {
    return Arrays.stream(v).max().orElse(Double.NaN);
  }

  static double median(double[] v) {
    double[] sorted = v.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n == 0 ? Double.NaN : (sorted[(n - 1) / 2] + sorted[n / 2]) / 2;
  }

  static double peakRssGb() throws IOException {
    return ProcessMemory.peakRssMb() / 1024.0;
  }

  static double rssGb() throws IOException {
    return ProcessMemory.rssMb() / 1024.0;
  }
}
