package org.introvae.model;

/** The plain VAE: both networks minimise L_REG(x) + β·L_AE(x, x_r) (the ELBO with a Gaussian decoder). */
public record VaeWeights(float β) implements Objective {
  public VaeWeights {
    if (!(β > 0)) {
      throw new IllegalArgumentException("need β > 0");
    }
  }

  @Override
  public String name() {
    return VAE;
  }
}
