package org.introvae.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The residual convolutional encoder and decoder of IntroVAE / Soft-IntroVAE (NHWC).
 *
 * <p>Residual block(in→out): 3×3 conv → BN → LeakyReLU(0.2) → 3×3 conv → BN, added to the
 * shortcut (identity, or a 1×1 conv when in ≠ out), then LeakyReLU(0.2). The second BN sits before
 * the add, as in Soft-IntroVAE. Convolutions carry no bias (BN follows them) except the decoder's
 * output conv. The decoder has no output activation; images are clipped to [0,1] only for display.
 * Two layers are computed in an equivalent cheaper form: the decoder's upsampling is folded into the
 * convolutions that follow it, and its narrow image output conv runs mirrored (see {@link Conv}).
 *
 * <p>BatchNorm: in training passes the batch statistics are used; the moving averages (decay 0.9)
 * are updated only from real-data passes (encoder on x, decoder on z ~ q(z|x)) and are what
 * inference mode uses.
 */
public final class Architecture {
  private static final float LEAKY_SLOPE = 0.2f;
  private static final float BN_EPSILON = 1e-5f;
  private static final float BN_DECAY = 0.9f;
  /** Standard deviation of a normal truncated at ±2σ, to correct the initializers' scale. */
  private static final float TRUNCATED_STD = 0.87962566f;

  /** How a pass uses batch normalisation. */
  public enum Mode {
    /** Batch statistics; the pass also records moving-average updates (real-data passes). */
    TRAIN_RECORDING,
    /** Batch statistics, no moving-average updates (passes over generated images). */
    TRAIN,
    /** Moving statistics: deterministic, any batch size. */
    INFERENCE,
    /** Fixed statistics given to the network ({@link Parameters#calibrate}): deterministic, any batch size. */
    CALIBRATED
  }

  /** Per-channel mean and variance of one batch normalisation's input. */
  public record Moments(float[] mean, float[] variance) {}

  private Architecture() {}

  /**
   * Variables of one network; names are dotted and deterministic, so they are checkpoint keys. A view
   * ({@link #readingAfter}) builds the same layers over the same variables, reading them only after
   * given ops ran: the network as it is after its own update, within the same session call.
   */
  public static final class Parameters {
    private final Ops tf;
    private final String prefix;
    private final long seed;
    /** The parameters this view reads; null for the owner of the variables. */
    private final Parameters source;
    private final java.util.Map<String, Variable<TFloat32>> byName = new java.util.HashMap<>();
    private final List<Variable<TFloat32>> trainable = new ArrayList<>();
    private final List<Operand<TFloat32>> reads = new ArrayList<>();
    private final List<Variable<TFloat32>> statistics = new ArrayList<>();
    private final List<Op> movingAverageUpdates = new ArrayList<>();
    /** The batch moments of each batch normalisation's latest batch-statistics pass, by name. */
    private final java.util.Map<String, Operand<TFloat32>[]> batchMoments = new java.util.LinkedHashMap<>();
    private java.util.Map<String, Moments> calibration;

    Parameters(Ops tf, String prefix, long seed) {
      this(tf, prefix, seed, null);
    }

    private Parameters(Ops tf, String prefix, long seed, Parameters source) {
      this.tf = tf;
      this.prefix = prefix;
      this.seed = seed;
      this.source = source;
    }

    /** A view of these variables whose every read waits for {@code updates}. */
    Parameters readingAfter(Ops tf, List<Op> updates) {
      return new Parameters(tf.withControlDependencies(updates), prefix, seed, this);
    }

    public List<Variable<TFloat32>> trainable() {
      return trainable;
    }

    /** The operands the layers read the trainable variables through, in the same order. */
    public List<Operand<TFloat32>> reads() {
      return reads;
    }

    public List<Variable<TFloat32>> statistics() {
      return statistics;
    }

