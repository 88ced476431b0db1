package org.introvae.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Progressive growing of the style-based networks, on ALAE's schedule (which the Soft-IntroVAE paper's
 * style code keeps): training starts at the smallest map (level 0) and adds one resolution every
 * {@code epochsPerLevel} epochs up to level K (the image's); in the first half of a new level's epochs
 * (whole epochs, E // 2 as ALAE counts them) the new level fades in along the eased ramp
 * α = (1 − cos πt)/2.
 *
 * <p>The schedule is one number, the growth g ∈ [0, K]: g = k at level k, g = k − 1 + α while level k
 * fades in. The networks read g through three weights, each exactly 0 or 1 outside a fade:
 * <ul>
 *   <li>{@link #imageWeight}: level k's image counts max(0, 1 − |g − k|) in the decoder's output (the newest
 *       level α, the one below it 1 − α, each upsampled to the image's size);
 *   <li>{@link #pathWeight}: the encoder enters level k from the image (through level k's own 1×1
 *       convolution) with weight 1 − c and from level k + 1's downsampled features with c = clamp(g − k, 0, 1);
 *   <li>{@link #styleWeight}: level k's contribution to the encoder's style counts clamp(g − k + 1, 0, 1).
 * </ul>
 * A graph has static shapes, so every level is computed at every step and the weights switch the
 * ungrown ones off: growing changes what the networks learn first, not the step's time.
 */
public record Growth(int epochsPerLevel, int levels) {
  public Growth {
    if (epochsPerLevel < 1) {
      throw new IllegalArgumentException("growth needs at least one epoch per level, not " + epochsPerLevel);
    }
    if (levels < 0) {
      throw new IllegalArgumentException("growth needs 0 or more levels above the smallest map, not " + levels);
    }
  }

  /** g before step {@code step} (from 0) of a run with {@code stepsPerEpoch} steps per epoch. */
  public float at(long step, long stepsPerEpoch) {
    long perLevel = epochsPerLevel * stepsPerEpoch;
    long cycle = step / perLevel;
    int level = (int) Math.min(levels, cycle);
    long fade = (epochsPerLevel / 2) * stepsPerEpoch;
    long into = step - cycle * perLevel;
    if (level == 0 || cycle != level || into >= fade) {
      return level;
    }
    double alpha = (1 - Math.cos(Math.PI * into / fade)) / 2;
    return (float) (level - 1 + alpha);
  }

  /** The step at which level {@code level} starts to fade in. */
  public long start(int level, long stepsPerEpoch) {
    return (long) level * epochsPerLevel * stepsPerEpoch;
  }

  /** The first step (from 0) at which the networks are grown in full, g = K. */
  public long fullFrom(long stepsPerEpoch) {
    return levels == 0 ? 0 : start(levels, stepsPerEpoch) + (epochsPerLevel / 2) * stepsPerEpoch;
  }

  /** max(0, 1 − |g − k|): level k's share of the decoder's image. */
  static Operand<TFloat32> imageWeight(Ops tf, Operand<TFloat32> g, int k) {
    return tf.math.maximum(tf.constant(0f), tf.math.sub(tf.constant(1f), tf.math.abs(tf.math.sub(g, tf.constant((float) k)))));
  }

  /** clamp(g − k, 0, 1): how much the encoder enters level k from the level above rather than from the image. */
  static Operand<TFloat32> pathWeight(Ops tf, Operand<TFloat32> g, int k) {
    return clamp(tf, tf.math.sub(g, tf.constant((float) k)));
  }

  /** clamp(g − k + 1, 0, 1): how much level k's statistics count in the encoder's style. */
  static Operand<TFloat32> styleWeight(Ops tf, Operand<TFloat32> g, int k) {
    return clamp(tf, tf.math.sub(g, tf.constant((float) (k - 1))));
  }

  private static Operand<TFloat32> clamp(Ops tf, Operand<TFloat32> v) {
    return tf.math.minimum(tf.constant(1f), tf.math.maximum(tf.constant(0f), v));
  }

  /** (1 − c)·a + c·b: exactly a at c = 0 and exactly b at c = 1. */
  static Operand<TFloat32> lerp(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b, Operand<TFloat32> c) {
    return tf.math.add(tf.math.mul(tf.math.sub(tf.constant(1f), c), a), tf.math.mul(c, b));
  }

  /**
   * Σ_k w_k(g)·up^{K−k}(I_k): the images of every level, [batch, s·2^k, s·2^k, channels] for level k,
   * blended at the image's size with {@link #imageWeight}.
   */
  static Operand<TFloat32> blendImages(Ops tf, java.util.List<Operand<TFloat32>> byLevel, Operand<TFloat32> g, int imageSize) {
    int top = byLevel.size() - 1;
    Operand<TFloat32> sum = null;
    for (int k = 0; k <= top; k++) {
      // nearest-neighbour by 2^(K−k) at once, the same as K−k doublings; sizes given, as layers' outputs may lack static ones
      Operand<TFloat32> image = k == top ? byLevel.get(k)
          : tf.image.resizeNearestNeighbor(byLevel.get(k), tf.constant(new int[] {imageSize, imageSize}));
      Operand<TFloat32> weighted = tf.math.mul(image, imageWeight(tf, g, k));
      sum = sum == null ? weighted : tf.math.add(sum, weighted);
    }
    return sum;
  }

  /**
   * The real images as the grown networks see them (ALAE blends its real batches so): Σ_k w_k(g)·
   * up^{K−k}(pool^{K−k}(x)), x averaged down to each level and repeated back up to the image's size.
   */
  public static Operand<TFloat32> realImages(Ops tf, Operand<TFloat32> x, Operand<TFloat32> g, int levels) {
    java.util.List<Operand<TFloat32>> byLevel = new java.util.ArrayList<>();
    Operand<TFloat32> h = x;
    for (int k = levels; k >= 0; k--) {
      byLevel.add(0, h);
      if (k > 0) {
        h = Architecture.Encoder.pool(tf, h);
      }
    }
    return blendImages(tf, byLevel, g, (int) x.shape().get(1));
  }
}
