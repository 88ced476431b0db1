package org.introvae.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.introvae.model.Architecture.Conv;
import org.introvae.model.Architecture.DecoderNet;
import org.introvae.model.Architecture.Dense;
import org.introvae.model.Architecture.EncoderNet;
import org.introvae.model.Architecture.Mode;
import org.introvae.model.Architecture.Parameters;
import org.introvae.model.Architecture.Posterior;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.random.RandomStandardNormal;
import org.tensorflow.types.TFloat32;

/**
 * The style-based networks of the Soft-IntroVAE paper's FFHQ/CelebA-HQ model (its code adapts ALAE):
 *
 * <p>D: a mapping network F turns z into a style w; synthesis starts from a learned constant at the
 * smallest map and at every resolution runs two 3×3 convolutions, each followed by per-pixel noise
 * (a learned strength per channel), bias, LeakyReLU(0.2), instance normalisation and the style
 * modulation AdaIN(x, w) = x·(1 + y_s(w)) + y_b(w); a 1×1 convolution makes the image.
 *
 * <p>E mirrors it: a 1×1 convolution from the image, then per resolution two 3×3 convolutions, each
 * followed by LeakyReLU; the mean and standard deviation of every channel (the statistics instance
 * normalisation removes) are mapped linearly to w-sized contributions, and at the smallest map a dense
 * layer over the whole map adds one more; their sum is the image's style, and a second mapping network
 * turns it into (μ, log σ²).
 *
 * <p>Resolutions and channels follow the preset as the residual networks do: the smallest map is
 * {@link ModelConfig#finalSize()}, one doubling per entry of the widths, the widest channels at the
 * smallest map. Style mixing trains through {@link StyleMixing}, truncation is an export's
 * ({@link StyleTruncation}). {@link ImageArchitecture#STYLE_ALAE} builds the layers with ALAE's
 * equalised learning rates and gains and blurs at every resampling ({@link Layers}). Growing networks
 * ({@link ModelConfig#progressive()}) add a 1×1 image layer at every smaller resolution in both networks
 * and read the growth g from a variable of each network, which the trainer sets ({@link Growth}); an
 * export decodes at the growth its checkpoint reached.
 *
 * <p>Noise inputs: training passes draw fresh noise per sample; inference passes add one fixed noise
 * map shared by the batch (the official "batch_constant" mode), so a served model maps the same z to
 * the same image wherever it sits in a batch.
 */
public final class StyleNetworks {
  static final float ENCODER_NORM_EPSILON = 1e-5f;   // nn.InstanceNorm2d's default, the official encoder's
  static final float DECODER_NORM_EPSILON = 1e-8f;   // the official decoder's
  static final int DECODER_MAPPING_LAYERS = 3;
  static final int ENCODER_MAPPING_LAYERS = 3;
  /** ALAE's gains: √2 (He) before LeakyReLU, 1 for the style affines, 0.03 for the image output. */
  static final float GAIN = (float) Math.sqrt(2);
  static final float STYLE_GAIN = 1f;
  static final float TO_IMAGE_GAIN = 0.03f;
  /** ALAE's learning-rate multiplier of both mapping networks (MappingFromLatent, MappingToLatent). */
  static final float MAPPING_LR_MUL = 0.1f;
  /** The name of each growing network's growth variable g ({@link Growth}). */
  public static final String GROWTH = "growth";

  private StyleNetworks() {}

  /** Width of the style w: the widest map's channels, and at least z. */
  public static int styleWidth(ModelConfig c) {
    return Math.max(c.zDim(), Arrays.stream(c.widths()).max().orElseThrow());
  }

  /** Channels at synthesis level k (0 = the smallest map, widths.length = the image's resolution). */
  public static int channels(ModelConfig c, int level) {
    int[] w = c.widths();
    return w[Math.max(0, w.length - 1 - level)];
  }

  /** Per sample and channel over height and width: mean and √(variance + ε) [batch, 1, 1, channels], and x − mean. */
  record Moments(Operand<TFloat32> mean, Operand<TFloat32> std, Operand<TFloat32> centred) {
    Operand<TFloat32> normalised(Ops tf) {
      return tf.math.div(centred, std);
    }
  }

