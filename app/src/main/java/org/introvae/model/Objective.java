package org.introvae.model;

import java.util.List;
import java.util.function.Function;
import org.introvae.model.Architecture.EncoderNet;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * What a model is trained for: one class per objective owns its weights, their option names and
 * defaults, and how its losses are assembled over the {@link SharedPasses} of {@link TrainingGraph}.
 * The formulas themselves stay in {@link Losses}. A new objective is one class with a {@link Kind} plus
 * one line in {@link Objectives#ALL}.
 */
public interface Objective {
  /**
   * One loss weight: its option name (also its key in params.json and, with '_' for '-', in exported
   * facts), the paper's symbol, what it weighs, and whether 0 is allowed.
   */
  record Weight(String option, String symbol, String help, boolean zeroAllowed) {
    /** The one-line complaint about {@code value}, or null when it is allowed. */
    public String problem(float value) {
      boolean ok = Float.isFinite(value) && (zeroAllowed ? value >= 0 : value > 0);
      return ok ? null : symbol + " (--" + option + ") must be " + bound() + ", not " + value;
    }

    /** The allowed range, as error messages say it. */
    public String bound() {
      return zeroAllowed ? "≥ 0" : "> 0";
    }
  }

  /** An objective before it has weights: what the registry, the command lines and the exporter know of it. */
  record Kind(String name, String summary, List<Weight> weights, Function<Preset, Objective> presetDefaults,
      Function<float[], Objective> withWeights) {
    /** The objective with {@code values} in the order of {@link #weights()}; a bad value is an IllegalArgumentException. */
    public Objective of(float... values) {
      if (values.length != weights.size()) {
        throw new IllegalArgumentException(name + " takes " + weights.size() + " weights, not " + values.length);
      }
      for (int i = 0; i < values.length; i++) {
        String problem = weights.get(i).problem(values[i]);
        if (problem != null) {
          throw new IllegalArgumentException(problem);
        }
      }
      return withWeights.apply(values);
    }
  }

  Kind kind();

  /** The name used on the command line, in params.json, metrics and exported facts. */
  default String name() {
    return kind().name();
  }

  /** The weights' values, in the order of {@code kind().weights()}. */
  float[] weightValues();

  /** False when the objective has no game: every step trains both networks on {@link #warmUpLoss}. */
  default boolean adversarial() {
    return true;
  }

  /** The ELBO-type loss of the VAE warm-up, over the real images' passes (per batch, a scalar). */
  Operand<TFloat32> warmUpLoss(Ops tf, SharedPasses p);

  /**
   * The objective's losses over the shared passes. With {@code updated} null: the encoder's loss (and, in
   * the simultaneous order, the decoder's, whose part through the encoder's passes on ng(x_s) is given
   * apart for routing). With the encoder as it reads after its update (alternating order): the decoder's
   * loss only.
   */
  LossAssembly assemble(Ops tf, SharedPasses p, UpdateOrder order, EncoderNet updated);
}
