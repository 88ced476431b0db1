package org.introvae.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import org.introvae.model.Architecture.DecoderNet;
import org.introvae.model.Architecture.EncoderNet;
import org.tensorflow.op.Ops;

/** Which networks an image model uses; both work under every objective and update order. */
public enum ImageArchitecture {
  /** Both papers' residual convolutional networks with batch normalisation ({@link Architecture}). */
  RESIDUAL("residual"),
  /** The style-based networks of the Soft-IntroVAE paper's FFHQ/CelebA-HQ model ({@link StyleNetworks}). */
  STYLE("style"),
  /**
   * The same networks trained as the official code trains them (ALAE's recipe): equalised learning
   * rates (mapping networks ×0.1), a [1 2 1]² blur at every resampling, Adam with β₁ 0 and β₂ 0.99.
   */
  STYLE_ALAE("style-alae");

  private final String label;

  ImageArchitecture(String label) {
    this.label = label;
  }

  /** The name on the command line and in run files. */
  @JsonValue
  public String label() {
    return label;
  }

  @JsonCreator
  public static ImageArchitecture byLabel(String label) {
    for (ImageArchitecture a : values()) {
      if (a.label.equals(label)) {
        return a;
      }
    }
    throw new IllegalArgumentException("'" + label + "' is not residual, style or style-alae");
  }

  /** Whether the networks are the style-based ones (styles, mixing, truncation). */
  public boolean styleBased() {
    return this != RESIDUAL;
  }

  /** Whether layers have equalised learning rates and resampling is blurred ({@link #STYLE_ALAE}). */
  public boolean alae() {
    return this == STYLE_ALAE;
  }

  /** Adam's (β₁, β₂) for both networks: PyTorch's defaults, as both papers' codes, or ALAE's (0, 0.99). */
  public float[] adamBetas() {
    return alae() ? new float[] {0f, 0.99f} : new float[] {0.9f, 0.999f};
  }

  /** Whether the networks normalise by batch statistics (and keep moving averages for inference). */
  public boolean batchNormalized() {
    return this == RESIDUAL;
  }

  public EncoderNet encoder(Ops tf, ModelConfig config, long seed) {
    return styleBased() ? new StyleNetworks.Encoder(tf, config, seed) : new Architecture.Encoder(tf, config, seed);
  }

  /**
   * A decoder whose variables are named {@code prefix.…}; {@code foldUpsampling} chooses the residual
   * decoder's training form (see {@link Architecture.Decoder}).
   */
  public DecoderNet decoder(Ops tf, ModelConfig config, long seed, boolean foldUpsampling, String prefix) {
    return styleBased() ? new StyleNetworks.Decoder(tf, config, seed, prefix)
        : new Architecture.Decoder(tf, config, seed, foldUpsampling, prefix);
  }
}
