package org.introvae.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.introvae.model.InferenceGraph;
import org.introvae.model.ModelConfig;
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
 * generators it smooths the oscillation of adversarial training, see Yazıcı et al., ICLR 2019). Only
 * the networks' variables are averaged — the inference graph's, BN moving statistics included — so the
 * result exports and evaluates but does not resume. Sampling is unaffected by the averaged moving
 * statistics: export measures the decoder's statistics for prior draws on the averaged weights.
 */
public final class CheckpointAverage {
  private CheckpointAverage() {}

  /** A network variable and the running sum of its values. */
  private record Variable(GraphOperation op, Shape shape, double[] sum) {}

  /**
   * Writes the average of {@code checkpoints} (step folders of runs of {@code config}) as checkpoint
   * {@code step} of {@code out}; returns it.
   */
  public static Checkpoints.Saved write(ModelConfig config, List<Path> checkpoints, Checkpoints out, long step)
      throws IOException, UserError {
    if (checkpoints.isEmpty()) {
      throw new UserError("no checkpoints to average");
    }
    try (InferenceGraph g = new InferenceGraph(config); Session session = new Session(g.graph)) {
      List<Variable> variables = variables(g);
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
      assignMeans(g, session, variables, checkpoints.size());
      return out.save(session, step);
    }
  }

  private static List<Variable> variables(InferenceGraph g) {
    List<Variable> variables = new ArrayList<>();
    for (Iterator<GraphOperation> it = g.graph.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      if (op.type().equals("VariableV2")) {  // what Session.save writes
        if (op.output(0).dataType() != DataType.DT_FLOAT_REF) {  // a VariableV2's output is a reference
          throw new IllegalStateException("variable " + op.name() + " is not float32");
        }
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

  private static void assignMeans(InferenceGraph g, Session session, List<Variable> variables, int count) {
    Ops tf = Ops.create(g.graph).withSubScope("average");
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