  static Moments moments(Ops tf, Operand<TFloat32> x, float epsilon) {
    Operand<org.tensorflow.types.TInt32> hw = tf.constant(new int[] {1, 2});
    Operand<TFloat32> mean = tf.math.mean(x, hw, Mean.keepDims(true));
    Operand<TFloat32> centred = tf.math.sub(x, mean);
    Operand<TFloat32> variance = tf.math.mean(tf.math.square(centred), hw, Mean.keepDims(true));
    return new Moments(mean, tf.math.sqrt(tf.math.add(variance, tf.constant(epsilon))), centred);
  }

  /**
   * x + bias as a broadcast Add, not BiasAdd: grappler's remapper fuses conv → BiasAdd → LeakyReLU and
   * then fails on the gradient graph, which still reads the BiasAdd it removed ("remapper failed").
   */
  static Operand<TFloat32> biased(Ops tf, Operand<TFloat32> x, Operand<TFloat32> bias) {
    return tf.math.add(x, bias);
  }

  /** Instance normalisation (no affine part): (x − mean) / √(var + ε) per sample and channel. */
  static Operand<TFloat32> instanceNorm(Ops tf, Operand<TFloat32> x, float epsilon) {
    return moments(tf, x, epsilon).normalised(tf);
  }

  /** AdaIN's modulation: x·(1 + y_s) + y_b with [y_s, y_b] = style, [batch, 2·channels]. */
  static Operand<TFloat32> styleMod(Ops tf, Operand<TFloat32> x, Operand<TFloat32> style) {
    long c = x.shape().get(3);
    Operand<TFloat32> y = tf.reshape(style, tf.constant(new long[] {-1, 1, 1, 2 * c}));
    List<org.tensorflow.Output<TFloat32>> halves = tf.split(tf.constant(3), y, 2L).output();
    return tf.math.add(tf.math.mul(x, tf.math.add(halves.get(0), tf.constant(1f))), halves.get(1));
  }

  /** F (decoder) or the encoder's head: pixel-normalised input for F, LeakyReLU between layers. */
  static Operand<TFloat32> mapping(Ops tf, List<Dense> layers, Operand<TFloat32> x, boolean pixelNorm) {
    Operand<TFloat32> h = x;
    if (pixelNorm) {
      Operand<TFloat32> meanSquare = tf.math.mean(tf.math.square(h), tf.constant(1), Mean.keepDims(true));
      h = tf.math.mul(h, tf.math.rsqrt(tf.math.add(meanSquare, tf.constant(1e-8f))));
    }
    for (int i = 0; i < layers.size(); i++) {
      h = layers.get(i).apply(tf, h);
      if (i < layers.size() - 1 || pixelNorm) {
        h = Architecture.leaky(tf, h);
      }
    }
    return h;
  }

  /**
   * The layers as the architecture builds them: PyTorch's default initialisation ({@code style}), or
   * ALAE's equalised learning rate with gains and multipliers and a blur at resampling ({@code style-alae}).
   */
  record Layers(boolean alae) {
    static Layers of(ModelConfig c) {
      return new Layers(c.architecture().alae());
    }

    Dense dense(Parameters p, String name, int in, int out, float gain, float lrMul) {
      return alae ? Dense.equalized(p, name, in, out, gain, lrMul) : new Dense(p, name, in, out);
    }

    Conv conv(Parameters p, String name, int size, int in, int out, boolean isOutput, float gain) {
      return alae ? Conv.equalized(p, name, size, in, out, isOutput, gain) : new Conv(p, name, size, in, out, isOutput);
    }

    /** ALAE's Blur: [1 2 1]ᵀ[1 2 1]/16 per channel, zero padded; applied after upsampling and before downsampling. */
    Operand<TFloat32> blur(Ops tf, Operand<TFloat32> x) {
      return alae ? blur121(tf, blur121(tf, x, 1), 2) : x;
    }
  }

  /** (x[i−1] + 2x[i] + x[i+1]) / 4 along {@code axis}, zeros beyond the edges; built from ops with C++ gradients. */
  static Operand<TFloat32> blur121(Ops tf, Operand<TFloat32> x, int axis) {
    int[][] padding = new int[4][2];
    padding[axis] = new int[] {1, 1};
    Operand<TFloat32> padded = tf.pad(x, tf.constant(padding), tf.constant(0f));
    int n = (int) x.shape().get(axis);
    int[] size = {-1, -1, -1, -1};
    size[axis] = n;
    @SuppressWarnings("unchecked")
    Operand<TFloat32>[] window = new Operand[3];
    for (int k = 0; k < 3; k++) {
      int[] begin = new int[4];
      begin[axis] = k;
      window[k] = tf.slice(padded, tf.constant(begin), tf.constant(size));
    }
    Operand<TFloat32> sum = tf.math.add(tf.math.add(window[0], window[2]), tf.math.mul(window[1], tf.constant(2f)));
    return tf.math.mul(sum, tf.constant(0.25f));
  }

