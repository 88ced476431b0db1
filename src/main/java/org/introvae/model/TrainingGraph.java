package org.introvae.model;

import java.util.ArrayList;
import java.util.List;
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
 * <p>Every objective: E(x) → z = μ + σ·ε → x_r = D(z); x_p = D(z_p), z_p ~ N(0, I). IntroVAE and
 * Soft-IntroVAE then encode each generated image x_s ∈ {x_r, x_p} once, as E(ng(x_s)), and Soft-IntroVAE
 * decodes it once more, D(z_s) with z_s ~ q(z|x_s). The encoder's loss sees those passes as the papers
 * write it (x_s stopped). The decoder's loss needs E(x_s) without the stop; both updates use the same
 * weights in one step, so that pass would compute the same values again. Instead its gradient is routed
 * by the chain rule: ∂L_G/∂ng(x_s) through the shared pass, fed back into x_s as the initial gradient of
 * the backward pass over D. Soft-IntroVAE's decoder re-reconstruction uses the same z_s (one sample
 * serves both losses; each stays an unbiased one-sample estimate) with its latents and targets stopped,
 * so D(z_s) is shared too. The encoder loss is differentiated w.r.t. the encoder's variables only and
 * the decoder loss w.r.t. the decoder's; both Adam updates run in one session call, each gated on every
 * gradient so no update runs before the other loss's gradient has been read. All noise comes from
 * stateless random ops seeded by the fed (seed, step) pair, so a step is a pure function of the
 * weights, the batch and that pair.
 */
public final class TrainingGraph implements AutoCloseable {
  /** The convolutional model's shape; null for other networks (the 2D experiments' MLPs). */
  public final ModelConfig config;
  /** Data shape [side, side, channels] and latent size. */
  public final int side;
  public final int channels;
  public final int zDim;
  public final Objective objective;
  public final int batchSize;
  public final Graph graph;

  // Inputs
  public final Placeholder<TFloat32> x;
  /** Stateless random seed pair [run seed, step]. */
  public final Placeholder<TInt64> noiseSeed;
  /** 1 for the objective's adversarial terms, 0 during VAE warm-up (default 1). */
  public final Operand<TFloat32> adversarial;
  /** Adam's 1-based update count t. */
  public final Placeholder<TFloat32> adamStep;
  /** Both optimizers' learning rate, defaulting to the configured one; feed a schedule's value. */
  public final Operand<TFloat32> learningRate;

  // Training outputs (batch means)
  public final Operand<TFloat32> lossE;
  /** The decoder's loss (IntroVAE's L_G, Soft-IntroVAE's L_D). */
  public final Operand<TFloat32> lossG;
  /** ½‖x − x_r‖² per image, whatever the objective, so runs compare. */
  public final Operand<TFloat32> reconstructionError;
  public final Operand<TFloat32> klReal;
  public final Operand<TFloat32> klReconstructed;
  public final Operand<TFloat32> klSampled;
  /** Soft-IntroVAE's expELBO of reconstructions and samples (0 for the other objectives). */
  public final Operand<TFloat32> expElboReconstructed;
  public final Operand<TFloat32> expElboSampled;

  /** Both updates and the BN moving averages. */
  public final Op trainStep;
  public final Op encoderUpdate;
  public final Op decoderUpdate;

  /** Where the encoder's loss stops the gradient (ng(x_r), ng(x_p), and Soft-IntroVAE's targets); feeding them freezes those paths. */
  public final List<Operand<TFloat32>> ngForEncoder;
  /** What the decoder's loss holds fixed (Soft-IntroVAE: the re-reconstruction targets ng(x_s) and latents z_s); empty otherwise. */
  public final List<Operand<TFloat32>> ngForDecoder;

  public final EncoderNet encoder;
  public final DecoderNet decoder;
  /** ∂L_E/∂θ_E and ∂L_G/∂θ_D, in the order of the networks' trainable lists. */
  public final Output<?>[] encoderGradients;
  public final Output<?>[] decoderGradients;

  // Inference (BN moving statistics): reconstruction with z = μ, and decoding of given z
  public final Placeholder<TFloat32> evalImages;
  public final Operand<TFloat32> evalMu;
  public final Operand<TFloat32> evalLogvar;
  public final Operand<TFloat32> evalReconstruction;
  public final Placeholder<TFloat32> evalLatents;
  public final Operand<TFloat32> evalDecoded;

