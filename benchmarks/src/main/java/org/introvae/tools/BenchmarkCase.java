package org.introvae.tools;

import org.introvae.model.StepLosses;
import org.introvae.model.TrainingSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.introvae.model.ImageArchitecture;
import org.introvae.model.ModelConfig;
import org.introvae.model.IntroVaeObjective;
import org.introvae.model.Objective;
import org.introvae.model.Objectives;
import org.introvae.model.Placement;
import org.introvae.model.Preset;
import org.introvae.model.TensorFlowRuntime;
import org.introvae.model.TrainingGraph;
import org.introvae.model.UpdateOrder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.OptimizerOptions;

/**
 * What the training benchmarks share: a preset, objective and batch, the session options under test
 * (thread pools, XLA JIT), a fixed random batch, and one training step.
 * Positional arguments {@code [preset] [batch] ... [objective]} as each tool documents; options
 * {@code --intra N}, {@code --inter N} (0 = TF's default), {@code --xla}, {@code --updates ORDER}
 * (alternating or simultaneous; default alternating), {@code --architecture residual|style},
 * {@code --device cpu|gpu|gpu:N} and {@code --replicas N} (as Train's) may follow anywhere.
 */
final class BenchmarkCase {
  final Preset preset;
  final ModelConfig config;
  final String objectiveName;
  final Objective objective;
  final int batch;
  final int intraThreads;
  final int interThreads;
  final boolean xla;
  final UpdateOrder order;
  final Placement placement;
  /** The positional arguments after preset and batch, options removed. */
  final List<String> rest;

  private BenchmarkCase(String[] args, int objectiveIndex) {
    TensorFlowRuntime.prepare();
    List<String> positional = new ArrayList<>();
    int intra = 0;
    int inter = 0;
    boolean jit = false;
    UpdateOrder updates = UpdateOrder.ALTERNATING;
    String device = "cpu";
    int replicas = 1;
    ImageArchitecture architecture = ImageArchitecture.RESIDUAL;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--intra" -> intra = Integer.parseInt(args[++i]);
        case "--inter" -> inter = Integer.parseInt(args[++i]);
        case "--xla" -> jit = true;
        case "--updates" -> updates = UpdateOrder.byLabel(args[++i]);
        case "--device" -> device = args[++i];
        case "--replicas" -> replicas = Integer.parseInt(args[++i]);
        case "--architecture" -> architecture = ImageArchitecture.byLabel(args[++i]);
        default -> positional.add(args[i]);
      }
    }
    intraThreads = intra;
    interThreads = inter;
    xla = jit;
    order = updates;
    placement = Placement.parse(device, replicas);
    preset = Preset.byName(positional.size() > 0 ? positional.get(0) : "28");
    config = preset.config().withArchitecture(architecture);
    objectiveName = positional.size() > objectiveIndex ? positional.get(objectiveIndex) : IntroVaeObjective.NAME;
    objective = Objectives.byName(objectiveName).presetDefaults().apply(preset);
    batch = positional.size() > 1 ? Integer.parseInt(positional.get(1)) : preset.batch(objectiveName);
    rest = positional.size() > 2 ? positional.subList(2, positional.size()) : List.of();
  }

  /** {@code objectiveIndex}: the objective's position among the positional arguments. */
  static BenchmarkCase parse(String[] args, int objectiveIndex) {
    return new BenchmarkCase(args, objectiveIndex);
  }

  int intArg(int restIndex, int otherwise) {
    return rest.size() > restIndex ? Integer.parseInt(rest.get(restIndex)) : otherwise;
  }

  /** The case's training graph in an initialised session: training's settings with the case's threads (and XLA if asked). */
  TrainingSession session() {
    ConfigProto.Builder c = TrainingSession.settings(0).toBuilder()
        .setIntraOpParallelismThreads(intraThreads)
        .setInterOpParallelismThreads(interThreads);
    if (xla) {
      c.getGraphOptionsBuilder().setOptimizerOptions(
          OptimizerOptions.newBuilder().setGlobalJitLevel(OptimizerOptions.GlobalJitLevel.ON_1));
    }
    TrainingSession s = new TrainingSession(new TrainingGraph(config, objective, order, preset.learningRate(), batch, 1,
        placement), c.build());
    s.initialize();
    return s;
  }

  /** A fixed batch of uniform random pixels: the step's cost does not depend on the values. */
  float[] images() {
    int pixels = config.imageSize() * config.imageSize() * config.imageChannels();
    float[] values = new float[batch * pixels];
    Random random = new Random(1);
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextFloat();
    }
    return values;
  }

  /** One objective step (both updates) with the trainer's fetches, so the same passes run. */
  StepLosses step(TrainingSession s, float[] images, int step) {
    return s.step(images, 1, step, preset.learningRate(), false, false);
  }

  String describe() {
    return String.format("preset %s (%s), objective %s, batch %d; oneDNN %s; threads intra-op %s, inter-op %s;"
        + " XLA JIT %s; %s; %s", preset.label(), config, objectiveName, batch,
        TensorFlowRuntime.oneDnnRequested() ? "on" : "off", threads(intraThreads), threads(interThreads),
        xla ? "ON_1" : "off", order.label() + " updates in one session call", placement);
  }

  private static String threads(int n) {
    return n == 0 ? "TF default (" + Runtime.getRuntime().availableProcessors() + " cores)" : String.valueOf(n);
  }
}
