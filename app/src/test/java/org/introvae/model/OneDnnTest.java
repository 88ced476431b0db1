package org.introvae.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.AvgPool;
import org.tensorflow.types.TFloat32;

/**
 * TensorFlowRuntime turns oneDNN on from inside the JVM. The default CPU kernels refuse NCHW average
 * pooling; the oneDNN ones accept it, so this op running at all shows the fast kernels are in effect.
 */
class OneDnnTest {
  @Test
  void oneDnn_kernels_are_active_after_prepare() {
    TensorFlowRuntime.prepare();
    assertTrue(TensorFlowRuntime.oneDnnRequested());
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      float[][][][] x = {{{{1, 2}, {3, 4}}}}; // NCHW: 1 image, 1 channel, 2×2
      Operand<TFloat32> pooled = tf.nn.avgPool(tf.constant(x), Arrays.asList(1L, 1L, 2L, 2L),
          Arrays.asList(1L, 1L, 2L, 2L), "VALID", AvgPool.dataFormat("NCHW"));
      try (Result r = s.runner().fetch(pooled).run()) {
        float[] out = new float[1];
        ((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(out);
        assertArrayEquals(new float[] {2.5f}, out, 1e-6f);
      }
    }
  }
}
