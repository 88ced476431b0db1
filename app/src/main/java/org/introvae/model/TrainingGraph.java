package org.introvae.model;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.introvae.model.Architecture.Decoder;
import org.introvae.model.Architecture.DecoderNet;
import org.introvae.model.Architecture.Encoder;
import org.introvae.model.Architecture.EncoderNet;
import org.introvae.model.Architecture.Mode;
import org.introvae.model.Architecture.Posterior;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * One training step as a TensorFlow graph, for IntroVAE, Soft-IntroVAE or the plain VAE, plus
 * deterministic inference outputs for pictures.
 *
 * <p>Every objective: E(x) → z = μ + σ·ε → x_r = D(z); x_p = D(z_p), z_p ~ N(0, I). The graph holds
 * three step targets that share the two Adam optimizers: {@link #warmUpStep} trains both networks on
 * the ELBO (the VAE warm-up, and the whole of the VAE objective) with only the passes that needs;
 * {@link #trainStep} runs the objective's game in the chosen {@link UpdateOrder}.
 *
 * <p><b>Alternating</b> (the papers' order): the encoder's loss is formed with E(ng(x_s)) for
 * x_s ∈ {x_r, x_p} and the encoder is updated; then the same x_r and x_p (the decoder has not changed)
 * are encoded by the updated encoder, whose variables are read only after its update ran, for the
 * decoder's loss, and the decoder is updated. Each {@link Objective} assembles its losses over the
 * shared passes for either half; this class routes their gradients to the two optimizers.
 *
 * <p><b>Simultaneous</b>: both gradients are taken on the same pre-update weights, so each generated
 * image is encoded once, as E(ng(x_s)): the decoder's gradient through that pass is routed by the chain
 * rule (∂L_G/∂ng(x_s), fed back into x_s as the initial gradient of the backward pass over D), and
 * Soft-IntroVAE's decoder re-reconstruction reuses the encoder's z_s and D(z_s) with its latents and
 * targets stopped. Both updates run in one session call, each gated on every gradient.
 *
 * <p>All noise comes from stateless random ops seeded by the fed (seed, step) pair, so a step is a pure
 * function of the weights, the batch and that pair.
 */
public final class TrainingGraph implements AutoCloseable {
  /** The convolutional model's shape; null for other networks (the 2D experiments' MLPs). */
  final ModelConfig config;
  /** Data shape [side, side, channels] and latent size. */
  final int side;
  final int channels;
  final int zDim;
  final Objective objective;
  final UpdateOrder updateOrder;
  final int batchSize;
  final Graph graph;

  // Inputs
  final Placeholder<TFloat32> x;
  /** Stateless random seed pair [run seed, step]. */
  final Placeholder<TInt64> noiseSeed;
  /** Adam's 1-based update count t. */
  final Placeholder<TFloat32> adamStep;
  /** Both optimizers' learning rate, defaulting to the configured one; feed a schedule's value. */
  final Operand<TFloat32> learningRate;

  // Training outputs (batch means)
  final Operand<TFloat32> lossE;
  /** The decoder's loss (IntroVAE's L_G, Soft-IntroVAE's L_D). */
  final Operand<TFloat32> lossG;
  /** The ELBO-type loss of the VAE warm-up (IntroVAE and VAE: L_REG + β·L_AE; Soft: β_rec·L_REC + β_kl·L_REG). */
  final Operand<TFloat32> lossWarmUp;
  /** ½‖x − x_r‖² per image, whatever the objective, so runs compare. */
  final Operand<TFloat32> reconstructionError;
  final Operand<TFloat32> klReal;
  /** The encoder's KL of the step's reconstructions and samples, before any update. */
  final Operand<TFloat32> klReconstructed;
  final Operand<TFloat32> klSampled;
  /** Soft-IntroVAE's expELBO of reconstructions and samples (0 for the other objectives). */
  final Operand<TFloat32> expElboReconstructed;
  final Operand<TFloat32> expElboSampled;

  /** The objective's step: both updates in the chosen order and the BN moving averages. */
  final Op trainStep;
  final Op encoderUpdate;
  final Op decoderUpdate;
  /** Both networks on {@link #lossWarmUp}, and the BN moving averages. */
  final Op warmUpStep;
  /** {@link #warmUpStep}, also waiting for the monitored KLs of generated images (fetch them with it). */
  final Op warmUpStepMonitored;

  /** Where the encoder's loss stops the gradient; feeding them freezes those paths. */
  final List<Operand<TFloat32>> ngForEncoder;
  /** What the decoder's loss holds fixed (Soft-IntroVAE: the re-reconstruction targets and latents). */
  final List<Operand<TFloat32>> ngForDecoder;

  final EncoderNet encoder;
  final DecoderNet decoder;
  /** Alternating order: the encoder as the decoder's loss reads it, after its update; null otherwise. */
  final EncoderNet updatedEncoder;
  /** ∂L_E/∂θ_E and ∂L_G/∂θ_D of the objective's step, in the order of the networks' trainable lists. */
  final Output<?>[] encoderGradients;
  final Output<?>[] decoderGradients;

  // Inference (BN moving statistics): reconstruction with z = μ, and decoding of given z
  final Placeholder<TFloat32> evalImages;
  final Operand<TFloat32> evalMu;
  final Operand<TFloat32> evalLogvar;
  final Operand<TFloat32> evalReconstruction;
  final Placeholder<TFloat32> evalLatents;
  final Operand<TFloat32> evalDecoded;

  /** The convolutional IntroVAE model of {@code config}. */
  public TrainingGraph(ModelConfig config, Objective objective, UpdateOrder order, float learningRate, int batchSize,
      long initSeed) {
    this(config, config.imageSize(), config.imageChannels(), config.zDim(), objective, order, learningRate, batchSize,
        tf -> new Encoder(tf, config, initSeed), tf -> new Decoder(tf, config, initSeed + 1));
  }

  /** Any encoder and decoder over data of shape [side, side, channels], e.g. 2-D points as [1, 1, 2]. */
  public TrainingGraph(ModelConfig config, int side, int channels, int zDim, Objective objective, UpdateOrder order,
      float learningRate, int batchSize, Function<Ops, EncoderNet> encoderOf, Function<Ops, DecoderNet> decoderOf) {
    TensorFlowRuntime.prepare();
    this.config = config;
    this.side = side;
    this.channels = channels;
    this.zDim = zDim;
    this.objective = objective;
    this.updateOrder = order;
    this.batchSize = batchSize;
    this.graph = new Graph();
    Ops tf = Ops.create(graph);

    x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(batchSize, side, side, channels)));
    noiseSeed = tf.withName("noise_seed").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
    adamStep = tf.withName("adam_step").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    this.learningRate = tf.withName("learning_rate").placeholderWithDefault(tf.constant(learningRate), Shape.scalar());

    encoder = encoderOf.apply(tf);
    decoder = decoderOf.apply(tf);
    SteppedAdam adamE = new SteppedAdam(graph, "adam_E", this.learningRate, 0.9f, 0.999f, 1e-8f, adamStep);
    SteppedAdam adamG = new SteppedAdam(graph, "adam_G", this.learningRate, 0.9f, 0.999f, 1e-8f, adamStep);

    // Independent N(0, I) draws: ε for x, z_p, then ε for re-encodings of x_r and x_p (two pairs: the
    // encoder's, and in the alternating order the updated encoder's).
    List<Output<TFloat32>> noise = tf.unstack(tf.random.statelessRandomNormal(
        tf.constant(new long[] {SharedPasses.NOISE_DRAWS, batchSize, zDim}), noiseSeed),
        (long) SharedPasses.NOISE_DRAWS).output();
    Posterior q = encoder.apply(tf, x, Mode.TRAIN_RECORDING);
    Operand<TFloat32> xr = decoder.apply(tf, SharedPasses.reparameterise(tf, q, noise.get(0)), Mode.TRAIN_RECORDING);
    Operand<TFloat32> xp = decoder.apply(tf, noise.get(1), Mode.TRAIN);
    Operand<TFloat32> ae = Losses.L_AE(tf, x, xr);
    SharedPasses passes = new SharedPasses(x, xr, xp, Losses.L_REG(tf, q), ae, noise, encoder, decoder, side * side * channels);
    // The real-data passes above are the only ones that record BN moving statistics.
    List<Op> movingAverages = new ArrayList<>(encoder.parameters().movingAverageUpdates());
    movingAverages.addAll(decoder.parameters().movingAverageUpdates());

    lossWarmUp = tf.withName("L_warm_up").identity(objective.warmUpLoss(tf, passes));
    Output<?>[] warmE = Optimization.gradients(graph, "grad_warm_E", lossWarmUp, encoder.parameters().trainable());
    Output<?>[] warmG = Optimization.gradients(graph, "grad_warm_G", lossWarmUp, decoder.parameters().trainable());

    List<Operation> warmGates = opsOf(warmE, warmG);
    Op[] warm = warmUpUpdates(tf, "warm_up", adamE, adamG, warmE, warmG, warmGates);
    warmUpStep = group(tf, "warm_up_step", List.of(warm), movingAverages);

    LossAssembly a;
    EncoderNet after = null;
    Op updateE;
    Op updateG;
    Output<?>[] gradE;
    Output<?>[] gradG;
    if (!objective.adversarial()) {
      a = objective.assemble(tf, passes, order, null);
      a = new LossAssembly(lossWarmUp, lossWarmUp, a.klReconstructed(), a.klSampled(), a.expElboReconstructed(),
          a.expElboSampled(), a.ngForEncoder(), a.ngForDecoder(), null, List.of());
      gradE = warmE;
      gradG = warmG;
      updateE = warm[0];
      updateG = warm[1];
    } else if (order == UpdateOrder.SIMULTANEOUS) {
      a = objective.assemble(tf, passes, order, null);
      gradE = Optimization.gradients(graph, "grad_E", a.lossE(), encoder.parameters().trainable());
      gradG = routedDecoderGradients(tf, a, a.lossG(), List.of(xr, xp));
      Ops gated = gatedOn(tf, opsOf(gradE, gradG));
      updateE = adamE.applyGradients(Optimization.pairs(gated, gradE, encoder.parameters().trainable()), "update_E");
      updateG = adamG.applyGradients(Optimization.pairs(gated, gradG, decoder.parameters().trainable()), "update_G");
    } else {
      // The encoder's half-step first; the decoder's loss then reads the encoder after that update.
      LossAssembly encoderHalf = objective.assemble(tf, passes, order, null);
      gradE = Optimization.gradients(graph, "grad_E", encoderHalf.lossE(), encoder.parameters().trainable());
      updateE = adamE.applyGradients(Optimization.pairs(gatedOn(tf, opsOf(gradE)), gradE,
          encoder.parameters().trainable()), "update_E");
      after = encoder.readingAfter(tf, List.of(updateE));
      a = encoderHalf.withDecoderHalf(objective.assemble(tf, passes, order, after));
      gradG = Optimization.gradients(graph, "grad_G", a.lossG(), decoder.parameters().trainable());
      updateG = adamG.applyGradients(Optimization.pairs(gatedOn(tf, opsOf(gradG)), gradG,
          decoder.parameters().trainable()), "update_G");
    }
    updatedEncoder = after;
    lossE = tf.withName("L_E").identity(a.lossE());
    lossG = tf.withName("L_G").identity(a.lossG());
    reconstructionError = tf.withName("L_AE").identity(Losses.mean(tf, ae));
    klReal = tf.withName("kl_real").identity(Losses.mean(tf, passes.regReal()));
    klReconstructed = tf.withName("kl_reconstructed").identity(a.klReconstructed());
    klSampled = tf.withName("kl_sampled").identity(a.klSampled());
    expElboReconstructed = tf.withName("exp_elbo_reconstructed").identity(a.expElboReconstructed());
    expElboSampled = tf.withName("exp_elbo_sampled").identity(a.expElboSampled());
    ngForEncoder = a.ngForEncoder();
    ngForDecoder = a.ngForDecoder();
    encoderGradients = gradE;
    decoderGradients = gradG;
    encoderUpdate = updateE;
    decoderUpdate = updateG;
    trainStep = !objective.adversarial() ? warmUpStep : group(tf, "train_step", List.of(updateE, updateG), movingAverages);
    // The monitored KLs read the encoder's variables: the updates must not overwrite them first.
    List<Operation> monitored = new ArrayList<>(warmGates);
    for (Operand<TFloat32> m : List.of(klReconstructed, klSampled, expElboReconstructed, expElboSampled)) {
      monitored.add(m.op());
    }
    warmUpStepMonitored = group(tf, "warm_up_step_monitored",
        List.of(warmUpUpdates(tf, "warm_up_monitored", adamE, adamG, warmE, warmG, monitored)), movingAverages);

    evalImages = tf.withName("eval_images").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, side, side, channels)));
    Posterior evalQ = encoder.apply(tf, evalImages, Mode.INFERENCE);
    evalMu = tf.withName("eval_mu").identity(evalQ.mu());
    evalLogvar = tf.withName("eval_logvar").identity(evalQ.logvar());
    evalReconstruction = tf.withName("eval_reconstruction").identity(decoder.apply(tf, evalMu, Mode.INFERENCE));
    evalLatents = tf.withName("eval_latents").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, zDim)));
    evalDecoded = tf.withName("eval_decoded").identity(decoder.apply(tf, evalLatents, Mode.INFERENCE));
  }

  /**
   * The step target: the objective's step, or a warm-up step (every step of the VAE objective is one);
   * {@code monitored} when the step's KLs of generated images are fetched with it.
   */
  Op step(boolean warmUp, boolean monitored) {
    boolean warm = warmUp || !objective.adversarial();
    return !warm ? trainStep : monitored ? warmUpStepMonitored : warmUpStep;
  }

  /** Both networks' Adam updates on the warm-up loss, each waiting for {@code gates}. */
  private Op[] warmUpUpdates(Ops tf, String name, SteppedAdam adamE, SteppedAdam adamG, Output<?>[] warmE,
      Output<?>[] warmG, List<Operation> gates) {
    Ops gated = gatedOn(tf, gates);
    return new Op[] {
        adamE.applyGradients(Optimization.pairs(gated, warmE, encoder.parameters().trainable()), name + "_E"),
        adamG.applyGradients(Optimization.pairs(gated, warmG, decoder.parameters().trainable()), name + "_G")};
  }

  private static Op group(Ops tf, String name, List<Op> updates, List<Op> movingAverages) {
    List<Op> all = new ArrayList<>(updates);
    all.addAll(movingAverages);
    return tf.withControlDependencies(all).withName(name).noOp();
  }

  private static Ops gatedOn(Ops tf, List<Operation> ops) {
    return tf.withControlDependencyOps(ops);
  }

  private static List<Operation> opsOf(Output<?>[]... gradients) {
    List<Operation> ops = new ArrayList<>();
    for (Output<?>[] list : gradients) {
      for (Output<?> g : list) {
        if (!g.isClosed()) {
          ops.add(g.op());
        }
      }
    }
    return ops;
  }

  /**
   * ∂L_G/∂θ_D in the simultaneous order. L_G reaches θ_D directly (through x_r in its reconstruction
   * term, through D(z_s) in Soft-IntroVAE's re-reconstruction) and through the encoder's shared passes on
   * ng(x_s): the latter's gradient g_s = ∂L_G/∂ng(x_s) seeds x_s in one backward pass over D, beside
   * L_G's own seed of 1.
   */
  private Output<?>[] routedDecoderGradients(Ops tf, LossAssembly a, Operand<TFloat32> loss, List<Operand<TFloat32>> generated) {
    Output<?>[] atStops = graph.addGradients("grad_G_via_E", new Output<?>[] {a.lossGViaEncoder().asOutput()},
        a.encodedGenerated().stream().map(Operand::asOutput).toArray(Output<?>[]::new), null);
    Output<?>[] ys = new Output<?>[generated.size() + 1];
    Output<?>[] seeds = new Output<?>[ys.length];
    ys[0] = loss.asOutput();
    seeds[0] = tf.constant(1f).asOutput();
    for (int i = 0; i < generated.size(); i++) {
      ys[i + 1] = generated.get(i).asOutput();
      seeds[i + 1] = atStops[i];
    }
    return Optimization.gradients(graph, "grad_G", ys, seeds, decoder.parameters().trainable());
  }

  /** The convolutional model's shape; null for other networks (the 2D experiments' MLPs). */
  public ModelConfig config() {
    return config;
  }

  public Objective objective() {
    return objective;
  }

  public UpdateOrder updateOrder() {
    return updateOrder;
  }

  public int batchSize() {
    return batchSize;
  }

  @Override
  public void close() {
    graph.close();
  }
}
