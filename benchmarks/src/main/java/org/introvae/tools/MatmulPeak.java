package org.introvae.tools;

import org.introvae.model.TensorFlowRuntime;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * This machine's practical FP32 peak: GFLOP/s of a large square matrix product in TensorFlow. Kept
 * open so a benchmark can read it between its steps: this VM's speed drifts between ~130 and ~255
 * GFLOP/s in phases of seconds (other tenants on the same cores), so a ratio needs a peak read at
 * the same time.
 */
final class MatmulPeak implements AutoCloseable {
  private static final int N = 2048;
  private final Graph graph = new Graph();
  private final Session session;
  private final Operand<TFloat32> product;

  MatmulPeak() {
    TensorFlowRuntime.prepare();
    Ops tf = Ops.create(graph);
    Operand<TFloat32> a = tf.variable(tf.random.statelessRandomNormal(tf.constant(new long[] {N, N}), tf.constant(new long[] {1, 2})));
    Operand<TFloat32> b = tf.variable(tf.random.statelessRandomNormal(tf.constant(new long[] {N, N}), tf.constant(new long[] {3, 4})));
    product = tf.sum(tf.linalg.matMul(a, b), tf.constant(new int[] {0, 1}));
    session = new Session(graph);
    session.initialize();
  }

  /** Best rate of at least {@code minProducts} products and over at least {@code millis}. */
  double best(int minProducts, long millis) {
    double best = 0;
    long end = System.nanoTime() + millis * 1_000_000L;
    for (int i = 0; i < minProducts || System.nanoTime() < end; i++) {
      long t = System.nanoTime();
      session.runner().fetch(product).run().close();
      best = Math.max(best, 2.0 * N * N * N / ((System.nanoTime() - t) / 1e9) / 1e9);
    }
    return best;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
