package org.introvae.tools;

import org.introvae.model.TensorFlowRuntime;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.op.nn.Conv2dBackpropFilter;
import org.tensorflow.op.nn.Conv2dBackpropInput;
import org.tensorflow.types.TFloat32;

/**
 * Data layout: one 3×3 convolution's forward and both backward products in NHWC and NCHW, at the
 * training graphs' typical sizes, to see whether switching the models' layout could pay.
 * Usage: LayoutProbe
 */
public final class LayoutProbe {
  public static void main(String[] args) {
    TensorFlowRuntime.prepare();
    System.out.printf("oneDNN %s; 3×3 convolution, forward + ∂input + ∂filter, ms per triple (best of 10)%n",
        TensorFlowRuntime.oneDnnRequested() ? "on" : "off");
    // {batch, side, channels in, channels out}: the 28 preset's 14×14 and 7×7 blocks, the 32 preset's 8×8 block
    int[][] cases = {{128, 14, 64, 128}, {128, 7, 128, 128}, {64, 8, 128, 256}, {128, 28, 64, 64}};
    for (int[] c : cases) {
      double gflop = 3 * 2.0 * c[0] * c[1] * c[1] * 9 * c[2] * c[3] / 1e9;
      System.out.printf("batch %d, %d×%d, %d→%d: NHWC %s, NCHW %s%n", c[0], c[1], c[1], c[2], c[3],
          timed(c, "NHWC", gflop), timed(c, "NCHW", gflop));
    }
  }

  private static String timed(int[] c, String layout, double gflop) {
    try {
      double ms = time(c, layout);
      return String.format("%.1f ms (%.0f GFLOP/s)", ms, gflop / ms * 1e3);
    } catch (RuntimeException e) { // TF reports an unsupported kernel as an exception at run time
      return "not supported (" + e.getMessage().lines().findFirst().orElse("").trim() + ")";
    }
  }

  private static double time(int[] c, String layout) {
    boolean nhwc = layout.equals("NHWC");
    long[] input = nhwc ? new long[] {c[0], c[1], c[1], c[2]} : new long[] {c[0], c[2], c[1], c[1]};
    long[] output = nhwc ? new long[] {c[0], c[1], c[1], c[3]} : new long[] {c[0], c[3], c[1], c[1]};
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.variable(tf.random.statelessRandomNormal(tf.constant(input), tf.constant(new long[] {1, 2})));
      Operand<TFloat32> w = tf.variable(tf.random.statelessRandomNormal(
          tf.constant(new long[] {3, 3, c[2], c[3]}), tf.constant(new long[] {3, 4})));
      Operand<TFloat32> dy = tf.variable(tf.random.statelessRandomNormal(tf.constant(output), tf.constant(new long[] {5, 6})));
      Operand<TFloat32> y = tf.nn.conv2d(x, w, java.util.List.of(1L, 1L, 1L, 1L), "SAME", Conv2d.dataFormat(layout));
      Operand<TFloat32> dx = tf.nn.conv2dBackpropInput(tf.constant(toInt(input)), w, dy, java.util.List.of(1L, 1L, 1L, 1L),
          "SAME", Conv2dBackpropInput.dataFormat(layout));
      Operand<TFloat32> dw = tf.nn.conv2dBackpropFilter(x, tf.constant(new int[] {3, 3, c[2], c[3]}), dy,
          java.util.List.of(1L, 1L, 1L, 1L), "SAME", Conv2dBackpropFilter.dataFormat(layout));
      Operand<TFloat32> all = tf.math.add(tf.math.add(tf.sum(y, tf.constant(new int[] {0, 1, 2, 3})),
          tf.sum(dx, tf.constant(new int[] {0, 1, 2, 3}))), tf.sum(dw, tf.constant(new int[] {0, 1, 2, 3})));
      s.initialize();
      double best = Double.MAX_VALUE;
      for (int i = 0; i < 13; i++) {
        long t = System.nanoTime();
        s.runner().fetch(all).run().close();
        if (i >= 3) {
          best = Math.min(best, (System.nanoTime() - t) / 1e6);
        }
      }
      return best;
    }
  }

  private static int[] toInt(long[] v) {
    int[] r = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      r[i] = (int) v[i];
    }
    return r;
  }
}
