package org.introvae.train;

/** The values one training step reports (batch means). */
public record StepLosses(float lossE, float lossG, float reconstruction, float klReal, float klReconstructed,
    float klSampled) {

  /** The name of the first non-finite value, or null when all are finite. */
  public String firstNonFinite() {
    String[] names = {"L_E", "L_G", "L_AE", "KL(real)", "KL(reconstructed)", "KL(sampled)"};
    float[] values = {lossE, lossG, reconstruction, klReal, klReconstructed, klSampled};
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        return names[i] + " = " + values[i];
      }
    }
    return null;
  }
}
