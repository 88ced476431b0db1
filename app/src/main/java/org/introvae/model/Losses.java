package org.introvae.model;

import org.introvae.model.Architecture.Posterior;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * The loss terms, named as in the papers' equations. First IntroVAE's (Huang et al. 2018), then, in
 * {@link Soft}, Soft-IntroVAE's (Daniel & Tamar 2021).
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

  /**
   * L_REG = KL(q(z|x) ‖ N(0, I)) = −½ Σ_j w_j (1 + log σ_j² − μ_j² − σ_j²), one value per sample; the
   * weights w_j are the posterior's {@code klWeights}, 1 when it has none.
   */
  public static Operand<TFloat32> L_REG(Ops tf, Posterior q) {
    Operand<TFloat32> inner = tf.math.sub(
        tf.math.add(tf.constant(1f), q.logvar()),
        tf.math.add(tf.math.square(q.mu()), tf.math.exp(q.logvar())));
    if (q.klWeights() != null) {
      inner = tf.math.mul(inner, q.klWeights());
    }
    return tf.math.mul(tf.constant(-0.5f), tf.sum(inner, tf.constant(1)));
  }

  /** L_AE(x, x_r) = ½ Σ_pixels (x_r − x)², one value per sample (NHWC). */
  public static Operand<TFloat32> L_AE(Ops tf, Operand<TFloat32> x, Operand<TFloat32> xr) {
    return L_AE(tf, Soft.L_REC(tf, x, xr));
  }

  /** L_AE as ½ of a per-sample reconstruction error (the squared error, or the Chamfer distance for points). */
  public static Operand<TFloat32> L_AE(Ops tf, Operand<TFloat32> error) {
    return tf.math.mul(tf.constant(0.5f), error);
  }

  /**
   * L_CD(x, y) = Σ_i min_j ‖x_i − y_j‖² + Σ_j min_i ‖x_i − y_j‖², the Chamfer distance between two clouds
   * of points (sums, as in the official 3-D code), one value per sample. Clouds are [n, …, 3]: every axis
   * between the first and the last lists points.
   *
   * <p>The nearest neighbours are found without gradient on one [n, N, M] matrix of squared distances
   * (one matrix product of the points extended by their squared norms), and the distances to them are
   * then computed exactly from the gathered points. The gradient is min's (it reaches each point through
   * its nearest neighbour), but no N×M tensor is differentiated: the min's own gradient would take
   * several more N×M passes, which at the official N = 2,048 cost most of a step.
   */
  public static Operand<TFloat32> L_CD(Ops tf, Operand<TFloat32> x, Operand<TFloat32> y) {
    Operand<TFloat32> a = tf.reshape(x, tf.constant(new long[] {-1, pointCount(x), 3}));
    Operand<TFloat32> b = tf.reshape(y, tf.constant(new long[] {-1, pointCount(y), 3}));
    Operand<TFloat32> squared = pairwiseSquaredDistances(tf, tf.stopGradient(a), tf.stopGradient(b));
    Operand<TFloat32> nearestInB = tf.gather(b, tf.math.argMin(squared, tf.constant(2)), tf.constant(1),
        org.tensorflow.op.core.Gather.batchDims(1L));
    Operand<TFloat32> nearestInA = tf.gather(a, tf.math.argMin(squared, tf.constant(1)), tf.constant(1),
        org.tensorflow.op.core.Gather.batchDims(1L));
    Operand<TFloat32> xToY = tf.sum(tf.math.squaredDifference(a, nearestInB), tf.constant(new int[] {1, 2}));
    Operand<TFloat32> yToX = tf.sum(tf.math.squaredDifference(b, nearestInA), tf.constant(new int[] {1, 2}));
    return tf.math.add(xToY, yToX);
  }

  /**
   * ‖a_i − b_j‖² for clouds a [n, N, 3] and b [n, M, 3] as one batched product [a, ‖a‖², 1]·[−2b, 1, ‖b‖²]ᵀ:
   * the expansion ‖a‖² + ‖b‖² − 2a·b without separate N×M sums. Its rounding only decides nearest
   * neighbours among points at almost equal distances.
   */
  private static Operand<TFloat32> pairwiseSquaredDistances(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b) {
    Operand<TFloat32> aa = tf.sum(tf.math.square(a), tf.constant(2), org.tensorflow.op.core.Sum.keepDims(true));
    Operand<TFloat32> bb = tf.sum(tf.math.square(b), tf.constant(2), org.tensorflow.op.core.Sum.keepDims(true));
    Operand<TFloat32> a5 = tf.concat(java.util.List.of(a, aa, tf.onesLike(aa)), tf.constant(2));
    Operand<TFloat32> b5 = tf.concat(java.util.List.of(tf.math.mul(tf.constant(-2f), b), tf.onesLike(bb), bb),
        tf.constant(2));
    return tf.train.batchMatMul(a5, b5, TFloat32.class, org.tensorflow.op.train.BatchMatMul.adjY(true));
  }

  /** How many points a cloud of shape [n, …, 3] lists (its middle axes must be known). */
  private static long pointCount(Operand<TFloat32> cloud) {
    long count = 1;
    for (int i = 1; i < cloud.shape().numDimensions() - 1; i++) {
      count *= cloud.shape().get(i);
    }
    return count;
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
    return tf.math.add(L_G_adv(tf, e, α), tf.math.mul(β, mean(tf, e.ae())));
  }

  /** L_G's adversarial term α·Σ_s L_REG(x_s): the part that reaches the decoder through the encoder. */
  public static Operand<TFloat32> L_G_adv(Ops tf, Energies e, Operand<TFloat32> α) {
    return tf.math.mul(α, tf.math.add(mean(tf, e.regRec()), mean(tf, e.regSample())));
  }

  /**
   * Soft-IntroVAE. With s = 1/(C·H·W):
   *
   * <pre>
   *   L_E = s·(β_rec·L_REC(x) + β_kl·L_REG(x)) + ¼·Σ_{s∈{r,p}} expELBO(x_s)
   *   expELBO(x_s) = mean_batch exp(−2s·(β_rec·L_REC(ng(x_s), D(E(ng(x_s)))) + β_neg·L_REG(ng(x_s))))
   *   L_D = s·(β_rec·L_REC(x) + ½β_kl·(L_REG(x_r) + L_REG(x_p)) + ½γ_r·β_rec·Σ_s L_REC(ng(x_s), D(ng(z_s))))
   * </pre>
   *
   * where z_s ~ q(z|x_s). A VAE warm-up trains both networks on {@link #L_ELBO} instead.
   */
  public static final class Soft {
    private Soft() {}

    /** Soft-IntroVAE's reconstruction error Σ_pixels (x_r − x)², per sample: its official code's form (no ½), so the authors' β values apply. */
    public static Operand<TFloat32> L_REC(Ops tf, Operand<TFloat32> x, Operand<TFloat32> xr) {
      return tf.sum(tf.math.squaredDifference(xr, x), tf.constant(new int[] {1, 2, 3}));
    }

    /** expELBO of generated images from their per-sample re-reconstruction error and KL. */
    public static Operand<TFloat32> expELBO(Ops tf, Operand<TFloat32> rec, Operand<TFloat32> reg,
        SoftIntroVaeObjective w, float s) {
      Operand<TFloat32> energy = tf.math.add(tf.math.mul(tf.constant(w.β_rec()), rec), tf.math.mul(tf.constant(w.β_neg()), reg));
      return mean(tf, tf.math.exp(tf.math.mul(tf.constant(-2f * s), energy)));
    }

    /** Per-sample terms of one step, all of shape [n]. */
    public record Energies(
        Operand<TFloat32> recReal,             // L_REC(x, x_r)
        Operand<TFloat32> regReal,             // L_REG(x)
        Operand<TFloat32> recOfRecStopped,     // L_REC(ng(x_r), D(E(ng(x_r))))
        Operand<TFloat32> regOfRecStopped,     // L_REG(ng(x_r))
        Operand<TFloat32> recOfSampleStopped,  // L_REC(ng(x_p), D(E(ng(x_p))))
        Operand<TFloat32> regOfSampleStopped,  // L_REG(ng(x_p))
        Operand<TFloat32> regRec,              // L_REG(x_r)
        Operand<TFloat32> regSample,           // L_REG(x_p)
        Operand<TFloat32> reRecRec,            // L_REC(ng(x_r), D(ng(z_r)))
        Operand<TFloat32> reRecSample) {}      // L_REC(ng(x_p), D(ng(z_p)))

    /** Encoder loss. */
    public static Operand<TFloat32> L_E(Ops tf, Energies e, SoftIntroVaeObjective w, float s) {
      Operand<TFloat32> elbo = L_ELBO(tf, e.recReal(), e.regReal(), w, s);
      Operand<TFloat32> expElbos = tf.math.add(expELBO(tf, e.recOfRecStopped(), e.regOfRecStopped(), w, s),
          expELBO(tf, e.recOfSampleStopped(), e.regOfSampleStopped(), w, s));
      return tf.math.add(elbo, tf.math.mul(tf.constant(0.25f), expElbos));
    }

    /** Decoder loss. */
    public static Operand<TFloat32> L_D(Ops tf, Energies e, SoftIntroVaeObjective w, float s) {
      Operand<TFloat32> rec = tf.math.mul(tf.constant(w.β_rec()), mean(tf, e.recReal()));
      Operand<TFloat32> reRec = tf.math.mul(tf.constant(0.5f * w.γ_r() * w.β_rec()),
          tf.math.add(mean(tf, e.reRecRec()), mean(tf, e.reRecSample())));
      return tf.math.add(L_D_kl(tf, e, w, s), tf.math.mul(tf.constant(s), tf.math.add(rec, reRec)));
    }

    /** L_D's term s·½β_kl·(L_REG(x_r) + L_REG(x_p)): the part that reaches the decoder through the encoder. */
    public static Operand<TFloat32> L_D_kl(Ops tf, Energies e, SoftIntroVaeObjective w, float s) {
      return tf.math.mul(tf.constant(s * 0.5f * w.β_kl()), tf.math.add(mean(tf, e.regRec()), mean(tf, e.regSample())));
    }

    /**
     * s·(β_rec·L_REC(x) + β_kl·L_REG(x)) (batch means): L_E's term for real images, and the ELBO both
     * networks minimise in the VAE warm-up.
     * The official code leaves out s in its warm-up. Adam ignores a constant factor within a phase, but its second
     * moments outlive the switch: after an unscaled warm-up they are 1/s² too large for the game's
     * gradients and shrink its steps about 1/s-fold (784-fold at 28×28) for thousands of steps.
     */
    public static Operand<TFloat32> L_ELBO(Ops tf, Operand<TFloat32> recReal, Operand<TFloat32> regReal,
        SoftIntroVaeObjective w, float s) {
      return tf.math.mul(tf.constant(s), tf.math.add(tf.math.mul(tf.constant(w.β_rec()), mean(tf, recReal)),
          tf.math.mul(tf.constant(w.β_kl()), mean(tf, regReal))));
    }
  }

  /** The plain VAE's loss for both networks: L_REG(x) + β·L_AE(x, x_r), batch means. */
  public static Operand<TFloat32> L_VAE(Ops tf, Operand<TFloat32> regReal, Operand<TFloat32> ae, Operand<TFloat32> β) {
    return tf.math.add(mean(tf, regReal), tf.math.mul(β, mean(tf, ae)));
  }

  static Operand<TFloat32> mean(Ops tf, Operand<TFloat32> perSample) {
    return tf.math.mean(perSample, tf.constant(0));
  }
}
