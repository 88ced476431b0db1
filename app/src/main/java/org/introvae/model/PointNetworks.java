package org.introvae.model;

import java.util.ArrayList;
import java.util.List;
import org.introvae.model.Architecture.Dense;
import org.introvae.model.Architecture.Mode;
import org.introvae.model.Architecture.Parameters;
import org.introvae.model.Architecture.Posterior;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The Soft-IntroVAE paper's networks for 3-D point clouds. E is PointNet-style: one MLP shared by every
 * point (3 → widths…, ReLU), max-pooled over the points (so E does not depend on their order), then
 * FC 256 + ReLU → μ, log σ². D is fully connected, z → 64 → 128 → 512 → 1024 → 3N, ReLU, as in the
 * official 3-D code. No batch norm (the official code's EncoderNoBatchNorm), so batches may be stacked.
 *
 * <p>A cloud of N points travels as an [N, 1, 3] tensor, so the training graph's data shape
 * [height, width, channels] holds it and Soft-IntroVAE's scale s = 1/(C·H·W) is the official 1/(3N); the
 * order means nothing, the points are a set, compared by the Chamfer distance.
 *
 * <p>The prior N(0, σ_p² I) of the official 3-D code (σ_p = 0.2) is written as a fixed change of
 * variable at the networks' ends: E reports the code standardised, μ/σ_p and log σ² − 2 log σ_p, and D
 * multiplies its input by σ_p. KL(N(μ, σ²) ‖ N(0, σ_p²)) equals the standard KL of the standardised code
 * and D(σ_p·ε) is the official sample, so every objective keeps its N(0, I) terms and the trained weights,
 * their gradients and the samples are those of the official formulation; exported latents are standardised.
 */
public final class PointNetworks {
  /** The official per-point widths, 3 → 64 → 128 → 256 → 256 → 512. */
  public static final int[] OFFICIAL_WIDTHS = {64, 128, 256, 256, 512};
  static final int FEATURES = 256;
  static final int[] DECODER_WIDTHS = {64, 128, 512, 1024};

  private PointNetworks() {}

  /** The fewest points a cloud may have: the Chamfer distance of a cloud of one point is a plain distance. */
  public static final int FEWEST_POINTS = 2;

  /** The [N, 1, 3] data shape of clouds of {@code points} points; an IllegalArgumentException for fewer than two. */
  public static DataShape shape(int points) {
    if (points < FEWEST_POINTS) {
      throw new IllegalArgumentException("a cloud needs at least " + FEWEST_POINTS + " points, not " + points);
    }
    return new DataShape(points, 1, 3);
  }

  public static final class Encoder implements Architecture.EncoderNet {
    private final Parameters parameters;
    private final int[] widths;
    private final int zDim;
    private final float priorStd;
    private final List<Dense> perPoint = new ArrayList<>();
    private final List<Dense> head = new ArrayList<>();

    public Encoder(Ops tf, int[] widths, int zDim, float priorStd, long seed) {
      this(widths, zDim, priorStd, new Parameters(tf, "encoder", seed));
    }

    private Encoder(int[] widths, int zDim, float priorStd, Parameters parameters) {
      this.parameters = parameters;
      this.widths = widths.clone();
      this.zDim = zDim;
      this.priorStd = checkedPriorStd(priorStd);
      int in = 3;
      for (int i = 0; i < widths.length; i++) {
        perPoint.add(Dense.pytorchLinear(parameters, "point" + (i + 1), in, widths[i]));
        in = widths[i];
      }
      head.add(Dense.pytorchLinear(parameters, "fc", in, FEATURES));
      head.add(Dense.pytorchLinear(parameters, "out", FEATURES, 2 * zDim));
    }

    @Override
    public Posterior apply(Ops tf, Operand<TFloat32> x, Mode mode) {
      long pointsPerCloud = x.shape().get(1) * x.shape().get(2); // [N, 1, 3] in training, any H·W = N works
      Operand<TFloat32> points = tf.reshape(x, tf.constant(new long[] {-1, 3}));
      Operand<TFloat32> features = Dense.chain(tf, perPoint, points, true);
      Operand<TFloat32> perCloud = tf.reshape(features,
          tf.constant(new long[] {-1, pointsPerCloud, widths[widths.length - 1]}));
      Operand<TFloat32> pooled = tf.max(perCloud, tf.constant(1));
      Posterior q = Posterior.of(tf, Dense.chain(tf, head, pooled, false));
      if (priorStd == 1f) {
        return q;
      }
      return new Posterior(tf.math.mul(q.mu(), tf.constant(1f / priorStd)),
          tf.math.sub(q.logvar(), tf.constant((float) (2 * Math.log(priorStd)))));
    }

    @Override
    public Architecture.EncoderNet readingAfter(Ops tf, List<Op> updates) {
      return new Encoder(widths, zDim, priorStd, parameters.readingAfter(tf, updates));
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
    private final int points;
    private final float priorStd;
    private final List<Dense> layers = new ArrayList<>();

    public Decoder(Ops tf, int points, int zDim, float priorStd, long seed) {
      this(tf, points, zDim, priorStd, seed, "decoder");
    }

    /** A decoder whose variables are named under {@code prefix} (the bootstrap's target decoder). */
    public Decoder(Ops tf, int points, int zDim, float priorStd, long seed, String prefix) {
      parameters = new Parameters(tf, prefix, seed);
      this.points = shape(points).height();
      this.priorStd = checkedPriorStd(priorStd);
      int in = zDim;
      for (int i = 0; i < DECODER_WIDTHS.length; i++) {
        layers.add(Dense.pytorchLinear(parameters, "fc" + (i + 1), in, DECODER_WIDTHS[i]));
        in = DECODER_WIDTHS[i];
      }
      layers.add(Dense.pytorchLinear(parameters, "out", in, 3 * points));
    }

    @Override
    public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> z, Mode mode) {
      Operand<TFloat32> code = priorStd == 1f ? z : tf.math.mul(z, tf.constant(priorStd));
      return tf.reshape(Dense.chain(tf, layers, code, false), tf.constant(shape(points).of(-1).asArray()));
    }

    @Override
    public ReconstructionError reconstructionError() {
      return ReconstructionError.CHAMFER;
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

  /**
   * A training graph of these networks for clouds of {@code points} points with the prior N(0, priorStd² I),
   * placed as {@code placement} says.
   */
  public static TrainingGraph trainingGraph(int points, int[] widths, int zDim, float priorStd, Objective objective,
      UpdateOrder order, float learningRate, int batch, long seed, Placement placement, boolean bootstrap) {
    return new TrainingGraph(null, shape(points), zDim, objective, order, learningRate, batch,
        tf -> new Encoder(tf, widths, zDim, priorStd, seed), tf -> new Decoder(tf, points, zDim, priorStd, seed + 1),
        placement, bootstrap ? tf -> new Decoder(tf, points, zDim, priorStd, seed + 2, "target_decoder") : null);
  }

  private static float checkedPriorStd(float priorStd) {
    if (!(priorStd > 0) || Float.isInfinite(priorStd)) {
      throw new IllegalArgumentException("the prior's standard deviation must be a positive number, not " + priorStd);
    }
    return priorStd;
  }
}
