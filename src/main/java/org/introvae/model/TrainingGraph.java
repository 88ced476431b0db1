package org.introvae.model;

import java.util.ArrayList;
import java.util.List;
import org.introvae.model.Architecture.Decoder;
import org.introvae.model.Architecture.Encoder;
import org.introvae.model.Architecture.Mode;
import org.introvae.model.Architecture.Posterior;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.framework.optimizers.Optimizer.GradAndVar;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * One IntroVAE training step as a TensorFlow graph, plus deterministic inference outputs for pictures.
 *
 * <p>Per step: E(x) → z = μ + σ·ε → x_r = D(z); x_p = D(z_p), z_p ~ N(0, I); E on ng(x_r), ng(x_p)
 * for the encoder's hinge and on x_r, x_p (not stopped) for the decoder's adversarial term. L_E is
 * differentiated w.r.t. the encoder's variables only and L_G w.r.t. the decoder's only; both Adam
 * updates run in one session call, each gated on every gradient so no update can run before the
 * other loss's gradient has been read. ε and z_p come from stateless random ops seeded by the fed
 * (seed, step) pair, so a step is a pure function of the weights, the batch and that pair.
 */
public final class TrainingGraph implements AutoCloseable {
  public final ModelConfig config;
  public final IntroVaeWeights weights;
  public final int batchSize;
  public final Graph graph;

  // Inputs
  public final Placeholder<TFloat32> x;
  /** Stateless random seed pair [run seed, step]. */
  public final Placeholder<TInt64> noiseSeed;
  /** α, defaulting to the configured value; feed 0 for VAE warm-up. */
  public final Operand<TFloat32> α;
  /** Adam's 1-based update count t. */
  public final Placeholder<TFloat32> adamStep;

  // Training outputs (batch means)
  public final Operand<TFloat32> lossE;
  public final Operand<TFloat32> lossG;
  public final Operand<TFloat32> reconstructionError;
  public final Operand<TFloat32> klReal;
  public final Operand<TFloat32> klReconstructed;
  public final Operand<TFloat32> klSampled;

  /** Both updates and the BN moving averages. */
  public final Op trainStep;
  public final Op encoderUpdate;
  public final Op decoderUpdate;

  /** ng(x_r) and ng(x_p): where the encoder's hinge terms stop the gradient. */
  public final Operand<TFloat32> ngReconstruction;
  public final Operand<TFloat32> ngSample;
  /** The per-sample terms L_E and L_G are made of. */
  public final Losses.Energies energies;

  public final Encoder encoder;
  public final Decoder decoder;
  /** ∂L_E/∂θ_E and ∂L_G/∂θ_D, in the order of the networks' trainable lists. */
  public final Output<?>[] encoderGradients;
  public final Output<?>[] decoderGradients;

  // Inference (BN moving statistics): reconstruction with z = μ, and decoding of given z
  public final Placeholder<TFloat32> evalImages;
  public final Operand<TFloat32> evalReconstruction;
  public final Placeholder<TFloat32> evalLatents;
  public final Operand<TFloat32> evalDecoded;

