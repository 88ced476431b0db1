package org.introvae.model;

import java.util.List;
import org.introvae.model.Architecture.EncoderNet;
import org.introvae.model.Architecture.Posterior;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * IntroVAE (Huang et al. 2018): the encoder keeps the KL energy of real images low and that of
 * reconstructions and samples above the margin m; the decoder pulls the latter down. α weighs the
 * adversarial (KL-energy) terms, β L_AE; α = 0 is a plain VAE.
 *
 * <p>Mapping to the official PyTorch code, which sums squared errors without the paper's ½ and
 * halves its KL terms: its weight_rec equals β/2, its weight_neg·½ equals α on the hinge, and its
 * 0.5·weight_kl on the decoder's KL terms equals α there.
 */
public record IntroVaeObjective(float α, float β, float m) implements Objective {
  public static final String NAME = "introvae";
  public static final Kind KIND = new Kind(NAME, "IntroVAE's hinge game", List.of(
      new Weight("alpha", "α", "weight of the adversarial KL terms (0 = plain VAE)", true),
      new Weight("beta", "β", "weight of the reconstruction term L_AE", false),
      new Weight("margin", "m", "hinge margin on the KL of reconstructions and samples", true)),
      Preset::weights, v -> new IntroVaeObjective(v[0], v[1], v[2]));

  public IntroVaeObjective {
    if (!(α >= 0) || !(β > 0) || !(m >= 0)) {
      throw new IllegalArgumentException("need α ≥ 0, β > 0, m ≥ 0; got α=" + α + " β=" + β + " m=" + m);
    }
  }

  @Override
  public Kind kind() {
    return KIND;
  }

  @Override
  public float[] weightValues() {
    return new float[] {α, β, m};
  }

  /** The VAE warm-up: L_REG(x) + β·L_AE(x, x_r). */
  @Override
  public Operand<TFloat32> warmUpLoss(Ops tf, SharedPasses p) {
    return Losses.L_VAE(tf, p.regReal(), p.ae(), tf.constant(β));
  }

  /**
   * With {@code updated} null: L_E over E(ng(x_s)) and (simultaneous order) L_G over the same passes,
   * its adversarial part routed into x_s. With the updated encoder: L_G over E'(x_r), E'(x_p).
   */
  @Override
  public LossAssembly assemble(Ops tf, SharedPasses p, UpdateOrder order, EncoderNet updated) {
    Operand<TFloat32> a = tf.constant(α);
    Operand<TFloat32> b = tf.constant(β);
    Operand<TFloat32> zero = tf.constant(0f);
    if (updated != null) {
      Posterior[] q = p.encodeBoth(tf, updated, p.xr(), p.xp());
      Losses.Energies e = energies(tf, p, q);
      return LossAssembly.decoderHalf(Losses.L_G(tf, e, a, b), List.of(), zero);
    }
    Operand<TFloat32> ngXr = Losses.ng(tf, p.xr());
    Operand<TFloat32> ngXp = Losses.ng(tf, p.xp());
    Posterior[] q = p.encodeBoth(tf, p.encoder(), ngXr, ngXp);
    Losses.Energies e = energies(tf, p, q);
    return new LossAssembly(Losses.L_E(tf, e, a, b, tf.constant(m)), Losses.L_G(tf, e, a, b),
        Losses.mean(tf, e.regRecStopped()), Losses.mean(tf, e.regSampleStopped()), zero, zero, List.of(ngXr, ngXp), List.of(),
        Losses.L_G_adv(tf, e, a), List.of(ngXr, ngXp));
  }

  /** The hinge's and L_G's energies over one encoding of x_r and x_p. */
  private static Losses.Energies energies(Ops tf, SharedPasses p, Posterior[] q) {
    Operand<TFloat32> regRec = Losses.L_REG(tf, q[0]);
    Operand<TFloat32> regSample = Losses.L_REG(tf, q[1]);
    return new Losses.Energies(p.regReal(), regRec, regSample, regRec, regSample, p.ae());
  }
}
