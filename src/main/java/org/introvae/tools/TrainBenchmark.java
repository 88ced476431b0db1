package org.introvae.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.introvae.model.Objective;
import org.introvae.model.Preset;
import org.introvae.model.VaeWeights;
import org.introvae.model.TensorFlowRuntime;
import org.introvae.model.TrainingGraph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Training throughput of one preset and objective after warm-up: images per second, analytic FLOPs
 * per trained image with the per-pass breakdown, achieved GFLOP/s against this machine's peak
 * (a large matrix product in TF), peak RSS and RSS at two step counts.
 * Usage: TrainBenchmark [preset] [batch] [warm-up steps] [timed steps] [objective]
 */
public final class TrainBenchmark {
  public static void main(String[] args) throws IOException {
    TensorFlowRuntime.prepare();
    Preset preset = Preset.byName(args.length > 0 ? args[0] : "28");
    String objectiveName = args.length > 4 ? args[4] : "introvae";
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : preset.batch(objectiveName);
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int timed = args.length > 3 ? Integer.parseInt(args[3]) : 10;
    Objective objective = switch (objectiveName) {
      case "soft" -> preset.soft();
      case "vae" -> new VaeWeights(preset.weights().β());
      default -> preset.weights();
    };
    var config = preset.config();
    int pixels = config.imageSize() * config.imageSize() * config.imageChannels();
    float[] images = new float[batch * pixels];
    Random random = new Random(1);
    for (int i = 0; i < images.length; i++) {
      images[i] = random.nextFloat();
    }
    double peak = MatmulPeak.gflops();
    FlopCount.Passes passes = FlopCount.passes(objectiveName);
    long perImage = passes.flops(config);
    System.out.printf("preset %s (%s), objective %s, batch %d; oneDNN %s, default TF thread pools%n", preset.label(), config,
        objectiveName, batch, TensorFlowRuntime.oneDnnRequested() ? "on" : "off");
    System.out.printf("one forward pass per image: encoder %.1f MFLOP, decoder %.1f MFLOP%n",
        FlopCount.encoder(config) / 1e6, FlopCount.decoder(config) / 1e6);
    System.out.printf("passes per step: %s%n  = %d encoder + %d decoder forward units = %.1f MFLOP per trained image%n",
        passes.description(), passes.encoderUnits(), passes.decoderUnits(), perImage / 1e6);
    try (TrainingGraph g = new TrainingGraph(config, objective, preset.learningRate(), batch, 1);
        Session session = new Session(g.graph);
        TFloat32 x = TFloat32.tensorOf(Shape.of(batch, config.imageSize(), config.imageSize(),
            config.imageChannels()), DataBuffers.of(images, true, false))) {
      session.initialize();
      long start = 0;
      double rssAfterWarmup = 0;
      for (int step = 0; step < warmup + timed; step++) {
        if (step == warmup) {
          start = System.nanoTime();
          rssAfterWarmup = rssGb();
        }
        try (TInt64 seed = TInt64.vectorOf(1, step);
            TFloat32 t = TFloat32.scalarOf(step + 1);
            Result r = session.runner().feed(g.x, x).feed(g.noiseSeed, seed).feed(g.adamStep, t)
                .addTarget(g.trainStep).fetch(g.lossE).run()) {
          if (step < warmup) {
            System.out.printf("warm-up step %d: L_E %.3f%n", step, ((TFloat32) r.get(0)).getFloat());
          }
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double imagesPerSecond = batch * timed / seconds;
      double gflops = imagesPerSecond * perImage / 1e9;
      System.out.printf("%.3f s/step, %.1f images/s over %d timed steps%n", seconds / timed, imagesPerSecond, timed);
      System.out.printf("achieved %.1f GFLOP/s = %.0f %% of the measured peak %.1f GFLOP/s%n", gflops, 100 * gflops / peak, peak);
      System.out.printf("RSS after %d steps %.3f GB, after %d steps %.3f GB; peak RSS %.2f GB%n", warmup, rssAfterWarmup,
          warmup + timed, rssGb(), peakRssGb());
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
