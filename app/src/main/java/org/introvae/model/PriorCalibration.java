package org.introvae.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.introvae.model.Architecture.Moments;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The decoder's batch-normalisation statistics for decoding z ~ N(0, I), measured on trained weights:
 * the moments of each normalisation's input over {@value #BATCHES} batches of prior draws (1,000 for
 * images up to 32×32, fewer for larger ones, see {@link #batch}), each batch normalised by its own
 * statistics as in training. The moving averages are collected
 * from decodes of z ~ q(z|x), whose activations differ from those of prior draws; decoding prior draws
 * with them made speckled samples (FD 60.4 against 17.8 with batch statistics for the shipped model).
 */
public final class PriorCalibration {
  public static final int BATCHES = 10;
  private static final int MOST = 1000;
  private static final int LEAST = 32;
  /** Seeds of the calibration draws: far from the small seeds users sample with. */
  static final long FIRST_SEED = 1L << 40;

  private PriorCalibration() {}

  /** The statistics for the decoder of {@code config} with the variables of {@code checkpoint}. */
  public static Map<String, Moments> of(ModelConfig config, TranslationNetworks.Split split, Path checkpoint) {
    try (InferenceGraph g = new InferenceGraph(config, split); Session session = new Session(g.graph)) {
      session.restore(checkpoint.toString());
      return measure(g, session, BATCHES, batch(config.imageSize()));
    }
  }

  /**
   * Prior draws per batch for a decoder of {@code imageSize}: 1,000 up to 32×32, then in inverse
   * proportion to the pixels (a 256×256 decoder's activations for 1,000 images would take tens of GB),
   * at least 32.
   */
  public static int batch(int imageSize) {
    return batchFor((long) imageSize * imageSize);
  }

  /** {@link #batch} for a decoder of {@code pixels} pixels per image. */
  static int batchFor(long pixels) {
    long scaled = MOST * 32L * 32 / pixels;
    return (int) Math.max(LEAST, Math.min(MOST, scaled));
  }

  /** Pooled moments of {@code batches} batches of {@code batch} draws from the restored {@code g}. */
  static Map<String, Moments> measure(InferenceGraph g, Session session, int batches, int batch) {
    Map<String, List<Moments>> perBatch = new LinkedHashMap<>();
    for (int b = 0; b < batches; b++) {
      Session.Runner runner = session.runner();
      for (Operand<TFloat32>[] m : g.decoderBatchMoments.values()) {
        runner.fetch(m[0]).fetch(m[1]);
      }
      try (TInt64 seed = TInt64.scalarOf(FIRST_SEED + b); TInt32 count = TInt32.scalarOf(batch);
          Result r = runner.feed(g.sampleSeed, seed).feed(g.sampleCount, count).run()) {
        int i = 0;
        for (String name : g.decoderBatchMoments.keySet()) {
          perBatch.computeIfAbsent(name, k -> new ArrayList<>())
              .add(new Moments(TrainingSession.floats(r, i), TrainingSession.floats(r, i + 1)));
          i += 2;
        }
      }
    }
    Map<String, Moments> pooled = new LinkedHashMap<>();
    perBatch.forEach((name, list) -> pooled.put(name, pooled(list)));
    return pooled;
  }

  /**
   * The moments of the union of equally sized batches: the mean of the means, and the mean of the
   * variances plus the variance of the means (the law of total variance).
   */
  static Moments pooled(List<Moments> batches) {
    int channels = batches.get(0).mean().length;
    float[] mean = new float[channels];
    float[] variance = new float[channels];
    int n = batches.size();
    for (int c = 0; c < channels; c++) {
      double m = 0;
      for (Moments b : batches) {
        m += b.mean()[c] / (double) n;
      }
      double v = 0;
      for (Moments b : batches) {
        double d = b.mean()[c] - m;
        v += (b.variance()[c] + d * d) / n;
      }
      mean[c] = (float) m;
      variance[c] = (float) v;
    }
    return new Moments(mean, variance);
  }
}
