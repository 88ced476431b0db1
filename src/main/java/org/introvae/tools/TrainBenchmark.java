package org.introvae.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.introvae.model.Preset;
import org.introvae.model.TensorFlowRuntime;
import org.introvae.model.TrainingGraph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Training throughput and memory of one preset: images per second after warm-up and peak RSS.
 * Usage: TrainBenchmark [preset] [batch] [warmup steps] [timed steps]
 */
public final class TrainBenchmark {
  public static void main(String[] args) throws IOException {
    TensorFlowRuntime.prepare();
    Preset preset = Preset.byName(args.length > 0 ? args[0] : "28");
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : preset.batch();
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int timed = args.length > 3 ? Integer.parseInt(args[3]) : 10;
    var config = preset.config();
    int pixels = config.imageSize() * config.imageSize() * config.imageChannels();
    float[] images = new float[batch * pixels];
    Random random = new Random(1);
    for (int i = 0; i < images.length; i++) {
      images[i] = random.nextFloat();
    }
    System.out.printf("preset %s: %s, batch %d, oneDNN %s%n", preset.label(), config, batch,
        TensorFlowRuntime.oneDnnRequested() ? "on" : "off");
    try (TrainingGraph g = new TrainingGraph(config, preset.weights(), preset.learningRate(), batch, 1);
        Session session = new Session(g.graph);
        TFloat32 x = TFloat32.tensorOf(Shape.of(batch, config.imageSize(), config.imageSize(),
            config.imageChannels()), DataBuffers.of(images, true, false))) {
      session.initialize();
      long start = 0;
      for (int step = 0; step < warmup + timed; step++) {
        if (step == warmup) {
          start = System.nanoTime();
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
      System.out.printf("%.3f s/step, %.1f images/s over %d timed steps; peak RSS %.2f GB%n",
          seconds / timed, batch * timed / seconds, timed, peakRssGb());
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