    /** Assignments making these variables (weights and statistics) equal to {@code source}'s, a network of the same shape. */
    List<Op> assignedFrom(Ops tf, Parameters source) {
      List<Op> copies = new ArrayList<>();
      List<Variable<TFloat32>> mine = new ArrayList<>(trainable);
      mine.addAll(statistics);
      List<Variable<TFloat32>> theirs = new ArrayList<>(source.trainable);
      theirs.addAll(source.statistics);
      if (mine.size() != theirs.size()) {
        throw new IllegalArgumentException(prefix + " and " + source.prefix + " differ in shape");
      }
      for (int i = 0; i < mine.size(); i++) {
        copies.add(tf.assign(mine.get(i), theirs.get(i)));
      }
      return copies;
    }

    /**
     * The batch mean and variance ({@code [mean, variance]}) of each batch normalisation in the latest
     * pass built with batch statistics, in the order the pass runs them.
     */
    public java.util.Map<String, Operand<TFloat32>[]> batchMoments() {
      return java.util.Collections.unmodifiableMap(batchMoments);
    }

    /** The statistics CALIBRATED passes normalise with, one entry per batch normalisation (by name). */
    public void calibrate(java.util.Map<String, Moments> statistics) {
      calibration = java.util.Map.copyOf(statistics);
    }

    /** Updates of the BN moving statistics recorded by TRAIN_RECORDING passes. */
    public List<Op> movingAverageUpdates() {
      return movingAverageUpdates;
    }

    /** Truncated-normal weight with the given standard deviation; each variable its own seed. */
    Operand<TFloat32> weight(String name, float stddev, long... shape) {
      return random(name, shape, (init, seeds) -> init.math.mul(
          init.random.statelessTruncatedNormal(init.constant(shape), seeds), init.constant(stddev / TRUNCATED_STD)));
    }

    /** {@code x} × c, a constant (an equalised layer's runtime scale); gradients reach x through it. */
    Operand<TFloat32> scaled(Operand<TFloat32> x, float c) {
      return c == 1f ? x : tf.math.mul(x, tf.constant(c));
    }

    /** Uniform on [−bound, bound]; each variable its own seed. */
    Operand<TFloat32> uniform(String name, float bound, long... shape) {
      return random(name, shape, (init, seeds) -> init.math.mul(init.math.sub(init.math.mul(
          init.random.statelessRandomUniform(init.constant(shape), seeds, TFloat32.class), init.constant(2f)),
          init.constant(1f)), init.constant(bound)));
    }

    /** A variable initialised from stateless random ops seeded by (network seed, variable index). */
    private Operand<TFloat32> random(String name, long[] shape,
        java.util.function.BiFunction<Ops, Operand<org.tensorflow.types.TInt64>, Operand<TFloat32>> initialValue) {
      if (source != null) {
        return read(source.existing(name));
      }
      Ops init = tf.withInitScope();
      long variableSeed = trainable.size() + statistics.size();
      return read(create(name, initialValue.apply(init, init.constant(new long[] {seed, variableSeed})), shape));
    }

    Operand<TFloat32> filled(String name, float value, long... shape) {
      return read(source != null ? source.existing(name) : create(name, fill(value, shape), shape));
    }

    Variable<TFloat32> statistic(String name, float value, long... shape) {
      Variable<TFloat32> v = source != null ? source.existing(name) : create(name, fill(value, shape), shape);
      statistics.add(v);
      return v;
    }

    private Variable<TFloat32> existing(String name) {
      Variable<TFloat32> v = byName.get(name);
      if (v == null) {
        throw new IllegalStateException("a view of " + prefix + " asked for " + name + ", which the network does not have");
      }
      return v;
    }

    private Operand<TFloat32> fill(float value, long... shape) {
      Ops init = tf.withInitScope();
      return init.fill(init.constant(shape), init.constant(value));
    }

    private Variable<TFloat32> create(String name, Operand<TFloat32> initialValue, long... shape) {
      String full = prefix + "." + name;
      Variable<TFloat32> v = tf.withInitScope().withName(full).variable(Shape.of(shape), TFloat32.class);
      tf.withInitScope().withName(full + ".init").assign(v, initialValue);
      byName.put(name, v);
      return v;
    }

    // Reading through Identity: Square etc. applied to a VariableV2 output crashes gradient building.
    private Operand<TFloat32> read(Variable<TFloat32> v) {
      trainable.add(v);
      Operand<TFloat32> read = tf.identity(v);
      reads.add(read);
      return read;
    }
  }

