package org.introvae.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

class WeightMeanTest {
  @Test
  void assigns_each_float_variable_its_mean_over_the_snapshots_and_leaves_other_types_alone() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> w = tf.variable(Shape.of(3), TFloat32.class);
      Variable<TInt32> counter = tf.variable(Shape.scalar(), TInt32.class);
      Placeholder<TFloat32> value = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(3)));
      Operand<TFloat32> setW = tf.assign(w, value);
      Operand<TInt32> setCounter = tf.assign(counter, tf.constant(7));
      WeightMean mean = new WeightMean(g);
      assertThrows(IllegalStateException.class, () -> mean.assign(s));
      float[][] snapshots = {{1f, -2f, 0.1f}, {3f, 2f, 0.2f}, {8f, 0f, 0.3f}};
      for (float[] snapshot : snapshots) {
        try (TFloat32 t = TFloat32.tensorOf(Shape.of(3), DataBuffers.of(snapshot, true, false));
            Result ignored = s.runner().feed(value, t).addTarget(setW).addTarget(setCounter).run()) {
          mean.add(s);
        }
      }
      assertEquals(3, mean.count());
      mean.assign(s);
      try (Result r = s.runner().fetch(w).fetch(counter).run()) {
        float[] got = new float[3];
        ((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(got);
        // Sums in double, one rounding to float at the end: exact to float's last bit here.
        assertArrayEquals(new float[] {4f, 0f, 0.2f}, got, 1e-7f);
        assertEquals(7, ((TInt32) r.get(1)).getInt());
      }
    }
  }
}