  /** The style-based decoder. */
  public static final class Decoder implements DecoderNet {
    private final ModelConfig config;
    private final Parameters parameters;
    private final List<Dense> mapping = new ArrayList<>();
    private final Operand<TFloat32> constant;
    private final List<StyledLayer> layers = new ArrayList<>();
    private final Conv toImage;
    private final Layers make;
    /** Growing networks: the image layers of levels 0..K−1 and the growth g; empty and null otherwise. */
    private final List<Conv> toImageBelow = new ArrayList<>();
    private final Variable<TFloat32> growth;

    public Decoder(Ops tf, ModelConfig config, long seed, String prefix) {
      this.config = config;
      parameters = new Parameters(tf, prefix, seed);
      make = Layers.of(config);
      int w = styleWidth(config);
      for (int i = 0; i < DECODER_MAPPING_LAYERS; i++) {
        mapping.add(make.dense(parameters, "mapping" + i, i == 0 ? config.zDim() : w, w, GAIN, MAPPING_LR_MUL));
      }
      int s = config.finalSize();
      int c0 = channels(config, 0);
      constant = parameters.weight("const", 1f, 1, s, s, c0);
      int levels = config.widths().length;
      int in = c0;
      for (int level = 0; level <= levels; level++) {
        int out = channels(config, level);
        // The first level starts from the constant: its first layer has no convolution.
        layers.add(new StyledLayer(parameters, make, "level" + level + ".a", level == 0 ? 0 : 3, in, out, w, s << level));
        layers.add(new StyledLayer(parameters, make, "level" + level + ".b", 3, out, out, w, s << level));
        in = out;
      }
      toImage = make.conv(parameters, "to_image", 1, channels(config, levels), config.imageChannels(), true, TO_IMAGE_GAIN);
      // created after every other variable, so the shared ones keep the seeds of the networks that do not grow
      for (int level = 0; config.progressive() && level < levels; level++) {
        toImageBelow.add(make.conv(parameters, "to_image.level" + level, 1, channels(config, level),
            config.imageChannels(), true, TO_IMAGE_GAIN));
      }
      growth = config.progressive() ? parameters.statistic(GROWTH, 0f) : null;
    }

    /** The growth variable g (growing networks only, else null). */
    public Variable<TFloat32> growth() {
      return growth;
    }

    @Override
    public Parameters parameters() {
      return parameters;
    }

    @Override
    public boolean samplesIndependent() {
      return true;
    }

    @Override
    public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> z, Mode mode) {
      return synthesize(tf, styles(tf, z), z, mode);
    }

    /** D(z) with the style pulled towards the average one (sampling only; see {@link StyleTruncation}). */
    public Operand<TFloat32> applyTruncated(Ops tf, Operand<TFloat32> z, Mode mode, StyleTruncation truncation) {
      return synthesize(tf, truncation.apply(tf, styles(tf, z)), z, mode);
    }

    /** w = F(z): the mapping network's style. */
    public Operand<TFloat32> styles(Ops tf, Operand<TFloat32> z) {
      return mapping(tf, mapping, z, true);
    }

    /**
     * Style mixing: the first {@code crossover} styled layers (coarse to fine, {@link #styleLayers} in
     * all) take the style of {@code z}, the others that of {@code zFine}.
     */
    public Operand<TFloat32> applyMixed(Ops tf, Operand<TFloat32> z, Operand<TFloat32> zFine,
        Operand<org.tensorflow.types.TInt32> crossover, Mode mode) {
      Operand<TFloat32> w = styles(tf, z);
      Operand<TFloat32> wFine = styles(tf, zFine);
      // m·w + (1 − m)·w_fine with m = [i < crossover]: exactly one of the two styles, and differentiable
      // with the C++ gradients training graphs use
      return synthesize(tf, i -> {
        Operand<TFloat32> m = tf.dtypes.cast(tf.math.less(tf.constant(i), crossover), TFloat32.class);
        return tf.math.add(tf.math.mul(m, w), tf.math.mul(tf.math.sub(tf.constant(1f), m), wFine));
      }, z, mode);
    }

