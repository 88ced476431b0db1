package org.introvae.model;

import java.util.ArrayList;
import java.util.List;
import org.introvae.model.Architecture.Dense;
import org.introvae.model.Architecture.Mode;
import org.introvae.model.Architecture.Parameters;
import org.introvae.model.Architecture.Posterior;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The Soft-IntroVAE paper's networks for 2-D densities: MLPs 2 → 256 → 256 → 256 → 256 → 2z (encoder)
 * and z → 256 ×4 → 2 (decoder), ReLU, no normalisation. Points travel as [n, 1, 1, 2] tensors so the
 * image losses apply unchanged (and Soft-IntroVAE's scale s = 1/(C·H·W) is the paper's 1/2).
 */
public final class ToyNetworks {
  public static final int HIDDEN = 256;
  public static final int LAYERS = 4;
  public static final int DIM = 2;

  private ToyNetworks() {}

  private static List<Dense> layers(Parameters p, int in, int out) {
    List<Dense> layers = new ArrayList<>();
    int width = in;
    for (int i = 0; i < LAYERS; i++) {
      layers.add(Dense.pytorchLinear(p, "fc" + (i + 1), width, HIDDEN));
      width = HIDDEN;
    }
    layers.add(Dense.pytorchLinear(p, "out", HIDDEN, out));
    return layers;
  }

  public static final class Encoder implements Architecture.EncoderNet {
    private final Parameters parameters;
    private final List<Dense> layers;

    private final int zDim;

    public Encoder(Ops tf, int zDim, long seed) {
      this(zDim, new Parameters(tf, "encoder", seed));
    }

    private Encoder(int zDim, Parameters parameters) {
      this.zDim = zDim;
      this.parameters = parameters;
      layers = layers(parameters, DIM, 2 * zDim);
    }

    @Override
    public Architecture.EncoderNet readingAfter(Ops tf, List<org.tensorflow.op.Op> updates) {
      return new Encoder(zDim, parameters.readingAfter(tf, updates));
    }

    @Override
    public Posterior apply(Ops tf, Operand<TFloat32> x, Mode mode) {
      return Posterior.of(tf, Dense.chain(tf, layers, tf.reshape(x, tf.constant(new long[] {-1, DIM})), false));
    }

    @Override
    public boolean samplesIndependent() {
      return true;
    }

    @Override
    public Parameters parameters() {
      return parameters;
    }
  }

  public static final class Decoder implements Architecture.DecoderNet {
    private final Parameters parameters;
    private final List<Dense> layers;

    public Decoder(Ops tf, int zDim, long seed) {
      parameters = new Parameters(tf, "decoder", seed);
      layers = layers(parameters, zDim, DIM);
    }

    @Override
    public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> z, Mode mode) {
      return tf.reshape(Dense.chain(tf, layers, z, false), tf.constant(new long[] {-1, 1, 1, DIM}));
    }

    @Override
    public boolean samplesIndependent() {
      return true;
    }

    @Override
    public Parameters parameters() {
      return parameters;
    }
  }

  /** A training graph of these MLPs for 2-D points, on the CPU. */
  public static TrainingGraph trainingGraph(int zDim, Objective objective, UpdateOrder order, float learningRate, int batch,
      long seed) {
    return trainingGraph(zDim, objective, order, learningRate, batch, seed, Placement.CPU);
  }

  /** A training graph of these MLPs for 2-D points, placed as {@code placement} says. */
  public static TrainingGraph trainingGraph(int zDim, Objective objective, UpdateOrder order, float learningRate, int batch,
      long seed, Placement placement) {
    return new TrainingGraph(null, new DataShape(1, 1, DIM), zDim, objective, order, learningRate, batch,
        tf -> new Encoder(tf, zDim, seed), tf -> new Decoder(tf, zDim, seed + 1), placement);
  }
}
