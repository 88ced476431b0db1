package org.introvae.model;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.introvae.model.Architecture.DecoderNet;
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
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

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
 * <p><b>Replicas</b> ({@link Placement}): the batch and the noise are split into equal shards; each
 * replica builds the shared passes, the objective's losses and both gradients on its shard and device;
 * the gradients are averaged and each optimizer applies one update. Replica 0's real-data passes record
 * the BN moving statistics.
 *
 * <p>All noise comes from stateless random ops seeded by the fed (seed, step) pair, so a step is a pure
 * function of the weights, the batch and that pair.
 */
public final class TrainingGraph implements AutoCloseable {
  /** The convolutional model's shape; null for other networks (the 2D experiments' MLPs). */
  final ModelConfig config;
  /** One example's shape, and the latent size. */
  final DataShape shape;
  final int zDim;
  final Objective objective;
  final UpdateOrder updateOrder;
  final int batchSize;
  final Placement placement;
  /** The graph as built: its operands are the fields below. */
  final Graph graph;
  /**
   * The graph sessions run: {@link #graph} itself, or with several replicas (or a GPU) a copy whose ops
   * are all pinned to their replica's device ({@link Placement#placed}); same node names, fed and fetched
   * by name.
   */
  final Graph executionGraph;

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
  /** The bootstrap's target decoder (decodes re-encodings, never trained); null without bootstrap. */
  final DecoderNet targetDecoder;
  /** Copies the decoder's weights and statistics into {@link #targetDecoder}; null without bootstrap. */
  final Op refreshTarget;
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
  /** D(z) of the fed batch with every normalisation on its statistics; null for decoders without batch norm. */
  final Operand<TFloat32> evalDecodedBatchStatistics;
  /** Growing networks: the growth g to set ({@link Growth}) and the op setting every network's variable to it; else null. */
  final Placeholder<TFloat32> growth;
  final Op setGrowth;
  /** The step's style-mixing crossover ({@link StyleMixing}; the decoder's layer count: none); null without mixing. */
  final Operand<TInt32> styleCrossover;

  /** The convolutional IntroVAE model of {@code config}, on the CPU. */
  public TrainingGraph(ModelConfig config, Objective objective, UpdateOrder order, float learningRate, int batchSize,
      long initSeed) {
    this(config, objective, order, learningRate, batchSize, initSeed, Placement.CPU);
  }

  /** The convolutional IntroVAE model of {@code config}, placed as {@code placement} says. */
  public TrainingGraph(ModelConfig config, Objective objective, UpdateOrder order, float learningRate, int batchSize,
      long initSeed, Placement placement) {
    this(config, objective, order, learningRate, batchSize, initSeed, placement, false);
  }

  /**
   * The convolutional model, bootstrapped when {@code bootstrap} (Soft-IntroVAE, alternating order): an
   * untrained target decoder of its own initialisation decodes the re-encodings until the first refresh.
   */
  public TrainingGraph(ModelConfig config, Objective objective, UpdateOrder order, float learningRate, int batchSize,
      long initSeed, Placement placement, boolean bootstrap) {
    this(config, objective, order, learningRate, batchSize, initSeed, placement, bootstrap, StyleMixing.OFF);
  }

  /** The convolutional model, bootstrapped as above, its prior samples' styles mixed as {@code mixing} says. */
  public TrainingGraph(ModelConfig config, Objective objective, UpdateOrder order, float learningRate, int batchSize,
      long initSeed, Placement placement, boolean bootstrap, StyleMixing mixing) {
    this(config, DataShape.square(config.imageSize(), config.imageChannels()), config.zDim(), objective, order, learningRate, batchSize,
        tf -> config.architecture().encoder(tf, config, initSeed),
        tf -> config.architecture().decoder(tf, config, initSeed + 1, true, "decoder"), placement,
        bootstrap ? tf -> config.architecture().decoder(tf, config, initSeed + 2, true, "target_decoder") : null, mixing);
  }

  /** Any encoder and decoder, without bootstrap. */
  public TrainingGraph(ModelConfig config, DataShape shape, int zDim, Objective objective, UpdateOrder order,
      float learningRate, int batchSize, Function<Ops, EncoderNet> encoderOf, Function<Ops, DecoderNet> decoderOf,
      Placement placement) {
    this(config, shape, zDim, objective, order, learningRate, batchSize, encoderOf, decoderOf, placement, null);
  }

