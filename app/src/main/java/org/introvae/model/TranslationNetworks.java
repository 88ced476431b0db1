package org.introvae.model;

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

/**
 * Two encoders and one decoder for unsupervised image translation, after LORD's design (Gabbay &amp;
 * Hoshen 2020) as the Soft-IntroVAE paper uses it without labels: a class encoder gives z_c, a content
 * encoder z_s, and the decoder reads [z_c, z_s]. Both are the residual encoder of {@link Architecture}.
 *
 * <p>What separates the two codes is capacity, as LORD's content noise does: the content posterior's
 * variance is floored at 1 (log σ² ≥ 0), so each content dimension passes the information of a mean
 * through unit noise and costs ½μ² nats of KL at least, while the class code is free to be precise. The
 * image's most informative factor (the class) goes to z_c; z_s keeps what is left (style, pose).
 * Translating takes z_c from one image and z_s from another.
 */
public final class TranslationNetworks {
  private TranslationNetworks() {}

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

  /** E(x) = ([μ_c, μ_s], [log σ²_c, max(log σ²_s, 0)]) from the class and content encoders, which share one variable scope. */
  public static final class TwoEncoders implements EncoderNet {
    private final ModelConfig config;
    private final int classZ;
    private final Parameters parameters;
    private final Encoder classEncoder;
    private final Encoder contentEncoder;

    public TwoEncoders(Ops tf, ModelConfig config, int classZ, long seed) {
      this(config, classZ, new Parameters(tf, "encoder", seed));
    }

    private TwoEncoders(ModelConfig config, int classZ, Parameters parameters) {
      this.config = config;
      this.classZ = classZ;
      this.parameters = parameters;
      classEncoder = new Encoder(classConfig(config, classZ), parameters, "class.");
      contentEncoder = new Encoder(contentConfig(config, classZ), parameters, "content.");
    }

    /** q(z_c | x). */
    public Posterior classCode(Ops tf, Operand<TFloat32> x, Mode mode) {
      return classEncoder.apply(tf, x, mode);
    }

    /** q(z_s | x), its variance floored at 1. */
    public Posterior contentCode(Ops tf, Operand<TFloat32> x, Mode mode) {
      Posterior q = contentEncoder.apply(tf, x, mode);
      return new Posterior(q.mu(), tf.math.maximum(q.logvar(), tf.constant(0f)));
    }

    @Override
    public Posterior apply(Ops tf, Operand<TFloat32> x, Mode mode) {
      Posterior c = classCode(tf, x, mode);
      Posterior s = contentCode(tf, x, mode);
      return new Posterior(tf.concat(List.of(c.mu(), s.mu()), tf.constant(1)),
          tf.concat(List.of(c.logvar(), s.logvar()), tf.constant(1)));
    }

    @Override
    public Parameters parameters() {
      return parameters;
    }

    @Override
    public EncoderNet readingAfter(Ops tf, List<Op> updates) {
      return new TwoEncoders(config, classZ, parameters.readingAfter(tf, updates));
    }
  }

  /** A training graph of the two encoders and the decoder of {@code config} (z = class + content dimensions). */
  public static TrainingGraph trainingGraph(ModelConfig config, int classZ, Objective objective, UpdateOrder order,
      float learningRate, int batch, long seed, Placement placement) {
    contentConfig(config, classZ);
    return new TrainingGraph(config, DataShape.square(config.imageSize(), config.imageChannels()), config.zDim(), objective, order,
        learningRate, batch, tf -> new TwoEncoders(tf, config, classZ, seed), tf -> new Decoder(tf, config, seed + 1),
        placement);
  }
}
