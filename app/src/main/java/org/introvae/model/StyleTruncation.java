package org.introvae.model;

import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;

/**
 * The truncation trick of the style-based decoder (StyleGAN, ALAE and the Soft-IntroVAE style code):
 * a sample's style is pulled towards the average style, w' = w̄ + ψ (w − w̄), trading variety for
 * typical images. ψ = 1 is no truncation. The official code tracks w̄ as a moving average of F(z)
 * during training (β 0.995); an exported model measures it once, as the mean of F(z) over
 * {@value #DRAWS} prior draws, which is the same expectation without training-time state.
 */
public record StyleTruncation(float psi, float[] averageStyle) {
  public static final int DRAWS = 10_000;
  /** Seed of the draws for w̄: far from the small seeds users sample with. */
  private static final long SEED = (1L << 40) + 7;

  /** ψ if it lies in [0, 1]. */
  public static float psi(String option, float psi) {
    if (!(psi >= 0 && psi <= 1)) {
      throw new IllegalArgumentException(option + ": '" + psi + "' must be a number from 0 to 1 (1: no truncation)");
    }
    return psi;
  }

  /** w̄ for the style decoder of {@code config} with the variables of {@code checkpoint}, and ψ. */
  public static StyleTruncation measure(ModelConfig config, Path checkpoint, float psi) {
    TensorFlowRuntime.prepare();
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      StyleNetworks.Decoder decoder = new StyleNetworks.Decoder(tf, config, 1, "decoder");
      Operand<TFloat32> z = tf.random.statelessRandomNormal(tf.constant(new long[] {DRAWS, config.zDim()}),
          tf.constant(new long[] {SEED, 0}));
      Operand<TFloat32> mean = tf.math.mean(decoder.styles(tf, z), tf.constant(0), Mean.keepDims(false));
      session.restore(checkpoint.toString());
      try (Result r = session.runner().fetch(mean).run()) {
        return new StyleTruncation(psi, TrainingSession.floats(r, 0));
      }
    }
  }

  /** w̄ + ψ (w − w̄) for styles {@code w} of shape [n, width]. */
  public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> w) {
    Operand<TFloat32> average = tf.constant(averageStyle);
    return tf.math.add(average, tf.math.mul(tf.constant(psi), tf.math.sub(w, average)));
  }
}