  /**
   * Standard deviation of PyTorch's default layer initialisation (uniform ±1/√fan_in), which the
   * official codes use for every layer. He initialisation (√(2/fan_in), 2.4× larger) of the
   * convolutions made 700-step runs' samples high-frequency noise even for the plain VAE, and the
   * first reconstructions of the output layer ~10× too loud.
   */
  static float pytorchDefaultStd(int fanIn) {
    return (float) (1.0 / Math.sqrt(3.0 * fanIn));
  }

  /** 2-D convolution, stride 1, SAME padding, PyTorch's default initialisation. */
  static final class Conv {
    /** An image output layer with fewer channels than this is computed in its mirrored form. */
    private static final int NARROW_OUTPUT = 8;
    private static final List<Long> STRIDES = Arrays.asList(1L, 1L, 1L, 1L);
    private static final List<Long> STRIDES_2 = Arrays.asList(1L, 2L, 2L, 1L);

    private final Operand<TFloat32> kernel;
    private final Operand<TFloat32> bias;
    private final int out;
    private final boolean mirror;
    /** The kernel rearranged for the mirrored or folded form: built once, shared by every pass. */
    private Operand<TFloat32> rearranged;

    Conv(Parameters p, String name, int size, int in, int out, boolean isOutput) {
      this(p.weight(name + ".w", pytorchDefaultStd(size * size * in), size, size, in, out),
          isOutput ? p.filled(name + ".b", 0f, out) : null, out, isOutput);
    }

    private Conv(Operand<TFloat32> kernel, Operand<TFloat32> bias, int out, boolean isOutput) {
      this.kernel = kernel;
      this.bias = bias;
      this.out = out;
      this.mirror = isOutput && out < NARROW_OUTPUT;
    }

    /**
     * With an equalised learning rate (ProGAN; ALAE's lreq.Conv2d): the variable is N(0, 1) and the layer
     * uses it × gain/√fan_in, so Adam's steps, about lr in the variable, change every layer's weights by
     * the same fraction of their scale.
     */
    static Conv equalized(Parameters p, String name, int size, int in, int out, boolean isOutput, float gain) {
      return new Conv(p.scaled(p.weight(name + ".w", 1f, size, size, in, out), (float) (gain / Math.sqrt(size * size * in))),
          isOutput ? p.filled(name + ".b", 0f, out) : null, out, isOutput);
    }

    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
      Operand<TFloat32> y = mirror ? mirrored(tf, x) : tf.nn.conv2d(x, kernel, STRIDES, "SAME");
      return bias == null ? y : tf.nn.biasAdd(y, bias);
    }

    /**
     * This convolution of x upsampled 2× (nearest), without forming the upsampled map. Neighbouring
     * pixels of that map are copies, so a k×k kernel over it touches only (k+1)/2 distinct source
     * rows per output row: the whole layer is one stride-2 transposed convolution of x with a
     * (k+1)×(k+1) kernel, W[t] = K'[t] + K'[t−1] per axis (K' the kernel flipped, zero outside), at
     * 4/9 of the multiply-adds for k = 3. A 1×1 kernel commutes with the upsampling, so it runs on x.
     * Same variable, same function: checkpoints are unaffected.
     */
    Operand<TFloat32> applyToUpsampled(Ops tf, Operand<TFloat32> x) {
      if (mirror || bias != null) {
        throw new IllegalStateException("only hidden convolutions are applied to upsampled maps");
      }
      if (rearranged == null && kernel.shape().get(0) > 1) {
        rearranged = foldedFilter(tf, kernel);
      }
      return convolveUpsampled(tf, x, kernel, rearranged);
    }