  /**
   * The losses and monitored values one objective defines over the shared forward passes, and the
   * part of the decoder's loss that reaches it through the encoder's passes on ng(x_r), ng(x_p)
   * ({@code lossGViaEncoder}; null when none does).
   */
  private record Assembly(Operand<TFloat32> lossE, Operand<TFloat32> lossG, Operand<TFloat32> klRec,
      Operand<TFloat32> klSample, Operand<TFloat32> expElboRec, Operand<TFloat32> expElboSample,
      List<Operand<TFloat32>> ngE, List<Operand<TFloat32>> ngD, Operand<TFloat32> lossGViaEncoder,
      List<Operand<TFloat32>> encodedGenerated) {}

  /** The convolutional IntroVAE model of {@code config}. */
  public TrainingGraph(ModelConfig config, Objective objective, float learningRate, int batchSize, long initSeed) {
    this(config, config.imageSize(), config.imageChannels(), config.zDim(), objective, learningRate, batchSize,
        tf -> new Encoder(tf, config, initSeed), tf -> new Decoder(tf, config, initSeed + 1));
  }

  /** Any encoder and decoder over data of shape [side, side, channels], e.g. 2-D points as [1, 1, 2]. */
  public TrainingGraph(ModelConfig config, int side, int channels, int zDim, Objective objective, float learningRate,
      int batchSize, java.util.function.Function<Ops, EncoderNet> encoderOf,
      java.util.function.Function<Ops, DecoderNet> decoderOf) {
    TensorFlowRuntime.prepare();
    this.config = config;
    this.side = side;
    this.channels = channels;
    this.zDim = zDim;
    this.objective = objective;
    this.batchSize = batchSize;
    this.graph = new Graph();
    Ops tf = Ops.create(graph);
    int s = side;
    int c = channels;
    int z = zDim;

    x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(batchSize, s, s, c)));
    noiseSeed = tf.withName("noise_seed").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
    adversarial = tf.withName("adversarial").placeholderWithDefault(tf.constant(1f), Shape.scalar());
    adamStep = tf.withName("adam_step").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    this.learningRate = tf.withName("learning_rate").placeholderWithDefault(tf.constant(learningRate), Shape.scalar());

    encoder = encoderOf.apply(tf);
    decoder = decoderOf.apply(tf);

    // Four independent N(0, I) draws: ε for x, z_p, and ε for Soft-IntroVAE's re-encodings of x_r and x_p.
    List<Output<TFloat32>> noise = tf.unstack(
        tf.random.statelessRandomNormal(tf.constant(new long[] {4, batchSize, z}), noiseSeed), 4L).output();
    Posterior q = encoder.apply(tf, x, Mode.TRAIN_RECORDING);
    Operand<TFloat32> xr = decoder.apply(tf, reparameterise(tf, q, noise.get(0)), Mode.TRAIN_RECORDING);
    Operand<TFloat32> xp = decoder.apply(tf, noise.get(1), Mode.TRAIN);
    Operand<TFloat32> regReal = Losses.L_REG(tf, q);
    Operand<TFloat32> ae = Losses.L_AE(tf, x, xr);

    Assembly a;
    if (objective instanceof IntroVaeWeights w) {
      a = introVae(tf, w, xr, xp, regReal, ae);
    } else if (objective instanceof SoftIntroVaeWeights w) {
      a = softIntroVae(tf, w, xr, xp, regReal, noise);
    } else {
      a = vae(tf, (VaeWeights) objective, xr, xp, regReal, ae);
    }
    lossE = tf.withName("L_E").identity(a.lossE());
    lossG = tf.withName("L_G").identity(a.lossG());
    reconstructionError = tf.withName("L_AE").identity(Losses.mean(tf, ae));
    klReal = tf.withName("kl_real").identity(Losses.mean(tf, regReal));
    klReconstructed = tf.withName("kl_reconstructed").identity(a.klRec());
    klSampled = tf.withName("kl_sampled").identity(a.klSample());
    expElboReconstructed = tf.withName("exp_elbo_reconstructed").identity(a.expElboRec());
    expElboSampled = tf.withName("exp_elbo_sampled").identity(a.expElboSample());
    ngForEncoder = a.ngE();
    ngForDecoder = a.ngD();
    encoderGradients = Optimization.gradients(graph, "grad_E", lossE, encoder.parameters().trainable());
    decoderGradients = decoderGradients(tf, a, List.of(xr, xp));
    List<Operation> every = new ArrayList<>();
    addOpen(every, encoderGradients);
    addOpen(every, decoderGradients);
    Ops afterAllGradients = tf.withControlDependencyOps(every);
    encoderUpdate = new SteppedAdam(graph, "adam_E", this.learningRate, 0.9f, 0.999f, 1e-8f, adamStep)
        .applyGradients(Optimization.pairs(afterAllGradients, encoderGradients, encoder.parameters().trainable()), "update_E");
    decoderUpdate = new SteppedAdam(graph, "adam_G", this.learningRate, 0.9f, 0.999f, 1e-8f, adamStep)
        .applyGradients(Optimization.pairs(afterAllGradients, decoderGradients, decoder.parameters().trainable()), "update_G");
    List<Op> all = new ArrayList<>(List.of(encoderUpdate, decoderUpdate));
    all.addAll(encoder.parameters().movingAverageUpdates());
    all.addAll(decoder.parameters().movingAverageUpdates());
    trainStep = tf.withControlDependencies(all).withName("train_step").noOp();

    evalImages = tf.withName("eval_images").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, s, s, c)));
    Posterior evalQ = encoder.apply(tf, evalImages, Mode.INFERENCE);
    evalMu = tf.withName("eval_mu").identity(evalQ.mu());
    evalLogvar = tf.withName("eval_logvar").identity(evalQ.logvar());
    evalReconstruction = tf.withName("eval_reconstruction").identity(decoder.apply(tf, evalMu, Mode.INFERENCE));
    evalLatents = tf.withName("eval_latents").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, z)));
    evalDecoded = tf.withName("eval_decoded").identity(decoder.apply(tf, evalLatents, Mode.INFERENCE));
  }

  private static Operand<TFloat32> reparameterise(Ops tf, Posterior q, Operand<TFloat32> ε) {
    return tf.math.add(q.mu(), tf.math.mul(tf.math.exp(tf.math.mul(tf.constant(0.5f), q.logvar())), ε));
  }

  /**
   * ∂L_G/∂θ_D. L_G reaches θ_D directly (through x_r in its reconstruction term, through D(z_s) in
   * Soft-IntroVAE's re-reconstruction) and through the encoder's shared passes on ng(x_s): the latter's
   * gradient g_s = ∂L_G/∂ng(x_s) seeds x_s in one backward pass over D, beside L_G's own seed of 1.
   */
  private Output<?>[] decoderGradients(Ops tf, Assembly a, List<Operand<TFloat32>> generated) {
    if (a.lossGViaEncoder() == null) {
      return Optimization.gradients(graph, "grad_G", lossG, decoder.parameters().trainable());
    }
    Output<?>[] atStops = graph.addGradients("grad_G_via_E", new Output<?>[] {a.lossGViaEncoder().asOutput()},
        a.encodedGenerated().stream().map(Operand::asOutput).toArray(Output<?>[]::new), null);
    Output<?>[] ys = new Output<?>[generated.size() + 1];
    Output<?>[] seeds = new Output<?>[ys.length];
    ys[0] = lossG.asOutput();
    seeds[0] = tf.constant(1f).asOutput();
    for (int i = 0; i < generated.size(); i++) {
      ys[i + 1] = generated.get(i).asOutput();
      seeds[i + 1] = atStops[i];
    }
    return Optimization.gradients(graph, "grad_G", ys, seeds, decoder.parameters().trainable());
  }

  private Assembly introVae(Ops tf, IntroVaeWeights w, Operand<TFloat32> xr, Operand<TFloat32> xp,
      Operand<TFloat32> regReal, Operand<TFloat32> ae) {
    Operand<TFloat32> ngXr = Losses.ng(tf, xr);
    Operand<TFloat32> ngXp = Losses.ng(tf, xp);
    // L_REG(E(ng(x_s))): the hinge's energies, and L_G's (its gradient routed into x_s, see decoderGradients).
    Operand<TFloat32> regRec = Losses.L_REG(tf, encoder.apply(tf, ngXr, Mode.TRAIN));
    Operand<TFloat32> regSample = Losses.L_REG(tf, encoder.apply(tf, ngXp, Mode.TRAIN));
    Losses.Energies e = new Losses.Energies(regReal, regRec, regSample, regRec, regSample, ae);
    Operand<TFloat32> α = tf.math.mul(tf.constant(w.α()), adversarial);
    Operand<TFloat32> β = tf.constant(w.β());
    Operand<TFloat32> zero = tf.constant(0f);
    return new Assembly(Losses.L_E(tf, e, α, β, tf.constant(w.m())), Losses.L_G(tf, e, α, β),
        Losses.mean(tf, regRec), Losses.mean(tf, regSample), zero, zero, List.of(ngXr, ngXp), List.of(),
        Losses.L_G_adv(tf, e, α), List.of(ngXr, ngXp));
  }

  private Assembly softIntroVae(Ops tf, SoftIntroVaeWeights w, Operand<TFloat32> xr, Operand<TFloat32> xp,
      Operand<TFloat32> regReal, List<Output<TFloat32>> noise) {
    float s = 1f / (side * side * channels);
    Operand<TFloat32> ngXr = Losses.ng(tf, xr);
    Operand<TFloat32> ngXp = Losses.ng(tf, xp);
    // The generated images, stopped, encoded and decoded again: the encoder's expELBO and, with z_s and
    // the targets held, the decoder's re-reconstruction; their KL is the decoder's (routed into x_s).
    Posterior qRec = encoder.apply(tf, ngXr, Mode.TRAIN);
    Posterior qSample = encoder.apply(tf, ngXp, Mode.TRAIN);
    Operand<TFloat32> zRec = reparameterise(tf, qRec, noise.get(2));
    Operand<TFloat32> zSample = reparameterise(tf, qSample, noise.get(3));
    // Targets get their own stops so that holding them fixed does not also freeze the KL's path.
    Operand<TFloat32> targetRec = Losses.ng(tf, xr);
    Operand<TFloat32> targetSample = Losses.ng(tf, xp);
    Operand<TFloat32> recOfRec = Losses.Soft.L_REC(tf, targetRec, decoder.apply(tf, zRec, Mode.TRAIN));
    Operand<TFloat32> recOfSample = Losses.Soft.L_REC(tf, targetSample, decoder.apply(tf, zSample, Mode.TRAIN));
    Operand<TFloat32> regRec = Losses.L_REG(tf, qRec);
    Operand<TFloat32> regSample = Losses.L_REG(tf, qSample);
    Losses.Soft.Energies e = new Losses.Soft.Energies(Losses.Soft.L_REC(tf, x, xr), regReal,
        recOfRec, regRec, recOfSample, regSample, regRec, regSample, recOfRec, recOfSample);
    return new Assembly(Losses.Soft.L_E(tf, e, w, s, adversarial), Losses.Soft.L_D(tf, e, w, s, adversarial),
        Losses.mean(tf, regRec), Losses.mean(tf, regSample),
        Losses.Soft.expELBO(tf, recOfRec, regRec, w, s),
        Losses.Soft.expELBO(tf, recOfSample, regSample, w, s),
        List.of(ngXr, ngXp, targetRec, targetSample), List.of(targetRec, targetSample, zRec, zSample),
        Losses.Soft.L_D_kl(tf, e, w, s, adversarial), List.of(ngXr, ngXp));
  }

  private Assembly vae(Ops tf, VaeWeights w, Operand<TFloat32> xr, Operand<TFloat32> xp, Operand<TFloat32> regReal,
      Operand<TFloat32> ae) {
    Operand<TFloat32> loss = Losses.L_VAE(tf, regReal, ae, tf.constant(w.β()));
    // KL of generated images only to watch; stopped, so no gradient flows through these passes.
    Operand<TFloat32> klRec = Losses.mean(tf, Losses.L_REG(tf, encoder.apply(tf, Losses.ng(tf, xr), Mode.TRAIN)));
    Operand<TFloat32> klSample = Losses.mean(tf, Losses.L_REG(tf, encoder.apply(tf, Losses.ng(tf, xp), Mode.TRAIN)));
    Operand<TFloat32> zero = tf.constant(0f);
    return new Assembly(loss, loss, klRec, klSample, zero, zero, List.of(), List.of(), null, List.of());
  }

  private static void addOpen(List<Operation> into, Output<?>[] gradients) {
    for (Output<?> g : gradients) {
      if (!g.isClosed()) {
        into.add(g.op());
      }
    }
  }

  @Override
  public void close() {
    graph.close();
  }
}
