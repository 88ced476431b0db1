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
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
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
 * decoder's loss, and the decoder is updated. Soft-IntroVAE here reproduces the official code step for
 * step: the decoder's terms draw fresh z_s from the updated encoder and decode them again, and the
 * encoder's expELBO compares D(z_r) with an un-stopped x_r, so the encoder also gets the gradient
 * through x_r = D(z), z ~ q(z|x) that the official code gives it (the paper's equation stops it).
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
  private static final int NOISE_DRAWS = 6;

  /** The convolutional model's shape; null for other networks (the 2D experiments' MLPs). */
  public final ModelConfig config;
  /** Data shape [side, side, channels] and latent size. */
  public final int side;
  public final int channels;
  public final int zDim;
  public final Objective objective;
  public final UpdateOrder updateOrder;
  public final int batchSize;
  public final Graph graph;

  // Inputs
  public final Placeholder<TFloat32> x;
  /** Stateless random seed pair [run seed, step]. */
  public final Placeholder<TInt64> noiseSeed;
  /** Adam's 1-based update count t. */
  public final Placeholder<TFloat32> adamStep;
  /** Both optimizers' learning rate, defaulting to the configured one; feed a schedule's value. */
  public final Operand<TFloat32> learningRate;

  // Training outputs (batch means)
  public final Operand<TFloat32> lossE;
  /** The decoder's loss (IntroVAE's L_G, Soft-IntroVAE's L_D). */
  public final Operand<TFloat32> lossG;
  /** The ELBO-type loss of the VAE warm-up (IntroVAE and VAE: L_REG + β·L_AE; Soft: β_rec·L_REC + β_kl·L_REG). */
  public final Operand<TFloat32> lossWarmUp;
  /** ½‖x − x_r‖² per image, whatever the objective, so runs compare. */
  public final Operand<TFloat32> reconstructionError;
  public final Operand<TFloat32> klReal;
  /** The encoder's KL of the step's reconstructions and samples, before any update. */
  public final Operand<TFloat32> klReconstructed;
  public final Operand<TFloat32> klSampled;
  /** Soft-IntroVAE's expELBO of reconstructions and samples (0 for the other objectives). */
  public final Operand<TFloat32> expElboReconstructed;
  public final Operand<TFloat32> expElboSampled;

  /** The objective's step: both updates in the chosen order and the BN moving averages. */
  public final Op trainStep;
  public final Op encoderUpdate;
  public final Op decoderUpdate;
  /** Both networks on {@link #lossWarmUp}, and the BN moving averages. */
  public final Op warmUpStep;
  /** {@link #warmUpStep}, also waiting for the monitored KLs of generated images (fetch them with it). */
  public final Op warmUpStepMonitored;

  /** Where the encoder's loss stops the gradient; feeding them freezes those paths. */
  public final List<Operand<TFloat32>> ngForEncoder;
  /** What the decoder's loss holds fixed (Soft-IntroVAE: the re-reconstruction targets and latents). */
  public final List<Operand<TFloat32>> ngForDecoder;

  public final EncoderNet encoder;
  public final DecoderNet decoder;
  /** Alternating order: the encoder as the decoder's loss reads it, after its update; null otherwise. */
  public final EncoderNet updatedEncoder;
  /** ∂L_E/∂θ_E and ∂L_G/∂θ_D of the objective's step, in the order of the networks' trainable lists. */
  public final Output<?>[] encoderGradients;
  public final Output<?>[] decoderGradients;

  // Inference (BN moving statistics): reconstruction with z = μ, and decoding of given z
  public final Placeholder<TFloat32> evalImages;
  public final Operand<TFloat32> evalMu;
  public final Operand<TFloat32> evalLogvar;
  public final Operand<TFloat32> evalReconstruction;
  public final Placeholder<TFloat32> evalLatents;
  public final Operand<TFloat32> evalDecoded;

  /** The shared forward passes every objective starts from. */
  private record Passes(Operand<TFloat32> xr, Operand<TFloat32> xp, Operand<TFloat32> regReal,
      Operand<TFloat32> ae, List<Output<TFloat32>> noise) {}

  /**
   * What one objective defines over the shared passes: losses, monitored values, the stop points, and
   * for the simultaneous order the part of the decoder's loss routed through the encoder's passes on
   * ng(x_r), ng(x_p) ({@code lossGViaEncoder}; null when the decoder's gradient is taken directly).
   */
  private record Assembly(Operand<TFloat32> lossE, Operand<TFloat32> lossG, Operand<TFloat32> klRec,
      Operand<TFloat32> klSample, Operand<TFloat32> expElboRec, Operand<TFloat32> expElboSample,
      List<Operand<TFloat32>> ngE, List<Operand<TFloat32>> ngD, Operand<TFloat32> lossGViaEncoder,
      List<Operand<TFloat32>> encodedGenerated) {}

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
        tf.constant(new long[] {NOISE_DRAWS, batchSize, zDim}), noiseSeed), (long) NOISE_DRAWS).output();
    Posterior q = encoder.apply(tf, x, Mode.TRAIN_RECORDING);
    Operand<TFloat32> xr = decoder.apply(tf, reparameterise(tf, q, noise.get(0)), Mode.TRAIN_RECORDING);
    Operand<TFloat32> xp = decoder.apply(tf, noise.get(1), Mode.TRAIN);
    Operand<TFloat32> ae = Losses.L_AE(tf, x, xr);
    Passes passes = new Passes(xr, xp, Losses.L_REG(tf, q), ae, noise);
    // The real-data passes above are the only ones that record BN moving statistics.
    List<Op> movingAverages = new ArrayList<>(encoder.parameters().movingAverageUpdates());
    movingAverages.addAll(decoder.parameters().movingAverageUpdates());

    Operand<TFloat32> warmLoss = objective instanceof SoftIntroVaeWeights w
        ? Losses.Soft.L_ELBO(tf, Losses.Soft.L_REC(tf, x, xr), passes.regReal(), w)
        : Losses.L_VAE(tf, passes.regReal(), ae, tf.constant(objective instanceof IntroVaeWeights w ? w.β() : ((VaeWeights) objective).β()));
    lossWarmUp = tf.withName("L_warm_up").identity(warmLoss);
    Output<?>[] warmE = Optimization.gradients(graph, "grad_warm_E", lossWarmUp, encoder.parameters().trainable());
    Output<?>[] warmG = Optimization.gradients(graph, "grad_warm_G", lossWarmUp, decoder.parameters().trainable());

    List<Operation> warmGates = opsOf(warmE, warmG);
    Op[] warm = warmUpUpdates(tf, "warm_up", adamE, adamG, warmE, warmG, warmGates);
    warmUpStep = group(tf, "warm_up_step", List.of(warm), movingAverages);

    Assembly a;
    EncoderNet after = null;
    Op updateE;
    Op updateG;
    Output<?>[] gradE;
    Output<?>[] gradG;
    if (objective instanceof VaeWeights) {
      a = vae(tf, passes, lossWarmUp);
      gradE = warmE;
      gradG = warmG;
      updateE = warm[0];
      updateG = warm[1];
    } else if (order == UpdateOrder.SIMULTANEOUS) {
      a = objective instanceof IntroVaeWeights w ? introVae(tf, w, passes, null) : softIntroVae(tf, (SoftIntroVaeWeights) objective, passes, null);
      gradE = Optimization.gradients(graph, "grad_E", a.lossE(), encoder.parameters().trainable());
      gradG = routedDecoderGradients(tf, a, a.lossG(), List.of(xr, xp));
      Ops gated = gatedOn(tf, opsOf(gradE, gradG));
      updateE = adamE.applyGradients(Optimization.pairs(gated, gradE, encoder.parameters().trainable()), "update_E");
      updateG = adamG.applyGradients(Optimization.pairs(gated, gradG, decoder.parameters().trainable()), "update_G");
    } else {
      // The encoder's half-step first; the decoder's loss then reads the encoder after that update.
      Assembly encoderHalf = objective instanceof IntroVaeWeights w ? introVae(tf, w, passes, null)
          : softIntroVae(tf, (SoftIntroVaeWeights) objective, passes, null);
      gradE = Optimization.gradients(graph, "grad_E", encoderHalf.lossE(), encoder.parameters().trainable());
      updateE = adamE.applyGradients(Optimization.pairs(gatedOn(tf, opsOf(gradE)), gradE,
          encoder.parameters().trainable()), "update_E");
      after = encoder.readingAfter(tf, List.of(updateE));
      a = objective instanceof IntroVaeWeights w ? introVae(tf, w, passes, after)
          : softIntroVae(tf, (SoftIntroVaeWeights) objective, passes, after);
      a = new Assembly(encoderHalf.lossE(), a.lossG(), encoderHalf.klRec(), encoderHalf.klSample(),
          encoderHalf.expElboRec(), encoderHalf.expElboSample(), encoderHalf.ngE(), a.ngD(), null, List.of());
      gradG = Optimization.gradients(graph, "grad_G", a.lossG(), decoder.parameters().trainable());
      updateG = adamG.applyGradients(Optimization.pairs(gatedOn(tf, opsOf(gradG)), gradG,
          decoder.parameters().trainable()), "update_G");
    }
    updatedEncoder = after;
    lossE = tf.withName("L_E").identity(a.lossE());
    lossG = tf.withName("L_G").identity(a.lossG());
    reconstructionError = tf.withName("L_AE").identity(Losses.mean(tf, ae));
    klReal = tf.withName("kl_real").identity(Losses.mean(tf, passes.regReal()));
    klReconstructed = tf.withName("kl_reconstructed").identity(a.klRec());
    klSampled = tf.withName("kl_sampled").identity(a.klSample());
    expElboReconstructed = tf.withName("exp_elbo_reconstructed").identity(a.expElboRec());
    expElboSampled = tf.withName("exp_elbo_sampled").identity(a.expElboSample());
    ngForEncoder = a.ngE();
    ngForDecoder = a.ngD();
    encoderGradients = gradE;
    decoderGradients = gradG;
    encoderUpdate = updateE;
    decoderUpdate = updateG;
    trainStep = objective instanceof VaeWeights ? warmUpStep : group(tf, "train_step", List.of(updateE, updateG), movingAverages);
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
  public Op step(boolean warmUp, boolean monitored) {
    boolean warm = warmUp || objective instanceof VaeWeights;
    return !warm ? trainStep : monitored ? warmUpStepMonitored : warmUpStep;
  }

  /**
   * Runs one training step on {@code batch} (NHWC values, {@link #batchSize} items) and returns its
   * values. {@code step} is the 0-based step number: it seeds the noise with {@code seed} and gives
   * Adam's t = step + 1. A warm-up step measures the generated images only when {@code monitored}.
   */
  public StepLosses run(Session session, float[] batch, long seed, long step, float learningRate, boolean warmUp,
      boolean monitored) {
    boolean warm = warmUp || objective instanceof VaeWeights;
    boolean measure = !warm || monitored;
    try (TFloat32 images = TFloat32.tensorOf(Shape.of(batchSize, side, side, channels), DataBuffers.of(batch, true, false));
        TInt64 seedPair = TInt64.vectorOf(seed, step);
        TFloat32 rate = TFloat32.scalarOf(learningRate);
        TFloat32 t = TFloat32.scalarOf(step + 1)) {
      Session.Runner runner = session.runner().feed(x, images).feed(noiseSeed, seedPair).feed(this.learningRate, rate)
          .feed(adamStep, t).addTarget(step(warmUp, monitored));
      // A warm-up step reports its one loss as both L_E and L_G (a tensor can be fetched once).
      List<Operand<TFloat32>> fetched = new ArrayList<>(warm ? List.of(lossWarmUp) : List.of(lossE, lossG));
      fetched.addAll(List.of(reconstructionError, klReal));
      if (measure) {
        fetched.addAll(List.of(klReconstructed, klSampled, expElboReconstructed, expElboSampled));
      }
      fetched.forEach(runner::fetch);
      try (Result r = runner.run()) {
        float[] v = new float[8];
        java.util.Arrays.fill(v, Float.NaN);
        int at = 0;
        for (int i = 0; i < r.size(); i++) {
          v[at++] = ((TFloat32) r.get(i)).getFloat();
          if (warm && i == 0) {
            v[at++] = v[0];
          }
        }
        return new StepLosses(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
      }
    }
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
   * E (TRAIN mode) over two equal batches of generated images: as one pass over both stacked when the
   * network treats samples independently (the 2-D MLPs: the same function, half the ops, larger
   * matrix products), else as two passes (batch norm must see each batch alone).
   */
  private static Posterior[] encodeBoth(Ops tf, EncoderNet e, Operand<TFloat32> a, Operand<TFloat32> b) {
    if (!e.samplesIndependent()) {
      return new Posterior[] {e.apply(tf, a, Mode.TRAIN), e.apply(tf, b, Mode.TRAIN)};
    }
    Posterior both = e.apply(tf, tf.concat(List.of(a, b), tf.constant(0)), Mode.TRAIN);
    List<Output<TFloat32>> mu = tf.split(tf.constant(0), both.mu(), 2L).output();
    List<Output<TFloat32>> logvar = tf.split(tf.constant(0), both.logvar(), 2L).output();
    return new Posterior[] {new Posterior(mu.get(0), logvar.get(0)), new Posterior(mu.get(1), logvar.get(1))};
  }

  /** D (TRAIN mode) over two equal batches of latents, stacked as in {@link #encodeBoth}. */
  private List<Operand<TFloat32>> decodeBoth(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b) {
    if (!decoder.samplesIndependent()) {
      return List.of(decoder.apply(tf, a, Mode.TRAIN), decoder.apply(tf, b, Mode.TRAIN));
    }
    Operand<TFloat32> both = decoder.apply(tf, tf.concat(List.of(a, b), tf.constant(0)), Mode.TRAIN);
    return new ArrayList<>(tf.split(tf.constant(0), both, 2L).output());
  }

  private static Operand<TFloat32> reparameterise(Ops tf, Posterior q, Operand<TFloat32> ε) {
    return tf.math.add(q.mu(), tf.math.mul(tf.math.exp(tf.math.mul(tf.constant(0.5f), q.logvar())), ε));
  }

  /**
   * ∂L_G/∂θ_D in the simultaneous order. L_G reaches θ_D directly (through x_r in its reconstruction
   * term, through D(z_s) in Soft-IntroVAE's re-reconstruction) and through the encoder's shared passes on
   * ng(x_s): the latter's gradient g_s = ∂L_G/∂ng(x_s) seeds x_s in one backward pass over D, beside
   * L_G's own seed of 1.
   */
  private Output<?>[] routedDecoderGradients(Ops tf, Assembly a, Operand<TFloat32> loss, List<Operand<TFloat32>> generated) {
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

  /**
   * IntroVAE's losses. With {@code updated} null: the encoder's terms, and (simultaneous order) L_G over
   * the same passes, its adversarial part routed. With the updated encoder: L_G over E'(x_r), E'(x_p).
   */
  private Assembly introVae(Ops tf, IntroVaeWeights w, Passes p, EncoderNet updated) {
    Operand<TFloat32> α = tf.constant(w.α());
    Operand<TFloat32> β = tf.constant(w.β());
    Operand<TFloat32> zero = tf.constant(0f);
    if (updated != null) {
      Posterior[] q = encodeBoth(tf, updated, p.xr(), p.xp());
      Operand<TFloat32> regRec = Losses.L_REG(tf, q[0]);
      Operand<TFloat32> regSample = Losses.L_REG(tf, q[1]);
      Losses.Energies e = new Losses.Energies(p.regReal(), regRec, regSample, regRec, regSample, p.ae());
      return new Assembly(null, Losses.L_G(tf, e, α, β), zero, zero, zero, zero, List.of(), List.of(), null, List.of());
    }
    Operand<TFloat32> ngXr = Losses.ng(tf, p.xr());
    Operand<TFloat32> ngXp = Losses.ng(tf, p.xp());
    // L_REG(E(ng(x_s))): the hinge's energies, and in the simultaneous order L_G's (routed into x_s).
    Posterior[] q = encodeBoth(tf, encoder, ngXr, ngXp);
    Operand<TFloat32> regRec = Losses.L_REG(tf, q[0]);
    Operand<TFloat32> regSample = Losses.L_REG(tf, q[1]);
    Losses.Energies e = new Losses.Energies(p.regReal(), regRec, regSample, regRec, regSample, p.ae());
    return new Assembly(Losses.L_E(tf, e, α, β, tf.constant(w.m())), Losses.L_G(tf, e, α, β),
        Losses.mean(tf, regRec), Losses.mean(tf, regSample), zero, zero, List.of(ngXr, ngXp), List.of(),
        Losses.L_G_adv(tf, e, α), List.of(ngXr, ngXp));
  }

  /**
   * Soft-IntroVAE's losses. With {@code updated} null: the encoder's terms over E(ng(x_s)) and D(z_s),
   * and (simultaneous order) L_D over the same passes. With the updated encoder: L_D over E'(x_s) with
   * fresh z_s' and D(ng(z_s')), as the official decoder step computes it.
   */
  private Assembly softIntroVae(Ops tf, SoftIntroVaeWeights w, Passes p, EncoderNet updated) {
    float s = 1f / (side * side * channels);
    Operand<TFloat32> recReal = Losses.Soft.L_REC(tf, x, p.xr());
    Operand<TFloat32> targetRec = Losses.ng(tf, p.xr());
    Operand<TFloat32> targetSample = Losses.ng(tf, p.xp());
    if (updated != null) {
      Posterior[] q = encodeBoth(tf, updated, p.xr(), p.xp());
      Posterior qRec = q[0];
      Posterior qSample = q[1];
      Operand<TFloat32> zRec = Losses.ng(tf, reparameterise(tf, qRec, p.noise().get(4)));
      Operand<TFloat32> zSample = Losses.ng(tf, reparameterise(tf, qSample, p.noise().get(5)));
      List<Operand<TFloat32>> decoded = decodeBoth(tf, zRec, zSample);
      Operand<TFloat32> reRecRec = Losses.Soft.L_REC(tf, targetRec, decoded.get(0));
      Operand<TFloat32> reRecSample = Losses.Soft.L_REC(tf, targetSample, decoded.get(1));
      Operand<TFloat32> regRec = Losses.L_REG(tf, qRec);
      Operand<TFloat32> regSample = Losses.L_REG(tf, qSample);
      Losses.Soft.Energies e = new Losses.Soft.Energies(recReal, p.regReal(), null, null, null, null,
          regRec, regSample, reRecRec, reRecSample);
      Operand<TFloat32> zero = tf.constant(0f);
      return new Assembly(null, Losses.Soft.L_D(tf, e, w, s), zero, zero, zero, zero, List.of(),
          List.of(targetRec, targetSample, zRec, zSample), null, List.of());
    }
    Operand<TFloat32> ngXr = Losses.ng(tf, p.xr());
    Operand<TFloat32> ngXp = Losses.ng(tf, p.xp());
    // The generated images, stopped, encoded and decoded again: the encoder's expELBO and, in the
    // simultaneous order, with z_s and the targets held, the decoder's re-reconstruction; their KL is
    // the decoder's (routed into x_s).
    Posterior[] q = encodeBoth(tf, encoder, ngXr, ngXp);
    Posterior qRec = q[0];
    Posterior qSample = q[1];
    Operand<TFloat32> zRec = reparameterise(tf, qRec, p.noise().get(2));
    Operand<TFloat32> zSample = reparameterise(tf, qSample, p.noise().get(3));
    List<Operand<TFloat32>> decoded = decodeBoth(tf, zRec, zSample);
    Operand<TFloat32> reconstructedRec = decoded.get(0);
    Operand<TFloat32> reconstructedSample = decoded.get(1);
    boolean simultaneous = updateOrder == UpdateOrder.SIMULTANEOUS;
    // The official code compares D(z_r) with x_r itself, not ng(x_r); the paper stops it.
    Operand<TFloat32> recOfRec = Losses.Soft.L_REC(tf, simultaneous ? targetRec : p.xr(), reconstructedRec);
    Operand<TFloat32> recOfSample = Losses.Soft.L_REC(tf, targetSample, reconstructedSample);
    Operand<TFloat32> regRec = Losses.L_REG(tf, qRec);
    Operand<TFloat32> regSample = Losses.L_REG(tf, qSample);
    Losses.Soft.Energies e = new Losses.Soft.Energies(recReal, p.regReal(),
        recOfRec, regRec, recOfSample, regSample, regRec, regSample, recOfRec, recOfSample);
    List<Operand<TFloat32>> ngE = simultaneous ? List.of(ngXr, ngXp, targetRec, targetSample) : List.of(ngXr, ngXp, targetSample);
    return new Assembly(Losses.Soft.L_E(tf, e, w, s), simultaneous ? Losses.Soft.L_D(tf, e, w, s) : null,
        Losses.mean(tf, regRec), Losses.mean(tf, regSample),
        Losses.Soft.expELBO(tf, recOfRec, regRec, w, s), Losses.Soft.expELBO(tf, recOfSample, regSample, w, s),
        ngE, List.of(targetRec, targetSample, zRec, zSample), Losses.Soft.L_D_kl(tf, e, w, s), List.of(ngXr, ngXp));
  }

  /** The VAE: both networks minimise the warm-up loss; the generated images' KLs are only watched (stopped). */
  private Assembly vae(Ops tf, Passes p, Operand<TFloat32> loss) {
    Posterior[] q = encodeBoth(tf, encoder, Losses.ng(tf, p.xr()), Losses.ng(tf, p.xp()));
    Operand<TFloat32> klRec = Losses.mean(tf, Losses.L_REG(tf, q[0]));
    Operand<TFloat32> klSample = Losses.mean(tf, Losses.L_REG(tf, q[1]));
    Operand<TFloat32> zero = tf.constant(0f);
    return new Assembly(loss, loss, klRec, klSample, zero, zero, List.of(), List.of(), null, List.of());
  }

  @Override
  public void close() {
    graph.close();
  }
}
