package org.introvae.model;

import org.introvae.model.Architecture.Mode;
import org.introvae.model.Architecture.Posterior;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * The networks alone, BatchNorm in inference mode (moving statistics; one sampling output on batch
 * statistics), with the same variable names
 * as {@link TrainingGraph} so a training checkpoint restores into it. No optimizer or gradient ops:
 * this is the graph that is exported. Images leave it clipped to [0, 1].
 */
public final class InferenceGraph implements AutoCloseable {
  public final ModelConfig config;
  public final Graph graph;
  /** [n, H, W, C] in [0, 1]. */
  public final Placeholder<TFloat32> images;
  public final Operand<TFloat32> mu;
  public final Operand<TFloat32> logvar;
  /** D(μ(x)): the deterministic reconstruction. */
  public final Operand<TFloat32> reconstructions;
  /** [n, z]. */
  public final Placeholder<TFloat32> latents;
  public final Operand<TFloat32> decoded;
  /** D(z) with the statistics calibrated on prior draws; null without them. */
  public final Operand<TFloat32> decodedPrior;
  /** Scalar seed and count: {@code count} images from z ~ N(0, I) drawn statelessly from the seed. */
  public final Placeholder<TInt64> sampleSeed;
  public final Placeholder<TInt32> sampleCount;
  /** With the decoder's statistics calibrated on prior draws when given (see {@link PriorCalibration}). */
  public final Operand<TFloat32> samples;
  /** As {@link #samples}, every BatchNorm on the statistics of the {@code count} samples; null without batch norm. */
  public final Operand<TFloat32> samplesBatchStatistics;
  /** The batch mean and variance of each decoder normalisation in {@link #samplesBatchStatistics}. */
  final java.util.Map<String, Operand<TFloat32>[]> decoderBatchMoments;
  /** Style-based decoders only (else null): D with z's styles in the first {@link #crossover} layers, z_fine's after. */
  public final Placeholder<TFloat32> fineLatents;
  public final Placeholder<TInt32> crossover;
  public final Operand<TFloat32> mixed;
  /** One encoded image (PNG, JPEG, GIF, BMP bytes) as a [1] string, fitted in the graph as training fits images. */
  public final Placeholder<TString> imageBytes;
  public final Operand<TFloat32> imageReconstructions;
  public final Operand<TFloat32> imageMu;
  public final Operand<TFloat32> imageLogvar;
  /** Translation models only (else null): D(z_c(class image), z_s(content image)), pairwise. */
  public final Placeholder<TFloat32> classImages;
  public final Placeholder<TFloat32> contentImages;
  public final Operand<TFloat32> translations;

  public InferenceGraph(ModelConfig config) {
    this(config, TranslationNetworks.Split.NONE);
  }

  /** With two encoders in {@code split}, the translation model of {@link TranslationNetworks}: z = [z_c, z_s]. */
  public InferenceGraph(ModelConfig config, TranslationNetworks.Split split) {
    this(config, split, null);
  }

  /**
   * As above; {@code priorStatistics} (from {@link PriorCalibration}, null for none) are the decoder's
   * normalisation statistics for {@link #samples}, which otherwise uses the moving averages.
   */
  public InferenceGraph(ModelConfig config, TranslationNetworks.Split split,
      java.util.Map<String, Architecture.Moments> priorStatistics) {
    this(config, split, priorStatistics, null);
  }

