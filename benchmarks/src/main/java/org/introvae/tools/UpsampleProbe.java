package org.introvae.tools;

import java.util.List;
import org.introvae.model.Architecture;
import org.introvae.model.TensorFlowRuntime;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.types.TFloat32;

/**
 * The decoder's convolutions of a 2× upsampled map, as built (folded into a stride-2 transposed
 * convolution) and as written in the paper (upsample, then convolve): forward + ∂input + ∂kernel, at
 * the 28 and 32 presets' sizes. Alternating rounds, best of each, so a drifting machine hurts neither.
 * Usage: UpsampleProbe [rounds]
 */
public final class UpsampleProbe {
  // {batch, input side, channels in, channels out, kernel size}: the decoders' blocks after an upsampling
  private static final int[][] CASES = {
      {128, 7, 128, 64, 3}, {128, 7, 128, 64, 1}, {128, 14, 64, 64, 3},
      {64, 4, 256, 128, 3}, {64, 4, 256, 128, 1}, {64, 8, 128, 64, 3}, {64, 8, 128, 64, 1}, {64, 16, 64, 64, 3}};

  public static void main(String[] args) {
    TensorFlowRuntime.prepare();
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    System.out.printf("oneDNN %s; forward + ∂input + ∂kernel, ms (best of %d alternating rounds of 5 runs)%n",
        TensorFlowRuntime.oneDnnRequested() ? "on" : "off", rounds);
    for (int[] c : CASES) {
      try (Case upsampled = new Case(c, false); Case folded = new Case(c, true)) {
        double plain = Double.MAX_VALUE;
        double fold = Double.MAX_VALUE;
        for (int r = 0; r < rounds; r++) {
          plain = Math.min(plain, upsampled.best(5));
          fold = Math.min(fold, folded.best(5));
        }
        System.out.printf("batch %3d, %2d×%-2d → %2d×%-2d, %3d→%3d, %d×%d: upsample + conv %6.1f ms, folded %6.1f ms (%.2f×)%n",
            c[0], c[1], c[1], 2 * c[1], 2 * c[1], c[2], c[3], c[4], c[4], plain, fold, plain / fold);
      }
    }
  }

  private static final class Case implements AutoCloseable {
    private final Graph graph = new Graph();
    private final Session session;
    private final Operand<TFloat32> all;

    Case(int[] c, boolean folded) {
      Ops tf = Ops.create(graph);
      Operand<TFloat32> x = tf.variable(tf.random.statelessRandomNormal(
          tf.constant(new long[] {c[0], c[1], c[1], c[2]}), tf.constant(new long[] {1, 2})));
      Operand<TFloat32> kernel = tf.identity(tf.variable(tf.random.statelessRandomNormal(
          tf.constant(new long[] {c[4], c[4], c[2], c[3]}), tf.constant(new long[] {3, 4}))));
      Operand<TFloat32> dy = tf.variable(tf.random.statelessRandomNormal(
          tf.constant(new long[] {c[0], 2 * c[1], 2 * c[1], c[3]}), tf.constant(new long[] {5, 6})));
      Operand<TFloat32> y = folded ? Architecture.convolveUpsampled(tf, x, kernel)
          : tf.nn.conv2d(Architecture.upsample(tf, x), kernel, List.of(1L, 1L, 1L, 1L), "SAME");
      Operand<TFloat32> loss = tf.sum(tf.math.mul(y, dy), tf.constant(new int[] {0, 1, 2, 3}));
      Gradients grads = tf.gradients(loss, List.of(x, kernel));
      Operand<TFloat32> dx = grads.dy(0);
      Operand<TFloat32> dk = grads.dy(1);
      all = tf.math.add(tf.math.add(loss, tf.sum(dx, tf.constant(new int[] {0, 1, 2, 3}))),
          tf.sum(dk, tf.constant(new int[] {0, 1, 2, 3})));
      session = new Session(graph);
      session.initialize();
      session.runner().fetch(all).run().close();
    }

    double best(int runs) {
      double best = Double.MAX_VALUE;
      for (int i = 0; i < runs; i++) {
        long t = System.nanoTime();
        session.runner().fetch(all).run().close();
        best = Math.min(best, (System.nanoTime() - t) / 1e6);
      }
      return best;
    }

    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }
}
