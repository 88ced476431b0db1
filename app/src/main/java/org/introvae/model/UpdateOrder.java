package org.introvae.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * When the decoder's loss is formed relative to the encoder's update within one training step.
 *
 * <p>{@link #ALTERNATING} is both papers' order (IntroVAE's Algorithm 1, the official Soft-IntroVAE
 * code): the encoder is updated first, then the generated images are encoded again by the updated
 * encoder for the decoder's loss. {@link #SIMULTANEOUS} takes both gradients on the same pre-update
 * weights, which lets one encoder pass per generated image serve both losses.
 */
public enum UpdateOrder {
  ALTERNATING("alternating"),
  SIMULTANEOUS("simultaneous");

  private final String label;

  UpdateOrder(String label) {
    this.label = label;
  }

  /** The name on the command line and in run files. */
  @JsonValue
  public String label() {
    return label;
  }

  @JsonCreator
  public static UpdateOrder byLabel(String label) {
    for (UpdateOrder o : values()) {
      if (o.label.equals(label)) {
        return o;
      }
    }
    throw new IllegalArgumentException("'" + label + "' is not alternating or simultaneous");
  }
}
