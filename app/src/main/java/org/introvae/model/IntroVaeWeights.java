package org.introvae.model;

/**
 * The IntroVAE paper's loss weights: α on the adversarial (KL-energy) terms, β on L_AE, and the
 * hinge margin m. α = 0 is a plain VAE.
 *
 * <p>Mapping to the official PyTorch code, which sums squared errors without the paper's ½ and
 * halves its KL terms: its weight_rec equals β/2, its weight_neg·½ equals α on the hinge, and its
 * 0.5·weight_kl on the decoder's KL terms equals α there.
 */
public record IntroVaeWeights(float α, float β, float m) implements Objective {
  public IntroVaeWeights {
    if (!(α >= 0) || !(β > 0) || !(m >= 0)) {
      throw new IllegalArgumentException("need α ≥ 0, β > 0, m ≥ 0; got α=" + α + " β=" + β + " m=" + m);
    }
  }

  @Override
  public String name() {
    return INTROVAE;
  }
}
