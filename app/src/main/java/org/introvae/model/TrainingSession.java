package org.introvae.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * A {@link TrainingGraph} in a session: what the trainer, the 2-D experiments, the benchmarks and the
 * tests do with a model in training — steps, reconstructions, decodings, samples — without touching
 * its tensors. Owns the graph and the session and closes both.
 */
public final class TrainingSession implements AutoCloseable {
  /** Prior draws decoded beside a picture's samples so that its batch statistics are steady (28×28). */
  static final int PICTURE_PRIOR_DRAWS = 256;

  private final TrainingGraph g;
  private final Session session;

  /** μ, log σ² and D(μ) of some inputs, row-major, with batch norm in inference mode. */
  public record Reconstruction(float[] mu, float[] logvar, float[] images) {}

  private final ConfigProto config;

  public TrainingSession(TrainingGraph graph, ConfigProto config) {
    this.g = graph;
    this.config = config;
    this.session = graph.placement.session(graph.executionGraph, config);
  }

  /** A session with {@code threads} intra- and inter-op threads (0: TensorFlow's default). */
  public static TrainingSession withThreads(TrainingGraph graph, int threads) {
    return new TrainingSession(graph, settings(threads));
  }

  /**
   * Training's session settings: {@code threads} intra- and inter-op threads (0: TensorFlow's default),
   * and Grappler's memory optimizer without its scheduling heuristic. That heuristic rewrites an AddN
   * whose inputs come at different times (a variable's gradient from several passes) into AssignAdds
   * to a temporary, summed in whatever order the executor runs them; the executor reorders cheap ops
   * once it has timed them (about 90 runs of a step), so runs of one seed parted there by rounding.
   * Swapping, the default's other half, stays on for GPUs.
   */
  public static ConfigProto settings(int threads) {
    return ConfigProto.newBuilder().setIntraOpParallelismThreads(threads).setInterOpParallelismThreads(threads)
        .setGraphOptions(GraphOptions.newBuilder().setRewriteOptions(
            RewriterConfig.newBuilder().setMemoryOptimization(RewriterConfig.MemOptType.SWAPPING_HEURISTICS)))
        .build();
  }

  /** The devices the step's replicas run on, in order (e.g. the CPU for a GPU placement without a GPU). */
  public List<String> devices() {
    return g.placement.resolve(config);
  }

  /** Fresh weights and optimizer slots (instead of restoring a checkpoint). */
  public void initialize() {
    session.initialize();
  }

  /** Sets the growing networks' growth g ({@link Growth}); the networks must grow. */
  public void setGrowth(float g) {
    if (this.g.setGrowth == null) {
      throw new IllegalStateException("these networks do not grow");
    }
    try (TFloat32 value = TFloat32.scalarOf(g);
        Result r = session.runner().feed(name(this.g.growth), value).addTarget(this.g.setGrowth.op().name()).run()) {
      // nothing to fetch: the assignments are the point
    }
  }

  /** Copies the decoder into the bootstrap's target decoder; nothing without bootstrap. */
  public void refreshTarget() {
    if (g.refreshTarget != null) {
      session.run(g.refreshTarget.op().name());
    }
  }

  /** For savers and restorers of the variables (checkpoints). */
  public Session session() {
    return session;
  }

  /** The graph the session runs, for tools that read its nodes (profilers). */
  public Graph graph() {
    return g.executionGraph;
  }

  public TrainingGraph model() {
    return g;
  }

