package org.introvae.tools;

import org.introvae.model.TensorFlowRuntime;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** This machine's practical FP32 peak: GFLOP/s of a large square matrix product in TensorFlow. */
final class MatmulPeak {
  private MatmulPeak() {}

  static double gflops() {
    TensorFlowRuntime.prepare();
    int n = 2048;
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> a = tf.random.statelessRandomNormal(tf.constant(new long[] {n, n}), tf.constant(new long[] {1, 2}));
      Operand<TFloat32> b = tf.random.statelessRandomNormal(tf.constant(new long[] {n, n}), tf.constant(new long[] {3, 4}));
      Operand<TFloat32> va = tf.variable(a);
      Operand<TFloat32> vb = tf.variable(b);
      Operand<TFloat32> product = tf.sum(tf.linalg.matMul(va, vb), tf.constant(new int[] {0, 1}));
      s.initialize();
      // Best of many products over a few seconds: single runs vary with whatever else the process
      // does (the JVM's JIT threads compete for the 2 cores for seconds after start-up).
      double best = 0;
      long end = System.nanoTime() + 4_000_000_000L;
      for (int i = 0; i < 20 || System.nanoTime() < end; i++) {
        long t = System.nanoTime();
        s.runner().fetch(product).run().close();
        best = Math.max(best, 2.0 * n * n * n / ((System.nanoTime() - t) / 1e9) / 1e9);
      }
      return best;
    }
  }
}
