package org.introvae.model;

import org.introvae.model.Architecture.Posterior;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * IntroVAE's loss terms (Huang et al. 2018), named as in the paper's equations.
 *
 * <pre>
 *   L_E = L_REG(x) + α·Σ_{s∈{r,p}} [m − L_REG(ng(x_s))]⁺ + β·L_AE(x, x_r)
 *   L_G = α·Σ_{s∈{r,p}} L_REG(x_s) + β·L_AE(x, x_r)
 * </pre>
 *
 * Per-sample terms are reduced by the mean over the batch, as in all public codes. L_AE keeps the
 * paper's ½ (the public codes drop it, so their reconstruction weight is β/2 here).
 */
public final class Losses {
  private Losses() {}

  /** ng(·): stop-gradient. Values pass; no gradient flows back through it. */
  public static <T extends TType> Operand<T> ng(Ops tf, Operand<T> x) {
    return tf.stopGradient(x);
  }

  /** L_REG = KL(q(z|x) ‖ N(0, I)) = −½ Σ_j (1 + log σ_j² − μ_j² − σ_j²), one value per sample. */
  public static Operand<TFloat32> L_REG(Ops tf, Posterior q) {
    Operand<TFloat32> inner = tf.math.sub(
        tf.math.add(tf.constant(1f), q.logvar()),
        tf.math.add(tf.math.square(q.mu()), tf.math.exp(q.logvar())));
    return tf.math.mul(tf.constant(-0.5f), tf.sum(inner, tf.constant(1)));
  }

  /** L_AE(x, x_r) = ½ Σ_pixels (x_r − x)², one value per sample (NHWC). */
  public static Operand<TFloat32> L_AE(Ops tf, Operand<TFloat32> x, Operand<TFloat32> xr) {
    return tf.math.mul(tf.constant(0.5f),
        tf.sum(tf.math.squaredDifference(xr, x), tf.constant(new int[] {1, 2, 3})));
  }

  /** The hinge [m − e]⁺ = max(0, m − e), element-wise. */
  public static Operand<TFloat32> hinge(Ops tf, Operand<TFloat32> m, Operand<TFloat32> e) {
    return tf.math.maximum(tf.constant(0f), tf.math.sub(m, e));
  }

  /** The per-sample energies one IntroVAE step needs, all of shape [n]. */
  public record Energies(
      Operand<TFloat32> regReal,
      Operand<TFloat32> regRecStopped,
      Operand<TFloat32> regSampleStopped,
      Operand<TFloat32> regRec,
      Operand<TFloat32> regSample,
      Operand<TFloat32> ae) {}

  /** Encoder loss: L_REG(x) + α·Σ_s [m − L_REG(ng(x_s))]⁺ + β·L_AE(x, x_r), batch means. */
  public static Operand<TFloat32> L_E(Ops tf, Energies e,
      Operand<TFloat32> α, Operand<TFloat32> β, Operand<TFloat32> m) {
    Operand<TFloat32> adversarial = tf.math.add(
        mean(tf, hinge(tf, m, e.regRecStopped())), mean(tf, hinge(tf, m, e.regSampleStopped())));
    return tf.math.add(mean(tf, e.regReal()),
        tf.math.add(tf.math.mul(α, adversarial), tf.math.mul(β, mean(tf, e.ae()))));
  }

  /** Decoder (generator) loss: α·Σ_s L_REG(x_s) + β·L_AE(x, x_r), batch means. */
  public static Operand<TFloat32> L_G(Ops tf, Energies e, Operand<TFloat32> α, Operand<TFloat32> β) {
    Operand<TFloat32> adversarial = tf.math.add(mean(tf, e.regRec()), mean(tf, e.regSample()));
    return tf.math.add(tf.math.mul(α, adversarial), tf.math.mul(β, mean(tf, e.ae())));
  }

  static Operand<TFloat32> mean(Ops tf, Operand<TFloat32> perSample) {
    return tf.math.mean(perSample, tf.constant(0));
  }
}
