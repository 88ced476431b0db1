package org.introvae.model;

import java.util.List;
import org.introvae.model.Architecture.EncoderNet;
import org.introvae.model.Architecture.Posterior;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The plain VAE: both networks minimise L_REG(x) + β·L_AE(x, x_r) (the ELBO with a Gaussian decoder). */
public record VaeObjective(float β) implements Objective {
  public static final String NAME = "vae";
  public static final Kind KIND = new Kind(NAME, "the plain VAE", List.of(
      new Weight("beta", "β", "weight of the reconstruction term L_AE", false)),
      p -> new VaeObjective(p.weights().β()), v -> new VaeObjective(v[0]));

  public VaeObjective {
    if (!(β > 0)) {
      throw new IllegalArgumentException("need β > 0");
    }
  }

  @Override
  public Kind kind() {
    return KIND;
  }

  @Override
  public float[] weightValues() {
    return new float[] {β};
  }

  @Override
  public boolean adversarial() {
    return false;
  }

  @Override
  public Operand<TFloat32> warmUpLoss(Ops tf, SharedPasses p) {
    return Losses.L_VAE(tf, p.regReal(), p.ae(), tf.constant(β));
  }

  /** No game: the warm-up loss trains both networks; the generated images' KLs are only watched (stopped). */
  @Override
  public LossAssembly assemble(Ops tf, SharedPasses p, UpdateOrder order, EncoderNet updated) {
    Posterior[] q = p.encodeBoth(tf, p.encoder(), Losses.ng(tf, p.xr()), Losses.ng(tf, p.xp()));
    Operand<TFloat32> zero = tf.constant(0f);
    return new LossAssembly(null, null, Losses.mean(tf, Losses.L_REG(tf, q[0])), Losses.mean(tf, Losses.L_REG(tf, q[1])),
        zero, zero, List.of(), List.of(), null, List.of());
  }
}
