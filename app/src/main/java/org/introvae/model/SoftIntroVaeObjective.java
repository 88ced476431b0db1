package org.introvae.model;

import java.util.List;
import org.introvae.model.Architecture.EncoderNet;
import org.introvae.model.Architecture.Posterior;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Soft-IntroVAE (Daniel & Tamar 2021): the hinge becomes a smooth exponential of the generated images'
 * ELBO. β_kl weighs the real images' KL, β_rec reconstruction errors, β_neg the generated images' KL
 * inside the expELBO, γ_r the decoder's re-reconstruction term (1e-8 in all the authors' image
 * experiments).
 *
 * <p>In the alternating order this reproduces the official code step for step: the decoder's terms
 * draw fresh z_s from the updated encoder and decode them again, and the encoder's expELBO compares
 * D(z_r) with an un-stopped x_r, so the encoder also gets the gradient through x_r = D(z), z ~ q(z|x)
 * that the official code gives it (the paper's equation stops it).
 *
 * <p>Bootstrapped ({@link SharedPasses#bootstrapped()}, the official bootstrap variant, alternating
 * order only): a target decoder — a copy of the decoder refreshed every few epochs, never trained —
 * decodes the re-encodings E(x_s) in both halves, and the decoder's half stops nothing but z.
 */
public record SoftIntroVaeObjective(float β_kl, float β_rec, float β_neg, float γ_r) implements Objective {
  public static final String NAME = "soft";
  public static final Kind KIND = new Kind(NAME, "Soft-IntroVAE's exponential game", List.of(
      new Weight("beta-kl", "β_kl", "weight of the real images' KL", false),
      new Weight("beta-rec", "β_rec", "weight of the reconstruction errors", false),
      new Weight("beta-neg", "β_neg", "weight of the generated images' KL in the expELBO", false),
      new Weight("gamma-r", "γ_r", "weight of the decoder's re-reconstruction term", true)),
      Preset::soft, v -> new SoftIntroVaeObjective(v[0], v[1], v[2], v[3]));

  public SoftIntroVaeObjective {
    if (!(β_kl > 0) || !(β_rec > 0) || !(β_neg > 0) || !(γ_r >= 0)) {
      throw new IllegalArgumentException("need β_kl, β_rec, β_neg > 0 and γ_r ≥ 0");
    }
  }

  @Override
  public Kind kind() {
    return KIND;
  }

  @Override
  public float[] weightValues() {
    return new float[] {β_kl, β_rec, β_neg, γ_r};
  }

  /** The VAE warm-up: s·(β_rec·L_REC(x) + β_kl·L_REG(x)), on the game's scale. */
  @Override
  public Operand<TFloat32> warmUpLoss(Ops tf, SharedPasses p) {
    return Losses.Soft.L_ELBO(tf, p.recReal(), p.regReal(), this, 1f / p.pixels());
  }

  /**
   * With {@code updated} null: L_E over E(ng(x_s)) and D(z_s), and (simultaneous order) L_D over the same
   * passes. With the updated encoder: L_D over E'(x_s) with fresh z_s' and D(ng(z_s')), as the official
   * decoder step computes it.
   */
  @Override
  public LossAssembly assemble(Ops tf, SharedPasses p, UpdateOrder order, EncoderNet updated) {
    float s = 1f / p.pixels();
    Operand<TFloat32> recReal = p.recReal();
    Operand<TFloat32> targetRec = Losses.ng(tf, p.xr());
    Operand<TFloat32> targetSample = Losses.ng(tf, p.xp());
    if (updated != null) {
      Posterior[] q = p.encodeBoth(tf, updated, p.xr(), p.xp());
      Operand<TFloat32> zRec = SharedPasses.reparameterise(tf, q[0], p.noise().get(4));
      Operand<TFloat32> zSample = SharedPasses.reparameterise(tf, q[1], p.noise().get(5));
      if (p.bootstrapped()) {
        // The official bootstrap step: the frozen target decodes E'(x_s) and nothing is stopped, so the
        // re-reconstruction term reaches θ_D through x_s twice: as the target and through E' and the target.
        List<Operand<TFloat32>> decoded = p.redecodeBoth(tf, zRec, zSample);
        Losses.Soft.Energies e = new Losses.Soft.Energies(recReal, p.regReal(), null, null, null, null,
            Losses.L_REG(tf, q[0]), Losses.L_REG(tf, q[1]),
            p.rec(tf, p.xr(), decoded.get(0)), p.rec(tf, p.xp(), decoded.get(1)));
        return LossAssembly.decoderHalf(Losses.Soft.L_D(tf, e, this, s), List.of(), tf.constant(0f));
      }
      zRec = Losses.ng(tf, zRec);
      zSample = Losses.ng(tf, zSample);
      List<Operand<TFloat32>> decoded = p.redecodeBoth(tf, zRec, zSample);
      Losses.Soft.Energies e = new Losses.Soft.Energies(recReal, p.regReal(), null, null, null, null,
          Losses.L_REG(tf, q[0]), Losses.L_REG(tf, q[1]),
          p.rec(tf, targetRec, decoded.get(0)), p.rec(tf, targetSample, decoded.get(1)));
      return LossAssembly.decoderHalf(Losses.Soft.L_D(tf, e, this, s), List.of(targetRec, targetSample, zRec, zSample),
          tf.constant(0f));
    }
    Operand<TFloat32> ngXr = Losses.ng(tf, p.xr());
    Operand<TFloat32> ngXp = Losses.ng(tf, p.xp());
    // The generated images, stopped, encoded and decoded again: the encoder's expELBO and, in the
    // simultaneous order, with z_s and the targets held, the decoder's re-reconstruction; their KL is
    // the decoder's (routed into x_s).
    Posterior[] q = p.encodeBoth(tf, p.encoder(), ngXr, ngXp);
    Operand<TFloat32> zRec = SharedPasses.reparameterise(tf, q[0], p.noise().get(2));
    Operand<TFloat32> zSample = SharedPasses.reparameterise(tf, q[1], p.noise().get(3));
    List<Operand<TFloat32>> decoded = p.redecodeBoth(tf, zRec, zSample);
    boolean simultaneous = order == UpdateOrder.SIMULTANEOUS;
    // The official code compares D(z_r) with x_r itself, not ng(x_r); the paper stops it.
    Operand<TFloat32> recOfRec = p.rec(tf, simultaneous ? targetRec : p.xr(), decoded.get(0));
    Operand<TFloat32> recOfSample = p.rec(tf, targetSample, decoded.get(1));
    Operand<TFloat32> regRec = Losses.L_REG(tf, q[0]);
    Operand<TFloat32> regSample = Losses.L_REG(tf, q[1]);
    Losses.Soft.Energies e = new Losses.Soft.Energies(recReal, p.regReal(),
        recOfRec, regRec, recOfSample, regSample, regRec, regSample, recOfRec, recOfSample);
    List<Operand<TFloat32>> ngE = simultaneous ? List.of(ngXr, ngXp, targetRec, targetSample) : List.of(ngXr, ngXp, targetSample);
    return new LossAssembly(Losses.Soft.L_E(tf, e, this, s), simultaneous ? Losses.Soft.L_D(tf, e, this, s) : null,
        Losses.mean(tf, regRec), Losses.mean(tf, regSample),
        Losses.Soft.expELBO(tf, recOfRec, regRec, this, s), Losses.Soft.expELBO(tf, recOfSample, regSample, this, s),
        ngE, List.of(targetRec, targetSample, zRec, zSample), Losses.Soft.L_D_kl(tf, e, this, s), List.of(ngXr, ngXp));
  }
}