  public TrainingGraph(ModelConfig config, IntroVaeWeights weights, float learningRate, int batchSize, long initSeed) {
    TensorFlowRuntime.prepare();
    this.config = config;
    this.weights = weights;
    this.batchSize = batchSize;
    this.graph = new Graph();
    Ops tf = Ops.create(graph);
    int s = config.imageSize();
    int c = config.imageChannels();
    int z = config.zDim();

    x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(batchSize, s, s, c)));
    noiseSeed = tf.withName("noise_seed").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
    α = tf.withName("alpha").placeholderWithDefault(tf.constant(weights.α()), Shape.scalar());
    adamStep = tf.withName("adam_step").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    Operand<TFloat32> β = tf.constant(weights.β());
    Operand<TFloat32> m = tf.constant(weights.m());

    encoder = new Encoder(tf, config, initSeed);
    decoder = new Decoder(tf, config, initSeed + 1);

    List<Output<TFloat32>> noise = tf.unstack(
        tf.random.statelessRandomNormal(tf.constant(new long[] {2, batchSize, z}), noiseSeed), 2L).output();
    Posterior q = encoder.apply(tf, x, Mode.TRAIN_RECORDING);
    Operand<TFloat32> zr = tf.math.add(q.mu(),
        tf.math.mul(tf.math.exp(tf.math.mul(tf.constant(0.5f), q.logvar())), noise.get(0)));
    Operand<TFloat32> xr = decoder.apply(tf, zr, Mode.TRAIN_RECORDING);
    Operand<TFloat32> xp = decoder.apply(tf, noise.get(1), Mode.TRAIN);

    ngReconstruction = Losses.ng(tf, xr);
    ngSample = Losses.ng(tf, xp);
    Losses.Energies e = new Losses.Energies(
        Losses.L_REG(tf, q),
        Losses.L_REG(tf, encoder.apply(tf, ngReconstruction, Mode.TRAIN)),
        Losses.L_REG(tf, encoder.apply(tf, ngSample, Mode.TRAIN)),
        Losses.L_REG(tf, encoder.apply(tf, xr, Mode.TRAIN)),
        Losses.L_REG(tf, encoder.apply(tf, xp, Mode.TRAIN)),
        Losses.L_AE(tf, x, xr));
    energies = e;
    lossE = tf.withName("L_E").identity(Losses.L_E(tf, e, α, β, m));
    lossG = tf.withName("L_G").identity(Losses.L_G(tf, e, α, β));
    reconstructionError = tf.withName("L_AE").identity(Losses.mean(tf, e.ae()));
    klReal = tf.withName("kl_real").identity(Losses.mean(tf, e.regReal()));
    klReconstructed = tf.withName("kl_reconstructed").identity(Losses.mean(tf, e.regRec()));
    klSampled = tf.withName("kl_sampled").identity(Losses.mean(tf, e.regSample()));

    encoderGradients = gradients("grad_E", lossE, encoder.parameters().trainable());
    decoderGradients = gradients("grad_G", lossG, decoder.parameters().trainable());
    List<Operation> every = new ArrayList<>();
    addOpen(every, encoderGradients);
    addOpen(every, decoderGradients);
    Ops afterAllGradients = tf.withControlDependencyOps(every);
    encoderUpdate = new SteppedAdam(graph, "adam_E", learningRate, 0.9f, 0.999f, 1e-8f, adamStep)
        .applyGradients(pairs(afterAllGradients, encoderGradients, encoder.parameters().trainable()), "update_E");
    decoderUpdate = new SteppedAdam(graph, "adam_G", learningRate, 0.9f, 0.999f, 1e-8f, adamStep)
        .applyGradients(pairs(afterAllGradients, decoderGradients, decoder.parameters().trainable()), "update_G");
    List<Op> all = new ArrayList<>(List.of(encoderUpdate, decoderUpdate));
    all.addAll(encoder.parameters().movingAverageUpdates());
    all.addAll(decoder.parameters().movingAverageUpdates());
    trainStep = tf.withControlDependencies(all).withName("train_step").noOp();

    evalImages = tf.withName("eval_images").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, s, s, c)));
    evalReconstruction = tf.withName("eval_reconstruction")
        .identity(decoder.apply(tf, encoder.apply(tf, evalImages, Mode.INFERENCE).mu(), Mode.INFERENCE));
    evalLatents = tf.withName("eval_latents").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, z)));
    evalDecoded = tf.withName("eval_decoded").identity(decoder.apply(tf, evalLatents, Mode.INFERENCE));
  }

  private Output<?>[] gradients(String prefix, Operand<TFloat32> loss, List<Variable<TFloat32>> variables) {
    Output<?>[] xs = new Output<?>[variables.size()];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = variables.get(i).asOutput();
    }
    return graph.addGradients(prefix, new Output<?>[] {loss.asOutput()}, xs, null);
  }

  private static void addOpen(List<Operation> into, Output<?>[] gradients) {
    for (Output<?> g : gradients) {
      if (!g.isClosed()) {
        into.add(g.op());
      }
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static List<GradAndVar<? extends TType>> pairs(Ops gated, Output<?>[] gradients,
      List<Variable<TFloat32>> variables) {
    List<GradAndVar<? extends TType>> list = new ArrayList<>();
    for (int i = 0; i < gradients.length; i++) {
      Output<TFloat32> g = (Output<TFloat32>) gradients[i];
      list.add(new GradAndVar<>(gated.identity(g).asOutput(), variables.get(i).asOutput()));
    }
    return list;
  }

  @Override
  public void close() {
    graph.close();
  }
}