  /**
   * One training step on {@code batch} (NHWC values, {@code batchSize} items) and its values. {@code step}
   * is the 0-based step number: it seeds the noise with {@code seed} and gives Adam's t = step + 1. A
   * warm-up step measures the generated images only when {@code monitored}.
   */
  public StepLosses step(float[] batch, long seed, long step, float learningRate, boolean warmUp, boolean monitored) {
    boolean warm = warmUp || !g.objective.adversarial();
    try (TFloat32 images = images(batch, g.batchSize);
        TInt64 seedPair = TInt64.vectorOf(seed, step);
        TFloat32 rate = TFloat32.scalarOf(learningRate);
        TFloat32 t = TFloat32.scalarOf(step + 1)) {
      Session.Runner runner = session.runner().feed(name(g.x), images).feed(name(g.noiseSeed), seedPair)
          .feed(name(g.learningRate), rate).feed(name(g.adamStep), t).addTarget(g.step(warmUp, monitored).op().name());
      fetches(warm, !warm || monitored).forEach(f -> runner.fetch(name(f)));
      try (Result r = runner.run()) {
        float[] v = new float[8];
        Arrays.fill(v, Float.NaN);
        int at = 0;
        for (int i = 0; i < r.size(); i++) {
          v[at++] = ((TFloat32) r.get(i)).getFloat();
          if (warm && i == 0) {
            v[at++] = v[0];  // a warm-up step's one loss is both L_E and L_G (a tensor is fetched once)
          }
        }
        return new StepLosses(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
      }
    }
  }

  /**
   * One step of the objective (both updates, as {@link #step} with warmUp false and the same fetches)
   * run with {@code options}, returning what TensorFlow recorded: for profilers.
   */
  public RunMetadata tracedStep(float[] batch, long seed, long step, RunOptions options) {
    boolean warm = !g.objective.adversarial();
    try (TFloat32 images = images(batch, g.batchSize);
        TInt64 seedPair = TInt64.vectorOf(seed, step);
        TFloat32 t = TFloat32.scalarOf(step + 1)) {
      Session.Runner runner = session.runner().feed(name(g.x), images).feed(name(g.noiseSeed), seedPair)
          .feed(name(g.adamStep), t).addTarget(g.step(false, false).op().name()).setOptions(options);
      fetches(warm, !warm).forEach(f -> runner.fetch(name(f)));
      try (Result r = runner.runAndFetchMetadata()) {
        return r.getMetadata().orElseThrow();
      }
    }
  }

  /** What a step fetches: its loss(es), L_AE and KL(x), and when {@code measured} the generated images' terms. */
  private List<Operand<TFloat32>> fetches(boolean warm, boolean measured) {
    List<Operand<TFloat32>> f = new ArrayList<>(warm ? List.of(g.lossWarmUp) : List.of(g.lossE, g.lossG));
    f.addAll(List.of(g.reconstructionError, g.klReal));
    if (measured) {
      f.addAll(List.of(g.klReconstructed, g.klSampled, g.expElboReconstructed, g.expElboSampled));
    }
    return f;
  }

  /** E(x) and D(μ) of {@code n} inputs (NHWC values), with the moving BN statistics. */
  public Reconstruction reconstruct(float[] inputs, int n) {
    try (TFloat32 images = images(inputs, n);
        Result r = session.runner().feed(name(g.evalImages), images).fetch(name(g.evalMu)).fetch(name(g.evalLogvar))
            .fetch(name(g.evalReconstruction)).run()) {
      return new Reconstruction(floats(r, 0), floats(r, 1), floats(r, 2));
    }
  }

  /** D(z) of {@code latents} ([n, z] row-major), with the moving BN statistics. */
  public float[] decode(float[] latents) {
    int n = latents.length / g.zDim;
    try (TFloat32 z = TFloat32.tensorOf(Shape.of(n, g.zDim), DataBuffers.of(latents, true, false));
        Result r = session.runner().feed(name(g.evalLatents), z).fetch(name(g.evalDecoded)).run()) {
      return floats(r, 0);
    }
  }

  /**
   * D(z) of {@code latents} (prior draws), decoded in one batch with further prior draws (up to
   * {@value #PICTURE_PRIOR_DRAWS}, fewer for large images, as {@link PriorCalibration#batch}) and
   * normalised by that batch's statistics, as training normalises its prior samples (the moving
   * averages come from z ~ q(z|x) and speckle them). Decoders without batch norm decode as usual.
   */
  public float[] decodePriorDraws(float[] latents) {
    if (g.evalDecodedBatchStatistics == null) {
      return decode(latents);
    }
    int extra = Math.min(PICTURE_PRIOR_DRAWS, PriorCalibration.batchFor((long) g.shape.height() * g.shape.width()));
    float[] batch = java.util.Arrays.copyOf(latents, latents.length + extra * g.zDim);
    float[] more = priorDraws(extra, g.zDim, latents.length);
    System.arraycopy(more, 0, batch, latents.length, more.length);
    try (TFloat32 z = TFloat32.tensorOf(Shape.of(batch.length / g.zDim, g.zDim), DataBuffers.of(batch, true, false));
        Result r = session.runner().feed(name(g.evalLatents), z).fetch(name(g.evalDecodedBatchStatistics)).run()) {
      return java.util.Arrays.copyOf(floats(r, 0), latents.length / g.zDim * g.shape.values());
    }
  }

  /** D(z) of {@code n} draws z ~ N(0, I) from {@code seed}. */
  public float[] sample(int n, long seed) {
    return decode(priorDraws(n, g.zDim, seed));
  }

  /** {@code n} draws of N(0, I) in {@code z} dimensions, the same for the same seed. */
  public static float[] priorDraws(int n, int z, long seed) {
    Random random = new Random(seed ^ 0x5DEECE66DL);
    float[] out = new float[n * z];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) random.nextGaussian();
    }
    return out;
  }

  public int zDim() {
    return g.zDim;
  }

  public int batchSize() {
    return g.batchSize;
  }

  /**
   * An operand's name: the session may run {@link TrainingGraph#executionGraph}, a copy of the graph the
   * operands belong to, so everything is fed and fetched by name.
   */
  private static String name(Operand<?> o) {
    return o.op().name() + ":" + o.asOutput().index();
  }

  private TFloat32 images(float[] values, int n) {
    return TFloat32.tensorOf(g.shape.of(n), DataBuffers.of(values, true, false));
  }

  /** Output {@code i} of {@code r} (a float tensor) as a flat array. */
  static float[] floats(Result r, int i) {
    TFloat32 t = (TFloat32) r.get(i);
    float[] out = new float[(int) t.size()];
    t.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  /**
   * Leaves the session open for good: after a task of a cluster went away, closing it waits on that task
   * indefinitely (the master deregisters the step's graph from every worker). For a process about to end.
   */
  public void abandon() {
    abandoned = true;
    ABANDONED.add(session);  // reachable, so no collector runs its native close either
  }

  private boolean abandoned;
  private static final List<Session> ABANDONED = java.util.Collections.synchronizedList(new ArrayList<>());

  @Override
  public void close() {
    if (!abandoned) {
      session.close();
      g.close();
    }
  }
}
