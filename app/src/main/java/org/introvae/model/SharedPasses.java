package org.introvae.model;

import java.util.ArrayList;
import java.util.List;
import org.introvae.model.Architecture.DecoderNet;
import org.introvae.model.Architecture.EncoderNet;
import org.introvae.model.Architecture.Mode;
import org.introvae.model.Architecture.Posterior;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The forward passes every objective starts from, E(x) → z = μ + σ·ε → x_r = D(z) and x_p = D(z_p), and
 * the helpers objectives build their further passes with.
 *
 * @param regReal L_REG(x) per image
 * @param recReal L_REC(x, x_r) per image, the {@link #rec} error of the reconstructions, built once
 * @param ae L_AE(x, x_r) = ½·recReal per image
 * @param noise independent N(0, I) draws of [batch, z]: 0 ε for x, 1 z_p, 2 and 3 ε for re-encodings of
 *     x_r and x_p by the encoder, 4 and 5 by the updated encoder (alternating order)
 * @param redecoder what decodes the re-encodings of generated images: the decoder itself, or the bootstrap's
 *     target decoder (a copy of the decoder refreshed every few epochs, never trained)
 * @param pixels values per image (side² × channels): Soft-IntroVAE's scale s is its inverse
 */
public record SharedPasses(Operand<TFloat32> x, Operand<TFloat32> xr, Operand<TFloat32> xp, Operand<TFloat32> regReal,
    Operand<TFloat32> recReal, Operand<TFloat32> ae, List<Output<TFloat32>> noise, EncoderNet encoder, DecoderNet decoder, DecoderNet redecoder,
    int pixels) {

  /** The reconstruction error of {@code xr} against {@code x} (Soft-IntroVAE's L_REC), as the decoder's outputs are compared. */
  public Operand<TFloat32> rec(Ops tf, Operand<TFloat32> x, Operand<TFloat32> xr) {
    return decoder.reconstructionError().of(tf, x, xr);
  }

  /** Whether re-encodings are decoded by a bootstrap target decoder rather than the decoder. */
  public boolean bootstrapped() {
    return redecoder != decoder;
  }

  static final int NOISE_DRAWS = 6;

  /**
   * E (TRAIN mode) over two equal batches of generated images: as one pass over both stacked when the
   * network treats samples independently (the 2-D MLPs: the same function, half the ops, larger
   * matrix products), else as two passes (batch norm must see each batch alone).
   */
  public Posterior[] encodeBoth(Ops tf, EncoderNet e, Operand<TFloat32> a, Operand<TFloat32> b) {
    if (!e.samplesIndependent()) {
      return new Posterior[] {e.apply(tf, a, Mode.TRAIN), e.apply(tf, b, Mode.TRAIN)};
    }
    Posterior both = e.apply(tf, tf.concat(List.of(a, b), tf.constant(0)), Mode.TRAIN);
    List<Output<TFloat32>> mu = tf.split(tf.constant(0), both.mu(), 2L).output();
    List<Output<TFloat32>> logvar = tf.split(tf.constant(0), both.logvar(), 2L).output();
    return new Posterior[] {new Posterior(mu.get(0), logvar.get(0), both.klWeights()),
        new Posterior(mu.get(1), logvar.get(1), both.klWeights())};
  }

  /**
   * The re-decoder (TRAIN mode) over two equal batches of latents of re-encoded generated images, stacked
   * as in {@link #encodeBoth}.
   */
  public List<Operand<TFloat32>> redecodeBoth(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b) {
    if (!redecoder.samplesIndependent()) {
      return List.of(redecoder.apply(tf, a, Mode.TRAIN), redecoder.apply(tf, b, Mode.TRAIN));
    }
    Operand<TFloat32> both = redecoder.apply(tf, tf.concat(List.of(a, b), tf.constant(0)), Mode.TRAIN);
    return new ArrayList<>(tf.split(tf.constant(0), both, 2L).output());
  }

  /** z = μ + σ·ε. */
  public static Operand<TFloat32> reparameterise(Ops tf, Posterior q, Operand<TFloat32> ε) {
    return tf.math.add(q.mu(), tf.math.mul(tf.math.exp(tf.math.mul(tf.constant(0.5f), q.logvar())), ε));
  }
}
