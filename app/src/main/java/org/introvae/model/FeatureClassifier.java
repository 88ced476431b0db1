package org.introvae.model;

import org.introvae.model.Architecture.Conv;
import org.introvae.model.Architecture.Dense;
import org.introvae.model.Architecture.Parameters;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A small CNN classifier whose penultimate layer gives the features for the project's Fréchet
 * distance (Inception weights cannot be fetched here): 3×3 conv 32 → ReLU → 2×2 max pool → 3×3 conv 64 →
 * ReLU → 2×2 max pool → FC 128 (the features, ReLU) → FC classes.
 */
public final class FeatureClassifier {
  public static final int FEATURES = 128;
  private final int size;
  private final Parameters parameters;
  private final Conv conv1;
  private final Conv conv2;
  private final Dense features;
  private final Dense logits;

  public record Outputs(Operand<TFloat32> features, Operand<TFloat32> logits) {}

  public FeatureClassifier(Ops tf, int size, int channels, int classes, long seed) {
    if (size % 4 != 0) {
      throw new IllegalArgumentException("image size must be a multiple of 4, not " + size);
    }
    this.size = size;
    parameters = new Parameters(tf, "classifier", seed);
    conv1 = new Conv(parameters, "conv1", 3, channels, 32, true);
    conv2 = new Conv(parameters, "conv2", 3, 32, 64, true);
    features = new Dense(parameters, "fc", (size / 4) * (size / 4) * 64, FEATURES);
    logits = new Dense(parameters, "out", FEATURES, classes);
  }

  public Parameters parameters() {
    return parameters;
  }

  public Outputs apply(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> h = pool(tf, tf.nn.relu(conv1.apply(tf, x)));
    h = pool(tf, tf.nn.relu(conv2.apply(tf, h)));
    h = tf.reshape(h, tf.constant(new long[] {-1, (size / 4) * (size / 4) * 64}));
    Operand<TFloat32> f = tf.nn.relu(features.apply(tf, h));
    return new Outputs(f, logits.apply(tf, f));
  }

  private static Operand<TFloat32> pool(Ops tf, Operand<TFloat32> x) {
    Operand<org.tensorflow.types.TInt32> window = tf.constant(new int[] {1, 2, 2, 1});
    return tf.nn.maxPool(x, window, window, "VALID");
  }
}
