package org.introvae.model;

import java.util.Arrays;
import java.util.List;
import org.introvae.model.Architecture.Decoder;
import org.introvae.model.Architecture.Encoder;
import org.introvae.model.Architecture.EncoderNet;
import org.introvae.model.Architecture.Mode;
import org.introvae.model.Architecture.Parameters;
import org.introvae.model.Architecture.Posterior;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Two encoders and one decoder for unsupervised image translation, after LORD's design (Gabbay &amp;
 * Hoshen 2020) as the Soft-IntroVAE paper uses it without labels: a class encoder gives z_c, a content
 * encoder z_s, and the decoder reads [z_c, z_s]. Both are the residual encoder of {@link Architecture}.
 *
 * <p>What separates the two codes is capacity, as LORD's content noise does: the content posterior's
 * variance is floored at v (σ²_s ≥ v, {@code contentNoise}, 1 by default), so each content dimension
 * passes the information of a mean through noise of variance v and costs at least ½(μ² + v − 1 − ln v)
 * nats of KL, while the class code is free to be precise. The image's most informative factor (the
 * class) goes to z_c; z_s keeps what is left (style, pose). A larger v leaves z_s less capacity per nat.
 * Translating takes z_c from one image and z_s from another.
 *
 * <p>How the class encoder reads training images is a {@link ClassView}. With jitter j &gt; 0 it sees
 * each image through a random crop (its side scaled by 1 ± j, its centre moved by up to ±j of the
 * side) resized back: the class code then cannot tell where an image sits or how large it is. With
 * partners (batches arranged as pairs of near neighbours, or of images of one label) the decoder
 * reconstructs each real image from its partner's class code and its own content code, so z_c can
 * carry only what partners share and the rest must come from z_s. Inference and exports read each
 * image as it is, for its own codes.
 */
public final class TranslationNetworks {
  private TranslationNetworks() {}

  /**
   * How z splits between the two encoders: z = [z_c (classZ), z_s (z − classZ)], the content posterior's
   * variance floored at {@code contentNoise}, and L_REG = KL(z_s) + w_c·KL(z_c) with w_c
   * {@code classKlWeight}: below 1 a nat in the class code costs less than one in the content code (at
   * 0 z_c is free, as LORD's class embeddings are). With {@code classModulates} the decoder draws from z_s
   * and reads z_c only as per-channel scales and shifts of its residual blocks' features (LORD's generator, which
   * takes the class code through adaptive instance normalisation); otherwise it reads [z_c, z_s] as one
   * vector. {@link #NONE} (classZ 0) is the one-encoder image model.
   */
  public record Split(int classZ, float contentNoise, float classKlWeight, boolean classModulates) {
    public static final Split NONE = new Split(0, 1f);

    public Split {
      checkContentNoise(contentNoise);
      checkClassKlWeight(classKlWeight);
    }

    public Split(int classZ, float contentNoise, float classKlWeight) {
      this(classZ, contentNoise, classKlWeight, false);
    }

    public Split(int classZ, float contentNoise) {
      this(classZ, contentNoise, 1f);
    }

    public boolean twoEncoders() {
      return classZ > 0;
    }

    /** The decoder of this split: the residual decoder, reading z_c through modulation when {@code classModulates}. */
    public Decoder decoder(Ops tf, ModelConfig config, long seed, boolean foldUpsampling) {
      return new Decoder(tf, config, seed, foldUpsampling, "decoder", classModulates ? classZ : 0);
    }
  }

  /**
   * How the class encoder reads the real images of a training step: through random crops of jitter
   * {@code jitter} (0: the images as they are), and, {@code fromPartner}, swapped within pairs — the
   * batch holds pairs (2i, 2i + 1) of images that should share a class (near neighbours, or the same
   * label), and each is reconstructed from its partner's class code.
   */
  public record ClassView(float jitter, boolean fromPartner) {
    public static final ClassView DIRECT = new ClassView(0f, false);

    public ClassView {
      checkJitter(jitter);
    }
  }

  /** Smallest and largest content variance floor: below 1 the floor loosens LORD's noise, above 100 z_s carries nothing. */
  public static final float MIN_CONTENT_NOISE = 0.01f;
  public static final float MAX_CONTENT_NOISE = 100f;

  /** Refuses a content variance floor outside {@link #MIN_CONTENT_NOISE} to {@link #MAX_CONTENT_NOISE}. */
  public static void checkContentNoise(float contentNoise) {
    if (!(contentNoise >= MIN_CONTENT_NOISE && contentNoise <= MAX_CONTENT_NOISE)) {
      throw new IllegalArgumentException("expected " + MIN_CONTENT_NOISE + " to " + MAX_CONTENT_NOISE + ", not " + contentNoise);
    }
  }