  /**
   * Any encoder and decoder over data of {@code shape}, e.g. 2-D points as [1, 1, 2]. With
   * several replicas the batch is split into equal shards, one per replica.
   */
  public TrainingGraph(ModelConfig config, DataShape shape, int zDim, Objective objective, UpdateOrder order,
      float learningRate, int batchSize, Function<Ops, EncoderNet> encoderOf, Function<Ops, DecoderNet> decoderOf,
      Placement placement, Function<Ops, DecoderNet> targetOf) {
    this(config, shape, zDim, objective, order, learningRate, batchSize, encoderOf, decoderOf, placement, targetOf,
        StyleMixing.OFF);
  }

  /** As above, with style mixing of the prior samples (the style-based decoder only). */
  public TrainingGraph(ModelConfig config, DataShape shape, int zDim, Objective objective, UpdateOrder order,
      float learningRate, int batchSize, Function<Ops, EncoderNet> encoderOf, Function<Ops, DecoderNet> decoderOf,
      Placement placement, Function<Ops, DecoderNet> targetOf, StyleMixing mixing) {
    TensorFlowRuntime.prepare();
    if (targetOf != null && (!(objective instanceof SoftIntroVaeObjective) || order != UpdateOrder.ALTERNATING)) {
      throw new IllegalArgumentException("bootstrap is Soft-IntroVAE's, in the alternating order");
    }
    if (mixing.on() && (config == null || !config.architecture().styleBased())) {
      throw new IllegalArgumentException("style mixing needs the style-based decoder");
    }
    if (batchSize % placement.replicas() != 0) {
      throw new IllegalArgumentException("a batch of " + batchSize + " does not split into " + placement.replicas()
          + " equal shards");
    }
    this.config = config;
    this.shape = shape;
    this.zDim = zDim;
    this.objective = objective;
    this.updateOrder = order;
    this.batchSize = batchSize;
    this.placement = placement;
    this.graph = new Graph();
    Ops tf = Ops.create(graph);

    x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(shape.of(batchSize)));
    noiseSeed = tf.withName("noise_seed").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
    adamStep = tf.withName("adam_step").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    this.learningRate = tf.withName("learning_rate").placeholderWithDefault(tf.constant(learningRate), Shape.scalar());

