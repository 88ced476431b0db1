package org.introvae.model;

/**
 * Soft-IntroVAE's weights (Daniel & Tamar 2021): β_kl on the real images' KL, β_rec on reconstruction
 * errors, β_neg on the generated images' KL inside the expELBO, γ_r on the decoder's
 * re-reconstruction term (1e-8 in all the authors' image experiments).
 */
public record SoftIntroVaeWeights(float β_kl, float β_rec, float β_neg, float γ_r) implements Objective {
  public SoftIntroVaeWeights {
    if (!(β_kl > 0) || !(β_rec > 0) || !(β_neg > 0) || !(γ_r >= 0)) {
      throw new IllegalArgumentException("need β_kl, β_rec, β_neg > 0 and γ_r ≥ 0");
    }
  }

  @Override
  public String name() {
    return SOFT;
  }
}
