package org.introvae.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.introvae.model.InferenceGraph;
import org.introvae.serving.Json;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;

/**
 * The mean of several checkpoints' weights (Polyak averaging of the training trajectory; for GAN
 * generators it smooths the oscillation of adversarial training, see Yazıcı et al., ICLR 2019). BN
 * moving statistics are averaged like the weights; sampling is unaffected by that, since export
 * measures the decoder's statistics for prior draws on the averaged weights.
 */
public final class CheckpointAverage {
  /** The folder inside a run that holds the mean of its last checkpoints (Train --average-last). */
  public static final String RUN_FOLDER = "average";

  private CheckpointAverage() {}

  /** A float variable and the running sum of its values. */
  private record Variable(GraphOperation op, Shape shape, double[] sum) {}

  /**
   * Restores each of {@code checkpoints} (step folders, oldest first) into {@code session} and leaves
   * every float variable of {@code graph} at its mean over them; any other variable keeps the newest's value.
   */
  public static void assignMean(Graph graph, Session session, List<Path> checkpoints) throws UserError {
    if (checkpoints.isEmpty()) {
      throw new UserError("no checkpoints to average");
    }
    List<Variable> variables = floatVariables(graph);
    for (Path checkpoint : checkpoints) {
      if (!Files.isRegularFile(checkpoint.resolve("model.index"))) {
        throw new UserError(checkpoint + ": not a checkpoint folder (model.index is missing)");
      }
      try {
        session.restore(checkpoint.resolve("model").toString());
      } catch (RuntimeException e) {
        throw new UserError(checkpoint + ": does not restore into this run's networks (" + StorageError.reason(e) + ")");
      }
      accumulate(session, variables);
    }
    assignMeans(graph, session, variables, checkpoints.size());
  }

  /**
   * Writes a run folder {@code out} (replacing one there) with {@code params} and, as checkpoint of the
   * newest of {@code steps}, the variables {@code session} holds (their mean over those steps);
   * through a temporary folder and a rename.
   */
  public static RunFolder writeRun(Session session, RunParams params, Path out, List<Long> steps) throws IOException {
    Path tmp = out.toAbsolutePath().resolveSibling("." + out.getFileName() + ".tmp");
    Folders.deleteTree(tmp);
    RunFolder target = new RunFolder(tmp);
    target.writeParams(new RunParams(RunParams.FORMAT, params.run(), params.config(), params.model(), params.data()));
    Files.writeString(target.averagedSteps(), Json.write(steps) + "\n");
    target.checkpoints().save(session, steps.stream().mapToLong(Long::longValue).max().orElseThrow());
    Folders.deleteTree(out);
    Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
    return new RunFolder(out);
  }

  /**
   * The networks' mean over {@code checkpoints} as run folder {@code out}: only the inference graph's
   * variables, so it exports and evaluates but does not resume.
   */
  public static RunFolder writeNetworksRun(RunParams params, List<Checkpoints.Saved> checkpoints, Path out)
      throws IOException, UserError {
    try (InferenceGraph g = new InferenceGraph(params.model()); Session session = new Session(g.graph)) {
      assignMean(g.graph, session, checkpoints.stream().map(Checkpoints.Saved::dir).toList());
      return writeRun(session, params, out, checkpoints.stream().map(Checkpoints.Saved::step).toList());
    }
  }

  private static List<Variable> floatVariables(Graph graph) {
    List<Variable> variables = new ArrayList<>();
    for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      // What Session.save writes; a VariableV2's output is a reference.
      if (op.type().equals("VariableV2") && op.output(0).dataType() == DataType.DT_FLOAT_REF) {
        Shape shape = op.output(0).shape();
        variables.add(new Variable(op, shape, new double[(int) shape.size()]));
      }
    }
    return variables;
  }

  private static void accumulate(Session session, List<Variable> variables) {
    Session.Runner runner = session.runner();
    variables.forEach(v -> runner.fetch(v.op().output(0)));
    try (Result r = runner.run()) {
      for (int i = 0; i < variables.size(); i++) {
        double[] sum = variables.get(i).sum();
        float[] values = new float[sum.length];
        ((TFloat32) r.get(i)).asRawTensor().data().asFloats().read(values);
        for (int k = 0; k < sum.length; k++) {
          sum[k] += values[k];
        }
      }
    }
  }

  private static void assignMeans(Graph graph, Session session, List<Variable> variables, int count) {
    Ops tf = Ops.create(graph).withSubScope("average");
    Session.Runner runner = session.runner();
    List<TFloat32> feeds = new ArrayList<>();
    try {
      for (Variable v : variables) {
        Placeholder<TFloat32> mean = tf.placeholder(TFloat32.class, Placeholder.shape(v.shape()));
        Operand<TFloat32> target = v.op().output(0);
        runner.addTarget(tf.assign(target, mean));
        float[] values = new float[v.sum().length];
        for (int k = 0; k < values.length; k++) {
          values[k] = (float) (v.sum()[k] / count);
        }
        TFloat32 t = TFloat32.tensorOf(v.shape(), DataBuffers.of(values, true, false));
        feeds.add(t);
        runner.feed(mean, t);
      }
      try (Result ignored = runner.run()) {
        // the assignments are the point
      }
    } finally {
      feeds.forEach(TFloat32::close);
    }
  }
}
