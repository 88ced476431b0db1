package org.introvae.serving;

import java.util.Arrays;

/**
 * Which statistics the decoder's batch normalisation uses when it decodes prior samples. Training
 * normalises every batch by its own statistics; the moving averages it keeps come from decodes of
 * z ~ q(z|x), whose activations differ from those of z ~ N(0, I), so exports measure the decoder's
 * statistics over prior draws for sampling.
 */
public enum SampleNormalization {
  /**
   * The statistics stored in the model: measured on decodes of z ~ N(0, I) at export (the moving
   * averages in exports older than that). Deterministic per image, any batch size.
   */
  FIXED("fixed", Signatures.SAMPLE),
  /**
   * Each batch's own statistics, as in training and as the authors' FID code samples: an image depends
   * on the batch decoded with it.
   */
  BATCH_STATISTICS("batch", Signatures.SAMPLE_BATCH_STATISTICS);

  private final String label;
  private final String signature;

  SampleNormalization(String label, String signature) {
    this.label = label;
    this.signature = signature;
  }

  /** The command-line and JSON name. */
  public String label() {
    return label;
  }

  /** The SavedModel signature that samples this way. */
  public String signature() {
    return signature;
  }

  /** By {@link #label()}; a one-line IllegalArgumentException naming the choices otherwise. */
  public static SampleNormalization of(String label) {
    return Arrays.stream(values()).filter(v -> v.label.equals(label)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("'" + label + "' is not a sample normalisation (fixed or batch)"));
  }
}
