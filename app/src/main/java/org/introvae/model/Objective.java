package org.introvae.model;

/** What a model is trained for: IntroVAE's hinge game, Soft-IntroVAE's exponential one, or the plain VAE. */
public sealed interface Objective permits IntroVaeWeights, SoftIntroVaeWeights, VaeWeights {
  /** The name used on the command line and in run files: introvae, soft or vae. */
  String name();

  static String names() {
    return "introvae, soft, vae";
  }
}