    /**
     * The same correlation, computed as the input gradient of the mirrored convolution (kernel flipped
     * in space, input and output channels swapped). oneDNN vectorises a forward convolution over its
     * output channels, so with the image's 1 or 3 most lanes idle; this form vectorises over the 64
     * input channels. Measured 1.5× (1 channel) to 2× (3 channels) faster for the 5×5 image output,
     * forward plus both gradients. Same variable, same function: checkpoints are unaffected.
     */
    private Operand<TFloat32> mirrored(Ops tf, Operand<TFloat32> x) {
      if (rearranged == null) {
        rearranged = tf.reverse(tf.linalg.transpose(kernel, tf.constant(new int[] {0, 1, 3, 2})),
            tf.constant(new int[] {0, 1}));
      }
      Operand<TInt32> outputShape = tf.concat(List.of(
          tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {3})), tf.constant(new int[] {out})),
          tf.constant(0));
      return tf.nn.conv2dBackpropInput(outputShape, rearranged, x, STRIDES, "SAME");
    }
  }

  static final class BatchNorm {
    private final String name;
    private final Operand<TFloat32> gamma;
    private final Operand<TFloat32> beta;
    private final Variable<TFloat32> movingMean;
    private final Variable<TFloat32> movingVariance;
    private final Parameters owner;

    BatchNorm(Parameters p, String name, int channels) {
      owner = p;
      this.name = name;
      gamma = p.filled(name + ".gamma", 1f, channels);
      beta = p.filled(name + ".beta", 0f, channels);
      movingMean = p.statistic(name + ".moving_mean", 0f, channels);
      movingVariance = p.statistic(name + ".moving_variance", 1f, channels);
    }

    @SuppressWarnings("unchecked")
    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, Mode mode) {
      if (mode == Mode.INFERENCE) {
        return normalized(tf, x, tf.identity(movingMean), tf.identity(movingVariance));
      }
      if (mode == Mode.CALIBRATED) {
        Moments m = owner.calibration == null ? null : owner.calibration.get(name);
        if (m == null) {
          throw new IllegalStateException("no calibrated statistics for " + name);
        }
        return normalized(tf, x, tf.constant(m.mean()), tf.constant(m.variance()));
      }
      Operand<TFloat32> empty = tf.constant(new float[0]);
      FusedBatchNorm<TFloat32, TFloat32> bn = tf.nn.fusedBatchNorm(x, gamma, beta, empty, empty,
          FusedBatchNorm.isTraining(true), FusedBatchNorm.epsilon(BN_EPSILON));
      owner.batchMoments.put(name, new Operand[] {bn.batchMean(), bn.batchVariance()});
      if (mode == Mode.TRAIN_RECORDING) {
        Operand<TFloat32> rate = tf.constant(1f - BN_DECAY);
        owner.movingAverageUpdates.add(tf.assignSub(movingMean,
            tf.math.mul(rate, tf.math.sub(movingMean, tf.stopGradient(bn.batchMean())))));
        owner.movingAverageUpdates.add(tf.assignSub(movingVariance,
            tf.math.mul(rate, tf.math.sub(movingVariance, tf.stopGradient(bn.batchVariance())))));
      }
      return bn.y();
    }

    private Operand<TFloat32> normalized(Ops tf, Operand<TFloat32> x, Operand<TFloat32> mean, Operand<TFloat32> variance) {
      return tf.nn.fusedBatchNorm(x, gamma, beta, mean, variance, FusedBatchNorm.isTraining(false),
          FusedBatchNorm.epsilon(BN_EPSILON)).y();
    }
  }

  /** Fully connected layer with bias. */
  static final class Dense {
    private final Operand<TFloat32> w;
    private final Operand<TFloat32> b;

    Dense(Parameters p, String name, int in, int out) {
      this(p.weight(name + ".w", pytorchDefaultStd(in), in, out), p.filled(name + ".b", 0f, out));
    }

    private Dense(Operand<TFloat32> w, Operand<TFloat32> b) {
      this.w = w;
      this.b = b;
    }

    /**
     * With an equalised learning rate and a learning-rate multiplier (ALAE's lreq.Linear): the weight
     * variable is N(0, 1/lrMul) used × gain/√in·lrMul, the bias used × lrMul; lrMul < 1 slows a layer's
     * learning (the mapping networks').
     */
    static Dense equalized(Parameters p, String name, int in, int out, float gain, float lrMul) {
      return new Dense(p.scaled(p.weight(name + ".w", 1f / lrMul, in, out), (float) (gain / Math.sqrt(in) * lrMul)),
          p.scaled(p.filled(name + ".b", 0f, out), lrMul));
    }

    /**
     * PyTorch's nn.Linear exactly: weight and bias uniform on ±1/√fan_in. For the 2-D MLPs the bias
     * matters: with zero biases every first-layer ReLU boundary passes through the origin and the
     * network starts positively homogeneous (f(cx) = c·f(x)), a poor start for radial densities such
     * as rings. (The image networks keep the initialisation their measured figures come from.)
     */
    static Dense pytorchLinear(Parameters p, String name, int in, int out) {
      float bound = (float) (1 / Math.sqrt(in));
      return new Dense(p.uniform(name + ".w", bound, in, out), p.uniform(name + ".b", bound, out));
    }

    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
      return tf.nn.biasAdd(tf.linalg.matMul(x, w), b);
    }

    /** An MLP: the layers in turn, ReLU between them (and after the last when {@code reluAfterLast}). */
    static Operand<TFloat32> chain(Ops tf, List<Dense> layers, Operand<TFloat32> x, boolean reluAfterLast) {
      Operand<TFloat32> h = x;
      for (int i = 0; i < layers.size(); i++) {
        h = layers.get(i).apply(tf, h);
        if (reluAfterLast || i < layers.size() - 1) {
          h = tf.nn.relu(h);
        }
      }
      return h;
    }
  }

  static final class ResidualBlock {
    private final Conv conv1;
    private final BatchNorm bn1;
    private final Conv conv2;
    private final BatchNorm bn2;
    private final Conv projection;

    ResidualBlock(Parameters p, String name, int in, int out) {
      conv1 = new Conv(p, name + ".conv1", 3, in, out, false);
      bn1 = new BatchNorm(p, name + ".bn1", out);
      conv2 = new Conv(p, name + ".conv2", 3, out, out, false);
      bn2 = new BatchNorm(p, name + ".bn2", out);
      projection = in == out ? null : new Conv(p, name + ".shortcut", 1, in, out, false);
    }

    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, Mode mode) {
      return apply(tf, x, mode, false);
    }

    /** The block on x, or on x upsampled 2× (nearest) when {@code upsampled}. */
    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, Mode mode, boolean upsampled) {
      return apply(tf, x, mode, upsampled, null);
    }

    /**
     * As above, the residual branch's normalised features modulated per image and channel by
     * {@code gammaBeta} = [γ, β] (null: not), h·(1 + tanh γ) + β, as conditional batch norm does.
     */
    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, Mode mode, boolean upsampled, Operand<TFloat32> gammaBeta) {
      Operand<TFloat32> h1 = upsampled ? conv1.applyToUpsampled(tf, x) : conv1.apply(tf, x);
      Operand<TFloat32> h = leaky(tf, bn1.apply(tf, h1, mode));
      h = bn2.apply(tf, conv2.apply(tf, h), mode);
      if (gammaBeta != null) {
        h = modulated(tf, h, gammaBeta);
      }
      Operand<TFloat32> shortcut;
      if (projection != null) {
        shortcut = upsampled ? projection.applyToUpsampled(tf, x) : projection.apply(tf, x);
      } else {
        shortcut = upsampled ? upsample(tf, x) : x;
      }
      return leaky(tf, tf.math.add(h, shortcut));
    }
  }

  /**
   * conv2d(upsample(x), kernel) (SAME, stride 1, nearest 2× upsampling) without forming the upsampled
   * map; see {@link Conv#applyToUpsampled}.
   */
  public static Operand<TFloat32> convolveUpsampled(Ops tf, Operand<TFloat32> x, Operand<TFloat32> kernel) {
    return convolveUpsampled(tf, x, kernel, kernel.shape().get(0) == 1 ? null : foldedFilter(tf, kernel));
  }

  /** With the folded filter already built ({@code null} for a 1×1 kernel, which needs none). */
  private static Operand<TFloat32> convolveUpsampled(Ops tf, Operand<TFloat32> x, Operand<TFloat32> kernel,
      Operand<TFloat32> folded) {
    if (folded == null) {
      return upsample(tf, tf.nn.conv2d(x, kernel, Conv.STRIDES, "SAME"));
    }
    int out = (int) kernel.shape().get(3);
    return tf.nn.conv2dBackpropInput(upsampledShape(tf, x, out), folded, x, Conv.STRIDES_2, "SAME");
  }

  /** The (k+1)×(k+1) stride-2 transposed-convolution filter equivalent to kernel over an upsampled map. */
  private static Operand<TFloat32> foldedFilter(Ops tf, Operand<TFloat32> kernel) {
    Operand<TFloat32> flipped = tf.reverse(kernel, tf.constant(new int[] {0, 1}));
    Operand<TFloat32> merged = null;
    for (int dy = 0; dy < 2; dy++) {
      for (int dx = 0; dx < 2; dx++) {
        Operand<TFloat32> shifted = tf.pad(flipped,
            tf.constant(new int[][] {{dy, 1 - dy}, {dx, 1 - dx}, {0, 0}, {0, 0}}), tf.constant(0f));
        merged = merged == null ? shifted : tf.math.add(merged, shifted);
      }
    }
    // conv2dBackpropInput's filter maps the large map's channels (out) to x's (in).
    return tf.linalg.transpose(merged, tf.constant(new int[] {0, 1, 3, 2}));
  }

  /** Nearest-neighbour 2× upsampling. */
  public static Operand<TFloat32> upsample(Ops tf, Operand<TFloat32> x) {
    return tf.image.resizeNearestNeighbor(x, tf.constant(upsampledSide(x)));
  }

  /** [batch, 2h, 2w, channels] for x of shape [batch, h, w, ·]. */
  private static Operand<TInt32> upsampledShape(Ops tf, Operand<TFloat32> x, int channels) {
    int[] side = upsampledSide(x);
    Operand<TInt32> batch = tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    return tf.concat(List.of(batch, tf.constant(new int[] {side[0], side[1], channels})), tf.constant(0));
  }

  /** The graph's maps have static sizes (only the batch varies): constants, no shape ops per call. */
  private static int[] upsampledSide(Operand<TFloat32> x) {
    long h = x.shape().get(1);
    long w = x.shape().get(2);
    if (h <= 0 || w <= 0) {
      throw new IllegalArgumentException("upsampling needs a static height and width, got " + x.shape());
    }
    return new int[] {(int) (2 * h), (int) (2 * w)};
  }

  static Operand<TFloat32> leaky(Ops tf, Operand<TFloat32> x) {
    return tf.nn.leakyRelu(x, org.tensorflow.op.nn.LeakyRelu.alpha(LEAKY_SLOPE));
  }

  /**
   * (μ, log σ²) of q(z|x), and how much each dimension's KL counts in L_REG ({@code klWeights}, a [z]
   * vector; null: every dimension counts once).
   */
  public record Posterior(Operand<TFloat32> mu, Operand<TFloat32> logvar, Operand<TFloat32> klWeights) {
    public Posterior(Operand<TFloat32> mu, Operand<TFloat32> logvar) {
      this(mu, logvar, null);
    }

    /** Splits an encoder head of width 2z into μ and log σ². */
    static Posterior of(Ops tf, Operand<TFloat32> head) {
      List<Output<TFloat32>> halves = tf.split(tf.constant(1), head, 2L).output();
      return new Posterior(halves.get(0), halves.get(1));
    }
  }

  /** E: images (or points) → q(z|x). Applying it again reuses its variables. */
  public interface EncoderNet {
    Posterior apply(Ops tf, Operand<TFloat32> x, Mode mode);

    /**
     * E over a training step's real images, whose posterior the reconstruction and L_REG use; a network
     * may read them differently from generated ones (the translation model's pairs).
     */
    default Posterior applyToRealImages(Ops tf, Operand<TFloat32> x, Mode mode) {
      return apply(tf, x, mode);
    }

    Parameters parameters();

    /** The same network over the same variables, read only after {@code updates} ran. */
    EncoderNet readingAfter(Ops tf, List<Op> updates);

    /** Whether each sample's output depends on that sample alone (no batch norm), so batches may be stacked. */
    default boolean samplesIndependent() {
      return false;
    }
  }

  /** D: latents → images (or points). */
  public interface DecoderNet {
    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> z, Mode mode);

    Parameters parameters();

    /** How its outputs are compared with the originals they reconstruct. */
    default ReconstructionError reconstructionError() {
      return ReconstructionError.SQUARED_ERROR;
    }

    /** Whether each sample's output depends on that sample alone (no batch norm), so batches may be stacked. */
    default boolean samplesIndependent() {
      return false;
    }
  }

  /** E: 5×5 stem + BN + LeakyReLU + pool, then (residual block + pool) per further width, a last block, FC → 2z. */
  public static final class Encoder implements EncoderNet {
    private final ModelConfig config;
    private final Parameters parameters;
    private final Conv stem;
    private final BatchNorm stemNorm;
    private final List<ResidualBlock> blocks = new ArrayList<>();
    private final Dense head;

    public Encoder(Ops tf, ModelConfig config, long seed) {
      this(config, new Parameters(tf, "encoder", seed), "");
    }

    /** An encoder whose layers are named {@code names}stem.conv, … among {@code parameters} (one of several sharing them). */
    Encoder(ModelConfig config, Parameters parameters, String names) {
      this.config = config;
      this.parameters = parameters;
      this.names = names;
      int[] w = config.widths();
      stem = new Conv(parameters, names + "stem.conv", 5, config.imageChannels(), w[0], false);
      stemNorm = new BatchNorm(parameters, names + "stem.bn", w[0]);
      for (int i = 1; i < w.length; i++) {
        blocks.add(new ResidualBlock(parameters, names + "res" + i, w[i - 1], w[i]));
      }
      blocks.add(new ResidualBlock(parameters, names + "res" + w.length, config.lastWidth(), config.lastWidth()));
      int flat = config.finalSize() * config.finalSize() * config.lastWidth();
      head = new Dense(parameters, names + "fc", flat, 2 * config.zDim());
    }

    private final String names;

    @Override
    public Parameters parameters() {
      return parameters;
    }

    @Override
    public EncoderNet readingAfter(Ops tf, List<Op> updates) {
      return new Encoder(config, parameters.readingAfter(tf, updates), names);
    }

    @Override
    public Posterior apply(Ops tf, Operand<TFloat32> x, Mode mode) {
      Operand<TFloat32> h = pool(tf, leaky(tf, stemNorm.apply(tf, stem.apply(tf, x), mode)));
      for (int i = 0; i < blocks.size(); i++) {
        h = blocks.get(i).apply(tf, h, mode);
        if (i < blocks.size() - 1) {
          h = pool(tf, h);
        }
      }
      int flat = config.finalSize() * config.finalSize() * config.lastWidth();
      return Posterior.of(tf, head.apply(tf, tf.reshape(h, tf.constant(new long[] {-1, flat}))));
    }

    static Operand<TFloat32> pool(Ops tf, Operand<TFloat32> x) {
      return tf.nn.avgPool(x, Arrays.asList(1L, 2L, 2L, 1L), Arrays.asList(1L, 2L, 2L, 1L), "VALID");
    }
  }

  /** D: FC + ReLU to the smallest map, then (residual block + 2× nearest upsampling) per width in reverse, a last block, 5×5 conv. */
  public static final class Decoder implements DecoderNet {
    private final ModelConfig config;
    private final Parameters parameters;
    private final Dense head;
    private final List<ResidualBlock> blocks = new ArrayList<>();
    private final Conv output;
    private final boolean foldUpsampling;
    private final int styleZ;
    private final List<Dense> modulations = new ArrayList<>();

    /** The training decoder: each upsampling folded into the convolutions after it. */
    public Decoder(Ops tf, ModelConfig config, long seed) {
      this(tf, config, seed, true);
    }

    /**
     * @param foldUpsampling whether to fold each upsampling into the convolutions after it. Folding
     *     wins from small batches up (training), but its kernels are rebuilt from the variables by a
     *     dozen small ops per call: at batch 1 that cost 0.3 ms of a 1.4 ms decode, so the served
     *     graph keeps the plain form.
     */
    public Decoder(Ops tf, ModelConfig config, long seed, boolean foldUpsampling) {
      this(tf, config, seed, foldUpsampling, "decoder");
    }

    /** A decoder whose variables are named {@code prefix.…} (the bootstrap's target decoder beside the decoder). */
    public Decoder(Ops tf, ModelConfig config, long seed, boolean foldUpsampling, String prefix) {
      this(tf, config, seed, foldUpsampling, prefix, 0);
    }

    /**
     * With {@code styleZ} &gt; 0 the first styleZ dimensions of z (the translation model's class code)
     * do not enter the head: the head reads the rest, and the styleZ dimensions set a per-channel scale
     * and shift of each block's normalised residual features, h·(1 + tanh γ(z_style)) + β(z_style) —
     * conditional batch norm, as LORD's generator reads its class code through adaptive instance
     * normalisation. The scale is bounded to (0, 2) and the shortcut carries the block's input
     * unmodulated: modulating the blocks' outputs instead (unbounded, then bounded) let training diverge
     * on both data sets (L_AE 3·10⁴ and 850 by step 300).
     */
    public Decoder(Ops tf, ModelConfig config, long seed, boolean foldUpsampling, String prefix, int styleZ) {
      if (styleZ < 0 || styleZ >= config.zDim()) {
        throw new IllegalArgumentException("the modulating code needs 0 to z − 1 = " + (config.zDim() - 1)
            + " dimensions, not " + styleZ);
      }
      this.config = config;
      this.foldUpsampling = foldUpsampling;
      this.styleZ = styleZ;
      parameters = new Parameters(tf, prefix, seed);
      int s = config.finalSize();
      head = new Dense(parameters, "fc", config.zDim() - styleZ, s * s * config.lastWidth());
      int[] w = config.widths();
      int in = config.lastWidth();
      for (int i = w.length - 1; i >= 0; i--) {
        addBlock("res" + (w.length - i), in, w[i]);
        in = w[i];
      }
      addBlock("res" + (w.length + 1), w[0], w[0]);
      output = new Conv(parameters, "out.conv", 5, w[0], config.imageChannels(), true);
    }

    private void addBlock(String name, int in, int out) {
      blocks.add(new ResidualBlock(parameters, name, in, out));
      if (styleZ > 0) {
        modulations.add(new Dense(parameters, name + ".style", styleZ, 2 * out));  // [γ, β]
      }
    }

    @Override
    public Parameters parameters() {
      return parameters;
    }

    @Override
    public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> z, Mode mode) {
      int s = config.finalSize();
      Operand<TFloat32> style = styleZ == 0 ? null : columns(tf, z, 0, styleZ);
      Operand<TFloat32> h = tf.nn.relu(head.apply(tf, styleZ == 0 ? z : columns(tf, z, styleZ, config.zDim() - styleZ)));
      h = tf.reshape(h, tf.constant(new long[] {-1, s, s, config.lastWidth()}));
      // Every block after the first runs on its input upsampled 2×.
      for (int i = 0; i < blocks.size(); i++) {
        boolean upsampled = i > 0;
        if (upsampled && !foldUpsampling) {
          h = upsample(tf, h);
          upsampled = false;
        }
        h = blocks.get(i).apply(tf, h, mode, upsampled, style == null ? null : modulations.get(i).apply(tf, style));
      }
      return output.apply(tf, h);
    }
  }

  /** h·(1 + tanh γ) + β per image and channel of h [batch, h, w, c], [γ, β] a [batch, 2c] matrix. */
  static Operand<TFloat32> modulated(Ops tf, Operand<TFloat32> h, Operand<TFloat32> gammaBeta) {
    long channels = h.shape().get(3);
    Operand<TFloat32> gamma = tf.reshape(columns(tf, gammaBeta, 0, (int) channels), tf.constant(new long[] {-1, 1, 1, channels}));
    Operand<TFloat32> beta = tf.reshape(columns(tf, gammaBeta, (int) channels, (int) channels),
        tf.constant(new long[] {-1, 1, 1, channels}));
    return tf.math.add(tf.math.mul(h, tf.math.add(tf.math.tanh(gamma), tf.constant(1f))), beta);
  }

  /** Columns from .. from + count of a [batch, n] matrix. */
  static Operand<TFloat32> columns(Ops tf, Operand<TFloat32> m, int from, int count) {
    return tf.slice(m, tf.constant(new int[] {0, from}), tf.constant(new int[] {-1, count}));
  }
}
