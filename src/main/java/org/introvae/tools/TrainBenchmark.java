package org.introvae.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.introvae.model.TrainingGraph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * Training throughput of one preset and objective after warm-up: images per second, analytic FLOPs
 * per trained image with the per-pass breakdown, achieved GFLOP/s against this machine's peak
 * (a large matrix product in TF), peak RSS, and RSS after step 100 vs the last step (after 1,000
 * steps when asked for that many) to show native memory stays flat.
 * Usage: TrainBenchmark [preset] [batch] [warm-up steps] [timed steps] [objective] [--intra N] [--inter N] [--xla]
 */
public final class TrainBenchmark {
  private static final int RSS_BASELINE_STEP = 100;

  public static void main(String[] args) throws IOException {
    BenchmarkCase c = BenchmarkCase.parse(args, 4);
    int warmup = c.intArg(0, 3);
    int timed = c.intArg(1, 10);
    FlopCount.Passes passes = FlopCount.passes(c.objectiveName);
    long perImage = passes.flops(c.config);
    System.out.println(c.describe());
    System.out.printf("one forward pass per image: encoder %.1f MFLOP, decoder %.1f MFLOP%n",
        FlopCount.encoder(c.config) / 1e6, FlopCount.decoder(c.config) / 1e6);
    System.out.printf("passes per step: %s%n  = %d encoder + %d decoder forward units = %.1f MFLOP per trained image%n",
        passes.description(), passes.encoderUnits(), passes.decoderUnits(), perImage / 1e6);
    try (TrainingGraph g = c.graph(); Session session = c.session(g); TFloat32 x = c.images()) {
      long start = 0;
      double rssAfterWarmup = 0;
      double rssBaseline = Double.NaN;
      int total = warmup + timed;
      for (int step = 0; step < total; step++) {
        if (step == warmup) {
          start = System.nanoTime();
          rssAfterWarmup = rssGb();
        }
        try (Result r = c.step(session, g, x, step, null)) {
          if (step < warmup) {
            System.out.printf("warm-up step %d: L_E %.3f%n", step + 1, ((TFloat32) r.get(0)).getFloat());
          }
        }
        if (step + 1 == RSS_BASELINE_STEP) {
          rssBaseline = rssGb();
        }
        if ((step + 1) % 100 == 0) {
          System.out.printf("step %d: %.3f s/step so far, RSS %.3f GB%n", step + 1,
              (System.nanoTime() - start) / 1e9 / (step + 1 - warmup), rssGb());
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double rssEnd = rssGb();
      double peak = MatmulPeak.gflops();
      double imagesPerSecond = c.batch * timed / seconds;
      double gflops = imagesPerSecond * perImage / 1e9;
      System.out.printf("%.3f s/step, %.1f images/s over %d timed steps%n", seconds / timed, imagesPerSecond, timed);
      System.out.printf("achieved %.1f GFLOP/s = %.0f %% of the measured peak %.1f GFLOP/s%n", gflops, 100 * gflops / peak, peak);
      System.out.printf("RSS after %d steps %.3f GB, after %d steps %.3f GB; peak RSS %.2f GB%n", warmup, rssAfterWarmup,
          total, rssEnd, peakRssGb());
      if (!Double.isNaN(rssBaseline)) {
        System.out.printf("RSS after step %d %.3f GB, after step %d %.3f GB: %+.1f %%%n", RSS_BASELINE_STEP, rssBaseline,
            total, rssEnd, 100 * (rssEnd / rssBaseline - 1));
      }
    }
  }

  static double peakRssGb() throws IOException {
    return statusGb("VmHWM:");
  }

  static double rssGb() throws IOException {
    return statusGb("VmRSS:");
  }

  private static double statusGb(String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith(field)) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0;
      }
    }
    return Double.NaN;
  }
}
