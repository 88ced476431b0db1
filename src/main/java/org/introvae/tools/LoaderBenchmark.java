package org.introvae.tools;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.introvae.serving.IntroVaeModel;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * The loader under repeated calls: RSS after 1,000 and after N calls of decode (no native leak means
 * flat RSS), and the loader's latency next to a bare session.run of the same signature.
 * Usage: LoaderBenchmark MODEL_DIR [calls]
 */
public final class LoaderBenchmark {
  public static void main(String[] args) throws Exception {
    org.introvae.model.TensorFlowRuntime.prepare();
    Path dir = Path.of(args.length > 0 ? args[0] : "models/fashion-mnist");
    int calls = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    Random random = new Random(1);
    try (IntroVaeModel model = IntroVaeModel.load(dir)) {
      int z = model.info().zDim();
      float[][] latent = new float[1][z];
      for (int j = 0; j < z; j++) {
        latent[0][j] = (float) random.nextGaussian();
      }
      for (int i = 0; i < 200; i++) {
        model.decode(latent);
      }
      double rss1000 = 0;
      long start = System.nanoTime();
      long timed = 0;
      StringBuilder rss = new StringBuilder();
      for (int i = 1; i <= calls; i++) {
        long t = System.nanoTime();
        model.decode(latent);
        timed += System.nanoTime() - t;
        if (i == 1000 || i % 5000 == 0) {
          // A GC first, so the Java heap's lazy growth is not mistaken for native memory.
          System.gc();
          double now = TrainBenchmark.rssGb();
          rss1000 = i == 1000 ? now : rss1000;
          rss.append(String.format("  %,d calls: %.3f GB%n", i, now));
        }
      }
      double loaderMs = timed / 1e6 / calls;
      double rssEnd = TrainBenchmark.rssGb();
      System.out.printf("loader decode batch 1: %.3f ms/call over %d calls; RSS after a GC:%n%s  change from 1,000 calls: %+.1f%%%n",
          loaderMs, calls, rss, 100 * (rssEnd - rss1000) / rss1000);

      try (SavedModelBundle bare = SavedModelBundle.load(IntroVaeModel.resolveVersion(dir).toString(), "serve")) {
        var signature = bare.metaGraphDef().getSignatureDefMap().get("decode");
        String in = signature.getInputsMap().get("z").getName();
        String out = signature.getOutputsMap().get("images").getName();
        int n = Math.min(calls, 5000);
        long t0 = 0;
        for (int i = 0; i < n + 200; i++) {
          if (i == 200) {
            t0 = System.nanoTime();
          }
          try (TFloat32 t = TFloat32.tensorOf(Shape.of(1, z), DataBuffers.of(latent[0], true, false));
              Result r = bare.session().runner().feed(in, t).fetch(out).run()) {
            ((TFloat32) r.get(0)).getFloat(0, 0, 0, 0);
          }
        }
        double bareMs = (System.nanoTime() - t0) / 1e6 / n;
        System.out.printf("bare session.run decode batch 1: %.3f ms/call; loader/bare = %.2f%n", bareMs, loaderMs / bareMs);
      }
      float[][] batch = new float[64][];
      Arrays.fill(batch, latent[0]);
      long t1 = System.nanoTime();
      for (int i = 0; i < 100; i++) {
        model.decode(batch);
      }
      System.out.printf("loader decode batch 64: %.2f ms/call%n", (System.nanoTime() - t1) / 1e6 / 100);
    }
  }
}