    /** The styled layers: two per resolution. */
    public int styleLayers() {
      return layers.size();
    }

    private Operand<TFloat32> synthesize(Ops tf, Operand<TFloat32> w, Operand<TFloat32> z, Mode mode) {
      return synthesize(tf, i -> w, z, mode);
    }

    /** The synthesis network, layer i styled by {@code styleOf(i)}; {@code z} gives the batch size for the noise maps. */
    private Operand<TFloat32> synthesize(Ops tf, java.util.function.IntFunction<Operand<TFloat32>> styleOf,
        Operand<TFloat32> z, Mode mode) {
      // The batch size as a shape operand; stopped, so the gradient's path never meets the shape ops.
      Operand<org.tensorflow.types.TInt32> batch = tf.slice(tf.shape(tf.stopGradient(z)), tf.constant(new int[] {0}),
          tf.constant(new int[] {1}));
      int s = config.finalSize();
      Operand<TFloat32> h = tf.math.add(constant, tf.fill(tf.concat(List.of(batch,
          tf.constant(new int[] {s, s, channels(config, 0)})), tf.constant(0)), tf.constant(0f)));
      List<Operand<TFloat32>> images = new ArrayList<>();
      for (int i = 0; i < layers.size(); i++) {
        boolean upsample = i > 0 && i % 2 == 0;
        h = layers.get(i).apply(tf, upsample ? Architecture.upsample(tf, h) : h, upsample ? make : null, styleOf.apply(i),
            mode, z.shape().get(0), batch);
        if (growth != null && i % 2 == 1) {
          int level = i / 2;
          images.add((level < toImageBelow.size() ? toImageBelow.get(level) : toImage).apply(tf, h));
        }
      }
      return growth == null ? toImage.apply(tf, h) : Growth.blendImages(tf, images, tf.identity(growth), config.imageSize());
    }
  }

  /** conv (optional) → noise → bias → LeakyReLU → instance norm → AdaIN(w). */
  private static final class StyledLayer {
    private final Conv conv;
    private final Operand<TFloat32> noiseStrength;
    private final Operand<TFloat32> bias;
    private final Dense style;
    private final int side;
    private final long noiseSeed;
    private Operand<TFloat32> fixedNoise;

    StyledLayer(Parameters p, Layers make, String name, int kernel, int in, int out, int styleWidth, int side) {
      conv = kernel == 0 ? null : make.conv(p, name + ".conv", kernel, in, out, false, GAIN);
      noiseStrength = p.filled(name + ".noise_strength", 0f, out);
      bias = p.filled(name + ".b", 0f, out);
      style = make.dense(p, name + ".style", styleWidth, 2 * out, STYLE_GAIN, 1f);
      this.side = side;
      this.noiseSeed = name.hashCode();
    }

    /** {@code resampled}: the layers whose blur follows this layer's convolution (the upsampling ones), else null. */
    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, Layers resampled, Operand<TFloat32> w, Mode mode, long staticBatch,
        Operand<org.tensorflow.types.TInt32> batch) {
      Operand<TFloat32> h = conv == null ? x : conv.apply(tf, x);
      if (resampled != null) {
        h = resampled.blur(tf, h);
      }
      h = tf.math.add(h, tf.math.mul(noise(tf, mode, staticBatch, batch), noiseStrength));
      h = Architecture.leaky(tf, biased(tf, h, bias));
      return styleMod(tf, instanceNorm(tf, h, DECODER_NORM_EPSILON), style.apply(tf, w));
    }

    /**
     * Training graphs have a static batch: their noise shape is a constant. TensorFlow's C++ gradients
     * have no function for the random op, so it must not sit downstream of the variables, as a shape
     * computed from z would put it; the dynamic form serves graphs that take no gradient.
     */
    private Operand<TFloat32> noise(Ops tf, Mode mode, long staticBatch, Operand<org.tensorflow.types.TInt32> batch) {
      if (mode == Mode.INFERENCE) {
        if (fixedNoise == null) {
          Ops init = tf.withInitScope();
          fixedNoise = init.random.statelessRandomNormal(init.constant(new long[] {1, side, side, 1}),
              init.constant(new long[] {noiseSeed, 1}), TFloat32.class);
        }
        return fixedNoise;
      }
      Operand<org.tensorflow.types.TInt32> shape = staticBatch > 0 ? tf.constant(new int[] {(int) staticBatch, side, side, 1})
          : tf.concat(List.of(batch, tf.constant(new int[] {side, side, 1})), tf.constant(0));
      return tf.random.randomStandardNormal(shape, TFloat32.class,
          RandomStandardNormal.seed(noiseSeed & 0x7fffffffL), RandomStandardNormal.seed2(1L));
    }
  }

  /** The style-based encoder. */
  public static final class Encoder implements EncoderNet {
    private final ModelConfig config;
    private final Parameters parameters;
    private final Conv fromImage;
    private final Operand<TFloat32> fromImageBias;
    private final List<StyleBlock> blocks = new ArrayList<>();
    private final List<Dense> head = new ArrayList<>();
    /** Growing networks: the image layers (and biases) of levels K−1..0, in the blocks' order, and g. */
    private final List<Conv> fromImageBelow = new ArrayList<>();
    private final List<Operand<TFloat32>> fromImageBelowBias = new ArrayList<>();
    private final Variable<TFloat32> growth;

    public Encoder(Ops tf, ModelConfig config, long seed) {
      this(config, new Parameters(tf, "encoder", seed));
    }

    private Encoder(ModelConfig config, Parameters parameters) {
      this.config = config;
      this.parameters = parameters;
      int levels = config.widths().length;
      int w = styleWidth(config);
      Layers make = Layers.of(config);
      fromImage = make.conv(parameters, "from_image", 1, config.imageChannels(), channels(config, levels), false, GAIN);
      fromImageBias = parameters.filled("from_image.b", 0f, channels(config, levels));
      for (int level = levels; level >= 0; level--) {
        blocks.add(new StyleBlock(parameters, make, "level" + level, channels(config, level),
            channels(config, Math.max(0, level - 1)), w, level == 0 ? config.finalSize() : 0));
      }
      for (int i = 0; i < ENCODER_MAPPING_LAYERS; i++) {
        head.add(make.dense(parameters, "mapping" + i, w, i == ENCODER_MAPPING_LAYERS - 1 ? 2 * config.zDim() : w, GAIN,
            MAPPING_LR_MUL));
      }
      for (int level = levels - 1; config.progressive() && level >= 0; level--) {
        fromImageBelow.add(make.conv(parameters, "from_image.level" + level, 1, config.imageChannels(),
            channels(config, level), false, GAIN));
        fromImageBelowBias.add(parameters.filled("from_image.level" + level + ".b", 0f, channels(config, level)));
      }
      growth = config.progressive() ? parameters.statistic(GROWTH, 0f) : null;
    }

    /** The growth variable g (growing networks only, else null). */
    public Variable<TFloat32> growth() {
      return growth;
    }

    @Override
    public Parameters parameters() {
      return parameters;
    }

    @Override
    public EncoderNet readingAfter(Ops tf, List<Op> updates) {
      return new Encoder(config, parameters.readingAfter(tf, updates));
    }

    @Override
    public boolean samplesIndependent() {
      return true;
    }

    @Override
    public Posterior apply(Ops tf, Operand<TFloat32> x, Mode mode) {
      if (growth != null) {
        return grown(tf, x);
      }
      Operand<TFloat32> h = Architecture.leaky(tf, biased(tf, fromImage.apply(tf, x), fromImageBias));
      Operand<TFloat32> style = null;
      for (int i = 0; i < blocks.size(); i++) {
        StyleBlock b = blocks.get(i);
        BlockOutput out = b.apply(tf, h);
        style = style == null ? out.style() : tf.math.add(style, out.style());
        h = i < blocks.size() - 1 ? Architecture.Encoder.pool(tf, out.features()) : out.features();
      }
      return Posterior.of(tf, mapping(tf, head, style, false));
    }

    /**
     * The growing encoder at growth g: block i (level k = K − i) enters from its own image layer over x
     * averaged down to level k, lerped with the features of the block above by {@link Growth#pathWeight},
     * and its style contribution is weighted by {@link Growth#styleWeight}.
     */
    private Posterior grown(Ops tf, Operand<TFloat32> x) {
      Operand<TFloat32> g = tf.identity(growth);
      int levels = blocks.size() - 1;
      Operand<TFloat32> image = x;
      Operand<TFloat32> h = null;
      Operand<TFloat32> style = null;
      for (int i = 0; i < blocks.size(); i++) {
        int level = levels - i;
        Conv from = i == 0 ? fromImage : fromImageBelow.get(i - 1);
        Operand<TFloat32> entry = Architecture.leaky(tf, biased(tf, from.apply(tf, image),
            i == 0 ? fromImageBias : fromImageBelowBias.get(i - 1)));
        h = i == 0 ? entry : Growth.lerp(tf, entry, h, Growth.pathWeight(tf, g, level));
        BlockOutput out = blocks.get(i).apply(tf, h);
        Operand<TFloat32> contribution = tf.math.mul(out.style(), Growth.styleWeight(tf, g, level));
        style = style == null ? contribution : tf.math.add(style, contribution);
        if (i < blocks.size() - 1) {
          h = Architecture.Encoder.pool(tf, out.features());
          image = Architecture.Encoder.pool(tf, image);
        }
      }
      return Posterior.of(tf, mapping(tf, head, style, false));
    }
  }

  /** A block's features for the next resolution and its contribution to the image's style. */
  private record BlockOutput(Operand<TFloat32> features, Operand<TFloat32> style) {}

  /**
   * Two 3×3 convolutions with bias and LeakyReLU; after each, the channels' statistics are mapped to a
   * style contribution and instance normalisation removes them. The last block (the smallest map)
   * replaces the second convolution by a dense layer over the whole flattened map, whose output is
   * mapped to the style directly: the only place the layout, which instance statistics do not carry,
   * reaches the code (ALAE's last encoder block).
   */
  private static final class StyleBlock {
    private final Conv conv1;
    private final Operand<TFloat32> bias1;
    private final Dense style1;
    private final Conv conv2;
    private final Operand<TFloat32> bias2;
    private final Dense dense;
    private final Dense style2;
    private final Layers make;

    StyleBlock(Parameters p, Layers make, String name, int in, int out, int styleWidth, int lastSide) {
      this.make = make;
      conv1 = make.conv(p, name + ".conv1", 3, in, in, false, GAIN);
      bias1 = p.filled(name + ".conv1.b", 0f, in);
      style1 = make.dense(p, name + ".style1", 2 * in, styleWidth, GAIN, 1f);
      boolean last = lastSide > 0;
      conv2 = last ? null : make.conv(p, name + ".conv2", 3, in, out, false, GAIN);
      bias2 = last ? null : p.filled(name + ".conv2.b", 0f, out);
      dense = last ? make.dense(p, name + ".dense", lastSide * lastSide * in, out, GAIN, 1f) : null;
      style2 = make.dense(p, name + ".style2", last ? out : 2 * out, styleWidth, GAIN, 1f);
    }

    BlockOutput apply(Ops tf, Operand<TFloat32> x) {
      BlockOutput a = statistics(tf, Architecture.leaky(tf, biased(tf, conv1.apply(tf, x), bias1)), style1);
      BlockOutput b;
      if (dense == null) {
        // the convolution before the downsampling (the next block's pool) reads the blurred map
        b = statistics(tf, Architecture.leaky(tf, biased(tf, conv2.apply(tf, make.blur(tf, a.features())), bias2)), style2);
      } else {
        Operand<TFloat32> f = a.features();
        long flat = f.shape().get(1) * f.shape().get(2) * f.shape().get(3);
        Operand<TFloat32> h = Architecture.leaky(tf, dense.apply(tf, tf.reshape(f, tf.constant(new long[] {-1, flat}))));
        b = new BlockOutput(h, style2.apply(tf, h));
      }
      return new BlockOutput(b.features(), tf.math.add(a.style(), b.style()));
    }

    /** Instance-normalised h, and the style contribution of its [mean, std]. */
    private static BlockOutput statistics(Ops tf, Operand<TFloat32> h, Dense style) {
      Moments m = moments(tf, h, ENCODER_NORM_EPSILON);
      long c = h.shape().get(3);
      Operand<TFloat32> stats = tf.reshape(tf.concat(List.of(m.mean(), m.std()), tf.constant(3)),
          tf.constant(new long[] {-1, 2 * c}));
      return new BlockOutput(m.normalised(tf), style.apply(tf, stats));
    }
  }
}
