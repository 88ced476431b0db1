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

  /** The values by the names metrics.csv uses, for TensorBoard. */
  public java.util.Map<String, Float> named() {
    java.util.Map<String, Float> m = new java.util.LinkedHashMap<>();
    m.put("L_E", lossE);
    m.put("L_G", lossG);
    m.put("L_AE", reconstruction);
    m.put("kl_real", klReal);
    m.put("kl_reconstructed", klReconstructed);
    m.put("kl_sampled", klSampled);
    m.put("exp_elbo_reconstructed", expElboReconstructed);
    m.put("exp_elbo_sampled", expElboSampled);
    return m;
  }

  /** Soft-IntroVAE's sign of trouble: generated images look more real to the encoder than real ones. */
  public boolean fakeKlBelowReal() {
    return Math.min(klReconstructed, klSampled) < klReal;
  }
}
