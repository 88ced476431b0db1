package org.introvae.model;

/**
 * The values one training step reports (batch means). A warm-up step that did not measure the
 * generated images reports their KLs and expELBOs as NaN ({@link #measuredGenerated()} is false).
 */
public record StepLosses(float lossE, float lossG, float reconstruction, float klReal, float klReconstructed,
    float klSampled, float expElboReconstructed, float expElboSampled) {

  /** Whether the KLs and expELBOs of the step's reconstructions and samples were computed. */
  public boolean measuredGenerated() {
    return !Float.isNaN(klReconstructed);
  }

  /** The name of the first non-finite value measured, or null when all are finite. */
  public String firstNonFinite() {
    String[] names = {"L_E", "L_G", "L_AE", "KL(real)", "KL(reconstructed)", "KL(sampled)", "expELBO(reconstructed)",
        "expELBO(sampled)"};
    float[] values = {lossE, lossG, reconstruction, klReal, klReconstructed, klSampled, expElboReconstructed,
        expElboSampled};
    int measured = measuredGenerated() ? values.length : 4;
    for (int i = 0; i < measured; i++) {
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