  /** Largest class KL weight w_c: above it every nat in the class code would be priced out. */
  public static final float MAX_CLASS_KL_WEIGHT = 100f;

  /** Refuses a class KL weight outside 0 to {@link #MAX_CLASS_KL_WEIGHT}. */
  public static void checkClassKlWeight(float weight) {
    if (!(weight >= 0 && weight <= MAX_CLASS_KL_WEIGHT)) {
      throw new IllegalArgumentException("expected 0 to " + MAX_CLASS_KL_WEIGHT + ", not " + weight);
    }
  }

  /** The latent split: z = [z_c (classZ), z_s (zDim − classZ)]. */
  public static ModelConfig classConfig(ModelConfig config, int classZ) {
    return new ModelConfig(config.imageSize(), config.imageChannels(), config.widths(), classZ);
  }

  public static ModelConfig contentConfig(ModelConfig config, int classZ) {
    if (classZ < 1 || classZ >= config.zDim()) {
      throw new IllegalArgumentException("the class code needs 1 to z − 1 = " + (config.zDim() - 1) + " dimensions, not "
          + classZ);
    }
    return new ModelConfig(config.imageSize(), config.imageChannels(), config.widths(), config.zDim() - classZ);
  }

  /** E(x) = ([μ_c, μ_s], [log σ²_c, max(log σ²_s, ln v)]) from the class and content encoders, which share one variable scope. */
  public static final class TwoEncoders implements EncoderNet {
    private final ModelConfig config;
    private final Split split;
    private final ClassView view;
    private final long seed;
    private final Parameters parameters;
    private final Encoder classEncoder;
    private final Encoder contentEncoder;
    private int views;

    public TwoEncoders(Ops tf, ModelConfig config, Split split, long seed) {
      this(tf, config, split, ClassView.DIRECT, seed);
    }

    public TwoEncoders(Ops tf, ModelConfig config, Split split, ClassView view, long seed) {
      this(config, split, view, seed, new Parameters(tf, "encoder", seed));
    }

    private TwoEncoders(ModelConfig config, Split split, ClassView view, long seed, Parameters parameters) {
      this.config = config;
      this.split = split;
      this.view = view;
      this.seed = seed;
      this.parameters = parameters;
      classEncoder = new Encoder(classConfig(config, split.classZ()), parameters, "class.");
      contentEncoder = new Encoder(contentConfig(config, split.classZ()), parameters, "content.");
    }

    /** q(z_c | x); in training, of x through a random crop when the view's jitter is above 0. */
    public Posterior classCode(Ops tf, Operand<TFloat32> x, Mode mode) {
      boolean training = mode == Mode.TRAIN || mode == Mode.TRAIN_RECORDING;
      return classEncoder.apply(tf, training && view.jitter() > 0 ? jittered(tf, x) : x, mode);
    }

