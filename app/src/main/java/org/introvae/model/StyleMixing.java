package org.introvae.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Style mixing regularisation (StyleGAN's; the official style-based Soft-IntroVAE trains with
 * probability 0.9): with probability p a training batch of prior samples x_p = D(z_p) takes the style
 * of z_p in the styled layers before a crossover drawn uniformly from 1..L and the style of a second
 * draw z_fine from there on, so that no layer can rely on its neighbours sharing one style. One coin and
 * one crossover per batch, as in the official code; crossover L mixes nothing. Reconstructions and
 * re-decodings never mix.
 *
 * @param probability p, in [0, 1]; 0 switches mixing off
 */
public record StyleMixing(float probability) {
  /** The official code's STYLE_MIXING_PROB. */
  public static final float OFFICIAL_PROBABILITY = 0.9f;
  public static final StyleMixing OFF = new StyleMixing(0f);

  // Added to the step's seed pair so that these draws are independent of the step's other noise (stateless
  // draws of one seed share their leading values) and a run without mixing keeps its noise.
  private static final long Z_FINE_SEED = 0x5EED_0F1E_0000_0001L;
  private static final long CROSSOVER_SEED = 0x5EED_0F1E_0000_0002L;

  public StyleMixing {
    if (!(probability >= 0f && probability <= 1f)) {
      throw new IllegalArgumentException("the style mixing probability must be in [0, 1], not " + probability);
    }
  }

  public boolean on() {
    return probability > 0f;
  }

  /** One step's draws: z_fine [batch, z] and the crossover, an int32 scalar in 1..layers. */
  public record Draws(Operand<TFloat32> zFine, Operand<TInt32> crossover) {}

  /** The draws of the step whose stateless seed pair is {@code seed}, for a decoder of {@code layers} styled layers. */
  public Draws draw(Ops tf, Operand<TInt64> seed, int batch, int zDim, int layers) {
    Operand<TFloat32> zFine = tf.random.statelessRandomNormal(tf.constant(new long[] {batch, zDim}),
        offset(tf, seed, Z_FINE_SEED), TFloat32.class);
    Operand<TFloat32> u = tf.random.statelessRandomUniform(tf.constant(new long[] {2}), offset(tf, seed, CROSSOVER_SEED),
        TFloat32.class);
    Operand<TFloat32> coin = tf.slice(u, tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    Operand<TFloat32> position = tf.slice(u, tf.constant(new int[] {1}), tf.constant(new int[] {1}));
    // uniform on 1..L: 1 + ⌊u·L⌋, kept ≤ L for a u that rounds up to 1 in float32
    Operand<TFloat32> cut = tf.math.minimum(tf.math.add(tf.math.floor(tf.math.mul(position, tf.constant((float) layers))),
        tf.constant(1f)), tf.constant((float) layers));
    Operand<TFloat32> mixes = tf.dtypes.cast(tf.math.less(coin, tf.constant(probability)), TFloat32.class);
    // mixes ? cut : L
    Operand<TFloat32> crossover = tf.math.sub(tf.constant((float) layers),
        tf.math.mul(mixes, tf.math.sub(tf.constant((float) layers), cut)));
    return new Draws(zFine, tf.reshape(tf.dtypes.cast(crossover, TInt32.class), tf.constant(new int[0])));
  }

  private static Operand<TInt64> offset(Ops tf, Operand<TInt64> seed, long by) {
    return tf.math.add(seed, tf.constant(new long[] {by, 0}));
  }
}
