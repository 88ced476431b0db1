package org.introvae.train;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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
 * The running mean of every float variable of a graph over snapshots of a session (Polyak averaging
 * of a training trajectory). Sums are kept in double so that a hundred snapshots lose nothing.
 */
public final class WeightMean {
  /** A float variable and the running sum of its values. */
  private record Variable(GraphOperation op, Shape shape, double[] sum) {}

  private final Graph graph;
  private final List<Variable> variables = new ArrayList<>();
  private int count;

  public WeightMean(Graph graph) {
    this.graph = graph;
    for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      // What Session.save writes; a VariableV2's output is a reference.
      if (op.type().equals("VariableV2") && op.output(0).dataType() == DataType.DT_FLOAT_REF) {
        Shape shape = op.output(0).shape();
        variables.add(new Variable(op, shape, new double[(int) shape.size()]));
      }
    }
  }

  /** Snapshots taken so far. */
  public int count() {
    return count;
  }

  /** Adds the values {@code session} holds now. */
  public void add(Session session) {
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
    count++;
  }

  /** Leaves every float variable in {@code session} at its mean over the snapshots. */
  public void assign(Session session) {
    if (count == 0) {
      throw new IllegalStateException("no snapshots to average");
    }
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