  /** As above, style decoders' {@link #samples} with {@code truncation} (null for none). */
  public InferenceGraph(ModelConfig config, TranslationNetworks.Split split,
      java.util.Map<String, Architecture.Moments> priorStatistics, StyleTruncation truncation) {
    TensorFlowRuntime.prepare();
    this.config = config;
    graph = new Graph();
    Ops tf = Ops.create(graph);
    int s = config.imageSize();
    Architecture.EncoderNet encoder = split.twoEncoders() ? new TranslationNetworks.TwoEncoders(tf, config, split, 0)
        : config.architecture().encoder(tf, config, 0);
    Architecture.DecoderNet decoder = split.twoEncoders() ? split.decoder(tf, config, 1, false)
        : config.architecture().decoder(tf, config, 1, false, "decoder");

    images = tf.withName("images").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, s, s, config.imageChannels())));
    Posterior q = encoder.apply(tf, images, Mode.INFERENCE);
    mu = tf.withName("mu").identity(q.mu());
    logvar = tf.withName("logvar").identity(q.logvar());
    reconstructions = tf.withName("reconstructions").identity(clip(tf, decoder.apply(tf, mu, Mode.INFERENCE)));

    latents = tf.withName("z").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, config.zDim())));
    decoded = tf.withName("decoded").identity(clip(tf, decoder.apply(tf, latents, Mode.INFERENCE)));

    sampleSeed = tf.withName("seed").placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    sampleCount = tf.withName("count").placeholder(TInt32.class, Placeholder.shape(Shape.scalar()));
    Operand<TInt32> shape = tf.stack(java.util.List.of(sampleCount, tf.constant(config.zDim())));
    Operand<TInt64> seedPair = tf.stack(java.util.List.of(sampleSeed, tf.constant(0L)));
    Operand<TFloat32> prior = tf.random.statelessRandomNormal(shape, seedPair);
    if (priorStatistics != null) {
      decoder.parameters().calibrate(priorStatistics);
    }
    Mode sampling = priorStatistics != null ? Mode.CALIBRATED : Mode.INFERENCE;
    if (truncation != null && !(decoder instanceof StyleNetworks.Decoder)) {
      throw new IllegalArgumentException("truncation needs the style-based decoder, not " + config.architecture().label());
    }
    samples = tf.withName("samples").identity(clip(tf, truncation == null ? decoder.apply(tf, prior, sampling)
        : ((StyleNetworks.Decoder) decoder).applyTruncated(tf, prior, sampling, truncation)));
    decodedPrior = priorStatistics == null ? null
        : tf.withName("decoded_prior").identity(clip(tf, decoder.apply(tf, latents, Mode.CALIBRATED)));
    samplesBatchStatistics = !config.architecture().batchNormalized() ? null
        : tf.withName("samples_batch_statistics").identity(clip(tf, decoder.apply(tf, prior, Mode.TRAIN)));
    decoderBatchMoments = decoder.parameters().batchMoments();

    if (decoder instanceof StyleNetworks.Decoder style) {
      fineLatents = tf.withName("z_fine").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, config.zDim())));
      crossover = tf.withName("crossover").placeholder(TInt32.class, Placeholder.shape(Shape.scalar()));
      mixed = tf.withName("mixed").identity(clip(tf, style.applyMixed(tf, latents, fineLatents, crossover,
          Mode.INFERENCE)));
    } else {
      fineLatents = null;
      crossover = null;
      mixed = null;
    }

    imageBytes = tf.withName("image_bytes").placeholder(TString.class, Placeholder.shape(Shape.of(1)));
    Posterior fromBytes = encoder.apply(tf, ImageFitOps.fit(tf, imageBytes, s, config.imageChannels()), Mode.INFERENCE);
    imageMu = tf.withName("image_mu").identity(fromBytes.mu());
    imageLogvar = tf.withName("image_logvar").identity(fromBytes.logvar());
    imageReconstructions = tf.withName("image_reconstructions")
        .identity(clip(tf, decoder.apply(tf, imageMu, Mode.INFERENCE)));

    if (encoder instanceof TranslationNetworks.TwoEncoders two) {
      Shape batch = Shape.of(-1, s, s, config.imageChannels());
      classImages = tf.withName("class_images").placeholder(TFloat32.class, Placeholder.shape(batch));
      contentImages = tf.withName("content_images").placeholder(TFloat32.class, Placeholder.shape(batch));
      Operand<TFloat32> z = tf.concat(java.util.List.of(two.classCode(tf, classImages, Mode.INFERENCE).mu(),
          two.contentCode(tf, contentImages, Mode.INFERENCE).mu()), tf.constant(1));
      translations = tf.withName("translations").identity(clip(tf, decoder.apply(tf, z, Mode.INFERENCE)));
    } else {
      classImages = null;
      contentImages = null;
      translations = null;
    }
  }

  private static Operand<TFloat32> clip(Ops tf, Operand<TFloat32> x) {
    return tf.clipByValue(x, tf.constant(0f), tf.constant(1f));
  }

  @Override
  public void close() {
    graph.close();
  }
}
