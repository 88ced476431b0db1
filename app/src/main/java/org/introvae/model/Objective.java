package org.introvae.model;

import java.util.List;

/** What a model is trained for: IntroVAE's hinge game, Soft-IntroVAE's exponential one, or the plain VAE. */
public sealed interface Objective permits IntroVaeWeights, SoftIntroVaeWeights, VaeWeights {
  /** The names used on the command line, in params.json, metrics and exported facts: defined here only. */
  String INTROVAE = "introvae";
  String SOFT = "soft";
  String VAE = "vae";
  List<String> NAMES = List.of(INTROVAE, SOFT, VAE);

  /** One of {@link #NAMES}. */
  String name();

  static String names() {
    return String.join(", ", NAMES);
  }
}
