package org.introvae.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** Helpers for tests on the 16×16 training graph: feeds, variable values, and setting them. */
final class TinyGraphs {
  static final ModelConfig CONFIG = new ModelConfig(16, 1, new int[] {4, 8}, 4);
  static final int BATCH = 4;

  private TinyGraphs() {}

  static float[] randomImages(long seed) {
    Random r = new Random(seed);
    float[] px = new float[BATCH * 16 * 16];
    for (int i = 0; i < px.length; i++) {
      px[i] = r.nextFloat();
    }
    return px;
  }

  static TFloat32 images(float[] px) {
    return TFloat32.tensorOf(Shape.of(BATCH, 16, 16, 1), DataBuffers.of(px, true, false));
  }

  static float[] read(Session s, Variable<TFloat32> v) {
    try (Result r = s.runner().fetch(v).run()) {
      TFloat32 t = (TFloat32) r.get(0);
      float[] out = new float[(int) t.size()];
      t.asRawTensor().data().asFloats().read(out);
      return out;
    }
  }

  static List<float[]> readAll(Session s, List<Variable<TFloat32>> vars) {
    List<float[]> out = new ArrayList<>();
    for (Variable<TFloat32> v : vars) {
      out.add(read(s, v));
    }
    return out;
  }

  /** Assign ops with a placeholder per variable, added to the graph after it was built. */
  static final class Setter {
    private final List<Placeholder<TFloat32>> inputs = new ArrayList<>();
    private final List<org.tensorflow.op.Op> assigns = new ArrayList<>();
    private final List<Variable<TFloat32>> vars;

    Setter(TrainingGraph g, List<Variable<TFloat32>> vars) {
      this.vars = vars;
      Ops tf = Ops.create(g.graph);
      for (Variable<TFloat32> v : vars) {
        Placeholder<TFloat32> p = tf.placeholder(TFloat32.class, Placeholder.shape(v.shape()));
        inputs.add(p);
        assigns.add(tf.assign(v, p));
      }
    }

    void set(Session s, List<float[]> values) {
      List<TFloat32> tensors = new ArrayList<>();
      try {
        Session.Runner runner = s.runner();
        for (int i = 0; i < vars.size(); i++) {
          TFloat32 t = TFloat32.tensorOf(vars.get(i).shape(), DataBuffers.of(values.get(i), true, false));
          tensors.add(t);
          runner.feed(inputs.get(i), t).addTarget(assigns.get(i));
        }
        runner.run().close();
      } finally {
        tensors.forEach(TFloat32::close);
      }
    }
  }

  /**
   * Feeds each read operand the value of its variable in {@code values} (matched by position in
   * {@code variables}); returns the tensors, which the caller closes after the run.
   */
  static List<TFloat32> feedValues(Session.Runner runner, List<org.tensorflow.Operand<TFloat32>> reads, List<float[]> values,
      List<Variable<TFloat32>> variables) {
    List<TFloat32> tensors = new ArrayList<>();
    for (int i = 0; i < reads.size(); i++) {
      TFloat32 t = TFloat32.tensorOf(variables.get(i).shape(), DataBuffers.of(values.get(i), true, false));
      tensors.add(t);
      runner.feed(reads.get(i), t);
    }
    return tensors;
  }

  static float[] values(TFloat32 t) {
    float[] out = new float[(int) t.size()];
    t.asRawTensor().data().asFloats().read(out);
    return out;
  }

  static TInt64 seed(long step) {
    return TInt64.vectorOf(7, step);
  }
}