    /**
     * x through per-image random crops, resized back to its size: boxes of side s ∈ [1 − j, 1 + j] (of the
     * image) centred at 0.5 + u, u ∈ [−j, j] per axis; outside the image reads 0 (the background).
     * Each view draws its own stream, so the passes of one step see different crops.
     */
    Operand<TFloat32> jittered(Ops tf, Operand<TFloat32> x) {
      return crops(tf, x, jitterBoxes(tf, tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {1}))));
    }

    /** {@code batch} boxes [y1, x1, y2, x2] in CropAndResize's normalised coordinates, as described above. */
    Operand<TFloat32> jitterBoxes(Ops tf, Operand<TInt32> batch) {
      Operand<TInt32> shape = tf.concat(List.of(batch, tf.constant(new int[] {3})), tf.constant(0));
      long stream = ++views;
      Operand<TFloat32> u = tf.random.randomUniform(shape, TFloat32.class,
          org.tensorflow.op.random.RandomUniform.seed(seed).seed2(0x6a17L + stream));
      Operand<TFloat32> signed = tf.math.mul(tf.math.sub(tf.math.mul(u, tf.constant(2f)), tf.constant(1f)),
          tf.constant(view.jitter()));  // uniform on [−j, j]
      Operand<TFloat32> half = tf.math.mul(tf.math.add(tf.constant(1f),
          tf.slice(signed, tf.constant(new int[] {0, 0}), tf.constant(new int[] {-1, 1}))), tf.constant(0.5f));
      Operand<TFloat32> centre = tf.math.add(tf.constant(0.5f),
          tf.slice(signed, tf.constant(new int[] {0, 1}), tf.constant(new int[] {-1, 2})));
      // Constants to the gradient: RandomUniform has none, and the crop is not a parameter.
      return tf.stopGradient(tf.concat(List.of(tf.math.sub(centre, half), tf.math.add(centre, half)), tf.constant(1)));
    }

    /** Image i cropped to boxes[i] and resized (bilinear) to the image size; outside the image reads 0. */
    Operand<TFloat32> crops(Ops tf, Operand<TFloat32> x, Operand<TFloat32> boxes) {
      Operand<TInt32> count = tf.reshape(tf.slice(tf.shape(boxes), tf.constant(new int[] {0}), tf.constant(new int[] {1})),
          tf.constant(new int[0]));
      int size = config.imageSize();
      return tf.image.cropAndResize(x, boxes, tf.range(tf.constant(0), count, tf.constant(1)),
          tf.constant(new int[] {size, size}));
    }

    /** q(z_s | x), its variance floored at v. */
    public Posterior contentCode(Ops tf, Operand<TFloat32> x, Mode mode) {
      Posterior q = contentEncoder.apply(tf, x, mode);
      return new Posterior(q.mu(), tf.math.maximum(q.logvar(), tf.constant((float) Math.log(split.contentNoise()))));
    }

    @Override
    public Posterior apply(Ops tf, Operand<TFloat32> x, Mode mode) {
      return joined(tf, classCode(tf, x, mode), contentCode(tf, x, mode));
    }

    /** With partners, [z_c of the partner, z_s of the image itself]; otherwise {@link #apply}. */
    @Override
    public Posterior applyToRealImages(Ops tf, Operand<TFloat32> x, Mode mode) {
      if (!view.fromPartner()) {
        return apply(tf, x, mode);
      }
      Posterior c = classCode(tf, x, mode);
      return joined(tf, new Posterior(partners(tf, c.mu()), partners(tf, c.logvar())), contentCode(tf, x, mode));
    }

    /** Rows 2i and 2i + 1 of {@code codes} swapped: each image's partner's code. */
    Operand<TFloat32> partners(Ops tf, Operand<TFloat32> codes) {
      int k = split.classZ();
      Operand<TFloat32> pairs = tf.reshape(codes, tf.constant(new long[] {-1, 2, k}));
      return tf.reshape(tf.reverse(pairs, tf.constant(new int[] {1})), tf.constant(new long[] {-1, k}));
    }

    /** [z_c, z_s], its KL weighted w_c on z_c when w_c ≠ 1. */
    private Posterior joined(Ops tf, Posterior c, Posterior s) {
      Operand<TFloat32> mu = tf.concat(List.of(c.mu(), s.mu()), tf.constant(1));
      Operand<TFloat32> logvar = tf.concat(List.of(c.logvar(), s.logvar()), tf.constant(1));
      if (split.classKlWeight() == 1f) {
        return new Posterior(mu, logvar);
      }
      float[] weights = new float[config.zDim()];
      Arrays.fill(weights, 1f);
      Arrays.fill(weights, 0, split.classZ(), split.classKlWeight());
      return new Posterior(mu, logvar, tf.constant(weights));
    }

    @Override
    public Parameters parameters() {
      return parameters;
    }

    @Override
    public EncoderNet readingAfter(Ops tf, List<Op> updates) {
      // Another seed: the post-update passes draw crops of their own, not the pre-update passes' again.
      return new TwoEncoders(config, split, view, seed + 7919, parameters.readingAfter(tf, updates));
    }
  }

  /** Largest {@code classJitter}: a crop of side 1 − j must keep some of the image. */
  public static final float MAX_CLASS_JITTER = 0.5f;

  /** Refuses a jitter outside 0 to {@link #MAX_CLASS_JITTER}. */
  public static void checkJitter(float classJitter) {
    if (!(classJitter >= 0 && classJitter <= MAX_CLASS_JITTER)) {
      throw new IllegalArgumentException("expected 0 to " + MAX_CLASS_JITTER + ", not " + classJitter);
    }
  }

  /**
   * A training graph of the two encoders and the decoder of {@code config} (z split as {@code split}),
   * the class encoder reading training images as {@code view} says; with partners the batch
   * must be even, its pairs side by side.
   */
  public static TrainingGraph trainingGraph(ModelConfig config, Split split, ClassView view, Objective objective,
      UpdateOrder order, float learningRate, int batch, long seed, Placement placement) {
    contentConfig(config, split.classZ());
    if (view.fromPartner() && batch % 2 != 0) {
      throw new IllegalArgumentException("pairs need an even batch, not " + batch);
    }
    return new TrainingGraph(config, DataShape.square(config.imageSize(), config.imageChannels()), config.zDim(), objective, order,
        learningRate, batch, tf -> new TwoEncoders(tf, config, split, view, seed), tf -> split.decoder(tf, config, seed + 1, true),
        placement);
  }
}
