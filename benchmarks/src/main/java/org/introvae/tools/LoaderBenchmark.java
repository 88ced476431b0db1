package org.introvae.tools;

import java.nio.file.Path;
import java.util.Random;
import java.util.function.Supplier;
import org.introvae.serving.IntroVaeModel;
import org.introvae.serving.ModelInfo;
import org.introvae.serving.Signatures;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.types.TFloat32;

/**
 * The loader against a bare session.run of the same signature (encode, decode, reconstruct at batch
 * 1 and 64; the bare call builds the input tensor and fetches every output, as the loader does, but
 * reads no values back), and RSS after 1,000 vs N decode calls (no native leak means flat RSS).
 * Usage: LoaderBenchmark MODEL_DIR [calls]
 */
public final class LoaderBenchmark {
  public static void main(String[] args) throws Exception {
    org.introvae.model.TensorFlowRuntime.prepare();
    Path dir = Path.of(args.length > 0 ? args[0] : "models/fashion-mnist");
    int calls = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    try (IntroVaeModel model = IntroVaeModel.load(dir);
        SavedModelBundle bare = SavedModelBundle.load(IntroVaeModel.resolveVersion(dir).toString(), "serve")) {
      ModelInfo info = model.info();
      System.out.printf("model %s: %d×%d×%d, z %d; oneDNN %s; TF default thread pools; median ms per call, "
          + "loader and bare calls alternating%n", dir,
          info.imageSize(), info.imageSize(), info.imageChannels(), info.zDim(),
          org.introvae.model.TensorFlowRuntime.oneDnnRequested() ? "on" : "off");
      rssOverCalls(model, rows(1, info.zDim(), true), calls);
      // Rows/s of the bare call: the most a server can answer for that signature, with nothing else running.
      System.out.printf("%-12s %5s %12s %12s %13s %14s%n", "signature", "batch", "loader ms", "bare ms", "loader/bare",
          "bare rows/s");
      for (int batch : new int[] {1, 64}) {
        float[][] images = rows(batch, info.imageValues(), false);
        float[][] z = rows(batch, info.zDim(), true);
        int n = batch == 1 ? 4000 : 400;
        compare(Signatures.ENCODE, batch, n, () -> model.encode(images), bare, Signatures.IMAGES, images,
            Shape.of(batch, info.imageSize(), info.imageSize(), info.imageChannels()));
        compare(Signatures.DECODE, batch, n, () -> model.decode(z), bare, Signatures.Z, z, Shape.of(batch, info.zDim()));
        compare(Signatures.RECONSTRUCT, batch, n, () -> model.reconstruct(images), bare, Signatures.IMAGES, images,
            Shape.of(batch, info.imageSize(), info.imageSize(), info.imageChannels()));
      }
    }
  }

  private static float[][] rows(int n, int width, boolean gaussian) {
    Random random = new Random(n * 31L + width);
    float[][] r = new float[n][width];
    for (float[] row : r) {
      for (int j = 0; j < width; j++) {
        row[j] = gaussian ? (float) random.nextGaussian() : random.nextFloat();
      }
    }
    return r;
  }

  private static void compare(String signature, int batch, int n, Supplier<?> loaderCall, SavedModelBundle bare,
      String input, float[][] values, Shape shape) {
    SignatureDef def = bare.metaGraphDef().getSignatureDefMap().get(signature);
    String in = def.getInputsMap().get(input).getName();
    String[] outs = def.getOutputsMap().values().stream().map(t -> t.getName()).toArray(String[]::new);
    float[] flat = new float[values.length * values[0].length];
    for (int i = 0; i < values.length; i++) {
      System.arraycopy(values[i], 0, flat, i * values[0].length, values[i].length);
    }
    Session session = bare.session();
    Runnable bareCall = () -> {
      try (TFloat32 t = TFloat32.tensorOf(shape, DataBuffers.of(flat, true, false))) {
        Session.Runner runner = session.runner().feed(in, t);
        for (String out : outs) {
          runner.fetch(out);
        }
        runner.run().close();
      }
    };
    // Call by call, alternating which goes first: this VM's speed swings in phases of seconds, so
    // both sides must sample the same phases; medians of the per-call times.
    for (int i = 0; i < Math.max(10, n / 10); i++) {
      loaderCall.get();
      bareCall.run();
    }
    double[] loader = new double[n];
    double[] direct = new double[n];
    for (int i = 0; i < n; i++) {
      if (i % 2 == 0) {
        loader[i] = msFor(loaderCall::get);
        direct[i] = msFor(bareCall);
      } else {
        direct[i] = msFor(bareCall);
        loader[i] = msFor(loaderCall::get);
      }
    }
    double l = TrainBenchmark.median(loader);
    double d = TrainBenchmark.median(direct);
    System.out.printf("%-12s %5d %12.3f %12.3f %13.2f %14.0f%n", signature, batch, l, d, l / d, 1000 * batch / d);
  }

  private static double msFor(Runnable call) {
    long t = System.nanoTime();
    call.run();
    return (System.nanoTime() - t) / 1e6;
  }

  private static void rssOverCalls(IntroVaeModel model, float[][] latent, int calls) throws Exception {
    double rss1000 = 0;
    StringBuilder rss = new StringBuilder();
    for (int i = 1; i <= calls; i++) {
      model.decode(latent);
      if (i == 1000 || i % 5000 == 0) {
        // A GC first, so the Java heap's lazy growth is not mistaken for native memory.
        System.gc();
        double now = TrainBenchmark.rssGb();
        rss1000 = i == 1000 ? now : rss1000;
        rss.append(String.format("  %,d calls: %.3f GB%n", i, now));
      }
    }
    System.out.printf("RSS over %,d loader decode calls (batch 1), after a GC:%n%s  change from 1,000 calls: %+.1f%%%n",
        calls, rss, 100 * (TrainBenchmark.rssGb() - rss1000) / rss1000);
  }
}
