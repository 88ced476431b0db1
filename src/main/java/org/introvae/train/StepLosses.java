package org.introvae.train;

/** The values one training step reports (batch means). */
public record StepLosses(float lossE, float lossG, float reconstruction, float klReal, float klReconstructed,
    float klSampled, float expElboReconstructed, float expElboSampled) {

  /** The name of the first non-finite value, or null when all are finite. */
  public String firstNonFinite() {
    String[] names = {"L_E", "L_G", "L_AE", "KL(real)", "KL(reconstructed)", "KL(sampled)", "expELBO(reconstructed)",
        "expELBO(sampled)"};
    float[] values = {lossE, lossG, reconstruction, klReal, klReconstructed, klSampled, expElboReconstructed,
        expElboSampled};
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        return names[i] + " = " + values[i];
      }
    }
    return null;
  }

  /** Soft-IntroVAE's sign of trouble: generated images look more real to the encoder than real ones. */
  public boolean fakeKlBelowReal() {
    return Math.min(klReconstructed, klSampled) < klReal;
  }
}