    encoder = encoderOf.apply(tf);
    decoder = decoderOf.apply(tf);
    targetDecoder = targetOf == null ? null : targetOf.apply(tf);
    refreshTarget = targetDecoder == null ? null : tf.withName("refresh_target")
        .withControlDependencies(targetDecoder.parameters().assignedFrom(tf, decoder.parameters())).noOp();
    boolean grows = config != null && config.progressive();
    growth = grows ? tf.withName("growth").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar())) : null;
    setGrowth = grows ? setGrowth(tf, growth, encoder, decoder, targetDecoder) : null;
    // The grown networks see real images blended as their images are (ALAE's real batches during a fade).
    Operand<TFloat32> real = grows ? Growth.realImages(tf, x,
        tf.identity(((StyleNetworks.Decoder) decoder).growth()), config.widths().length) : x;
    List<Variable<TFloat32>> thetaE = encoder.parameters().trainable();
    List<Variable<TFloat32>> thetaD = decoder.parameters().trainable();
    float[] betas = (config == null ? ImageArchitecture.RESIDUAL : config.architecture()).adamBetas();
    SteppedAdam adamE = new SteppedAdam(graph, "adam_E", this.learningRate, betas[0], betas[1], 1e-8f, adamStep);
    SteppedAdam adamG = new SteppedAdam(graph, "adam_G", this.learningRate, betas[0], betas[1], 1e-8f, adamStep);

    // Independent N(0, I) draws: ε for x, z_p, then ε for re-encodings of x_r and x_p (two pairs: the
    // encoder's, and in the alternating order the updated encoder's). Drawn for the whole batch and then
    // split, so that every replica count sees the same noise.
    List<Output<TFloat32>> noise = tf.unstack(tf.withName("noise").random.statelessRandomNormal(
        tf.constant(new long[] {SharedPasses.NOISE_DRAWS, batchSize, zDim}), noiseSeed),
        (long) SharedPasses.NOISE_DRAWS).output();
    StyleMixing.Draws mixed = !mixing.on() ? null
        : mixing.draw(tf, noiseSeed, batchSize, zDim, ((StyleNetworks.Decoder) decoder).styleLayers());
    styleCrossover = mixed == null ? null : tf.withName("style_crossover").identity(mixed.crossover());
    int n = placement.replicas();
    List<Replica> replicas = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StyleMixing.Draws shardMixed = mixed == null ? null
          : new StyleMixing.Draws(shard(tf, mixed.zFine(), i, n), mixed.crossover());
      replicas.add(new Replica(placement.on(tf, i), i, shard(tf, real, i, n), shardsOf(tf, noise, i, n), shardMixed));
    }
    // Only replica 0's real-data passes record BN moving statistics: one assign per statistic, no race
    // between replicas, and its shard's statistics are as good an estimate as the whole batch's once
    // averaged over many steps. Each replica normalises with its own shard's statistics.
    List<Op> movingAverages = new ArrayList<>(encoder.parameters().movingAverageUpdates());
    movingAverages.addAll(decoder.parameters().movingAverageUpdates());

    lossWarmUp = tf.withName("L_warm_up").identity(meanOf(tf, replicas, r -> r.warmUpLoss));
    Output<?>[] warmE = averaged(tf, "warm_E", replicas, r -> r.gradients("grad_warm_E", r.warmUpLoss, thetaE));
    Output<?>[] warmG = averaged(tf, "warm_G", replicas, r -> r.gradients("grad_warm_G", r.warmUpLoss, thetaD));

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
      replicas.forEach(r -> r.assembled = r.assemble(null));
      a = combined(tf, replicas);
      a = new LossAssembly(lossWarmUp, lossWarmUp, a.klReconstructed(), a.klSampled(), a.expElboReconstructed(),
          a.expElboSampled(), a.ngForEncoder(), a.ngForDecoder(), null, List.of());
      gradE = warmE;
      gradG = warmG;
      updateE = warm[0];
      updateG = warm[1];
    } else if (order == UpdateOrder.SIMULTANEOUS) {
      replicas.forEach(r -> r.assembled = r.assemble(null));
      a = combined(tf, replicas);
      gradE = averaged(tf, "E", replicas, r -> r.gradients("grad_E", r.assembled.lossE(), thetaE));
      gradG = averaged(tf, "G", replicas, Replica::routedDecoderGradients);
      Ops gated = gatedOn(tf, opsOf(gradE, gradG));
      updateE = adamE.applyGradients(Optimization.pairs(gated, gradE, encoder.parameters().trainable()), "update_E");
      updateG = adamG.applyGradients(Optimization.pairs(gated, gradG, decoder.parameters().trainable()), "update_G");
    } else {
      // The encoder's half-step first; the decoder's loss then reads the encoder after that update.
      replicas.forEach(r -> r.assembled = r.assemble(null));
      gradE = averaged(tf, "E", replicas, r -> r.gradients("grad_E", r.assembled.lossE(), thetaE));
      updateE = adamE.applyGradients(Optimization.pairs(gatedOn(tf, opsOf(gradE)), gradE,
          encoder.parameters().trainable()), "update_E");
      for (Replica r : replicas) {
        r.updatedEncoder = encoder.readingAfter(r.tf, List.of(updateE));
        r.assembled = r.assembled.withDecoderHalf(r.assemble(r.updatedEncoder));
      }
      after = replicas.get(0).updatedEncoder;
      a = combined(tf, replicas);
      gradG = averaged(tf, "G", replicas, r -> r.gradients("grad_G", r.assembled.lossG(), thetaD));
      updateG = adamG.applyGradients(Optimization.pairs(gatedOn(tf, opsOf(gradG)), gradG,
          decoder.parameters().trainable()), "update_G");
    }
    updatedEncoder = after;
    lossE = tf.withName("L_E").identity(a.lossE());
    lossG = tf.withName("L_G").identity(a.lossG());
    reconstructionError = tf.withName("L_AE").identity(meanOf(tf, replicas, r -> Losses.mean(r.tf, r.passes.ae())));
    klReal = tf.withName("kl_real").identity(meanOf(tf, replicas, r -> Losses.mean(r.tf, r.passes.regReal())));
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

    evalImages = tf.withName("eval_images").placeholder(TFloat32.class, Placeholder.shape(shape.of(-1)));
    Posterior evalQ = encoder.apply(tf, evalImages, Mode.INFERENCE);
    evalMu = tf.withName("eval_mu").identity(evalQ.mu());
    evalLogvar = tf.withName("eval_logvar").identity(evalQ.logvar());
    evalReconstruction = tf.withName("eval_reconstruction").identity(decoder.apply(tf, evalMu, Mode.INFERENCE));
    evalLatents = tf.withName("eval_latents").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, zDim)));
    evalDecoded = tf.withName("eval_decoded").identity(decoder.apply(tf, evalLatents, Mode.INFERENCE));
    evalDecodedBatchStatistics = !(decoder instanceof Architecture.Decoder) ? null
        : tf.withName("eval_decoded_batch_statistics").identity(decoder.apply(tf, evalLatents, Mode.TRAIN));
    executionGraph = placement.placed(graph);
  }

  /** Assigns g to the growth variable of every network that has one. */
  private static Op setGrowth(Ops tf, Operand<TFloat32> g, EncoderNet encoder, DecoderNet decoder, DecoderNet target) {
    List<Op> assigns = new ArrayList<>();
    assigns.add(tf.assign(((StyleNetworks.Encoder) encoder).growth(), g));
    for (DecoderNet d : java.util.Arrays.asList(decoder, target)) {
      if (d != null) {
        assigns.add(tf.assign(((StyleNetworks.Decoder) d).growth(), g));
      }
    }
    return tf.withName("set_growth").withControlDependencies(assigns).noOp();
  }

  /**
   * One replica's part of the step: the shared passes over its shard, on its device, and the objective's
   * losses over them. Replica 0 alone records the BN moving statistics.
   */
  private final class Replica {
    final Ops tf;
    final int index;
    final SharedPasses passes;
    final Operand<TFloat32> warmUpLoss;
    LossAssembly assembled;
    EncoderNet updatedEncoder;

    Replica(Ops tf, int index, Operand<TFloat32> x, List<Output<TFloat32>> noise, StyleMixing.Draws mixed) {
      this.tf = tf;
      this.index = index;
      Mode real = index == 0 ? Mode.TRAIN_RECORDING : Mode.TRAIN;
      Posterior q = encoder.applyToRealImages(tf, x, real);
      Operand<TFloat32> xr = decoder.apply(tf, SharedPasses.reparameterise(tf, q, noise.get(0)), real);
      Operand<TFloat32> xp = mixed == null ? decoder.apply(tf, noise.get(1), Mode.TRAIN)
          : ((StyleNetworks.Decoder) decoder).applyMixed(tf, noise.get(1), mixed.zFine(), mixed.crossover(), Mode.TRAIN);
      Operand<TFloat32> recReal = decoder.reconstructionError().of(tf, x, xr);
      passes = new SharedPasses(x, xr, xp, Losses.L_REG(tf, q), recReal, Losses.L_AE(tf, recReal), noise, encoder, decoder,
          targetDecoder != null ? targetDecoder : decoder,
          shape.values());
      warmUpLoss = objective.warmUpLoss(tf, passes);
    }

    LossAssembly assemble(EncoderNet updated) {
      return objective.assemble(tf, passes, updateOrder, updated);
    }

    Output<?>[] gradients(String name, Operand<TFloat32> loss, List<Variable<TFloat32>> variables) {
      return Optimization.gradients(graph, placement.name(index, name), loss, variables);
    }

    /**
     * ∂L_G/∂θ_D in the simultaneous order. L_G reaches θ_D directly (through x_r in its reconstruction
     * term, through D(z_s) in Soft-IntroVAE's re-reconstruction) and through the encoder's shared passes
     * on ng(x_s): the latter's gradient g_s = ∂L_G/∂ng(x_s) seeds x_s in one backward pass over D,
     * beside L_G's own seed of 1.
     */
    Output<?>[] routedDecoderGradients() {
      LossAssembly a = assembled;
      List<Operand<TFloat32>> generated = List.of(passes.xr(), passes.xp());
      Output<?>[] atStops = graph.addGradients(placement.name(index, "grad_G_via_E"),
          new Output<?>[] {a.lossGViaEncoder().asOutput()},
          a.encodedGenerated().stream().map(Operand::asOutput).toArray(Output<?>[]::new), null);
      Output<?>[] ys = new Output<?>[generated.size() + 1];
      Output<?>[] seeds = new Output<?>[ys.length];
      ys[0] = a.lossG().asOutput();
      seeds[0] = tf.constant(1f).asOutput();
      for (int i = 0; i < generated.size(); i++) {
        ys[i + 1] = generated.get(i).asOutput();
        seeds[i + 1] = atStops[i];
      }
      return Optimization.gradients(graph, placement.name(index, "grad_G"), ys, seeds, decoder.parameters().trainable());
    }
  }

  /** Replica {@code i}'s shard of {@code batch} along its first axis (the batch itself for one replica). */
  private static <T extends TType> Operand<T> shard(Ops tf, Operand<T> batch, int i, int n) {
    return n == 1 ? batch : tf.split(tf.constant(0), batch, (long) n).output().get(i);
  }

  private static List<Output<TFloat32>> shardsOf(Ops tf, List<Output<TFloat32>> draws, int i, int n) {
    List<Output<TFloat32>> out = new ArrayList<>();
    for (Output<TFloat32> d : draws) {
      out.add(shard(tf, d, i, n).asOutput());
    }
    return out;
  }

  /** The mean over replicas of a per-replica batch mean: the whole batch's mean, shards being equal. */
  private static Operand<TFloat32> meanOf(Ops tf, List<Replica> replicas, Function<Replica, Operand<TFloat32>> value) {
    if (replicas.size() == 1) {
      return value.apply(replicas.get(0));
    }
    List<Operand<TFloat32>> values = replicas.stream().map(value).toList();
    return tf.math.div(tf.math.addN(values), tf.constant((float) values.size()));
  }

  /**
   * The replicas' gradients averaged, variable by variable: each replica's loss is its shard's mean, so
   * their mean is the gradient of the whole batch's mean. A gradient cut off by a stop stays closed.
   */
  @SuppressWarnings("unchecked")
  private static Output<?>[] averaged(Ops tf, String name, List<Replica> replicas,
      Function<Replica, Output<?>[]> gradients) {
    List<Output<?>[]> all = replicas.stream().map(gradients).toList();
    if (all.size() == 1) {
      return all.get(0);
    }
    Output<?>[] mean = new Output<?>[all.get(0).length];
    for (int v = 0; v < mean.length; v++) {
      int variable = v;
      if (all.get(0)[v].isClosed()) {
        mean[v] = all.get(0)[v];
        continue;
      }
      List<Operand<TFloat32>> each = all.stream().map(g -> (Operand<TFloat32>) g[variable]).toList();
      mean[v] = tf.withName("mean_grad_" + name + "_" + v).math.div(tf.math.addN(each),
          tf.constant((float) each.size())).asOutput();
    }
    return mean;
  }

  /** The replicas' losses and measurements as batch means; their stop points together. */
  private static LossAssembly combined(Ops tf, List<Replica> replicas) {
    if (replicas.size() == 1) {
      return replicas.get(0).assembled;
    }
    List<Operand<TFloat32>> ngE = new ArrayList<>();
    List<Operand<TFloat32>> ngG = new ArrayList<>();
    for (Replica r : replicas) {
      ngE.addAll(r.assembled.ngForEncoder());
      ngG.addAll(r.assembled.ngForDecoder());
    }
    LossAssembly first = replicas.get(0).assembled;
    return new LossAssembly(
        first.lossE() == null ? null : meanOf(tf, replicas, r -> r.assembled.lossE()),
        first.lossG() == null ? null : meanOf(tf, replicas, r -> r.assembled.lossG()),
        meanOf(tf, replicas, r -> r.assembled.klReconstructed()),
        meanOf(tf, replicas, r -> r.assembled.klSampled()),
        meanOf(tf, replicas, r -> r.assembled.expElboReconstructed()),
        meanOf(tf, replicas, r -> r.assembled.expElboSampled()),
        ngE, ngG, null, List.of());
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

  public Placement placement() {
    return placement;
  }

  @Override
  public void close() {
    if (executionGraph != graph) {
      executionGraph.close();
    }
    graph.close();
  }
}
