package org.introvae.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** The Chamfer distance L_CD against hand computations, and its gradient against finite differences. */
class ChamferTest {
  @BeforeAll
  static void runtime() {
    TensorFlowRuntime.prepare();
  }

  /** L_CD of clouds [n, a, 3] and [n, b, 3] given row-major, per sample. */
  private static float[] chamfer(int n, float[] x, float[] y) {
    try (Graph g = new Graph(); Session s = new Session(g);
        TFloat32 xt = TFloat32.tensorOf(Shape.of(n, x.length / 3 / n, 3), DataBuffers.of(x, true, false));
        TFloat32 yt = TFloat32.tensorOf(Shape.of(n, y.length / 3 / n, 3), DataBuffers.of(y, true, false))) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> d = Losses.L_CD(tf, tf.constant(xt), tf.constant(yt));
      try (Result r = s.runner().fetch(d).run()) {
        float[] out = new float[n];
        ((TFloat32) r.get(0)).copyTo(DataBuffers.of(out, false, false));
        return out;
      }
    }
  }

  @Test
  void sums_squared_nearest_distances_both_ways() {
    // x = {(0,0,0), (1,0,0)}, y = {(0,0,0), (0,2,0), (1,0,1)}.
    // x → y: 0 + min(1, 5, 1) = 1.   y → x: 0 + min(4, 5) + min(2, 1) = 5.   L_CD = 6.
    float[] x = {0, 0, 0, 1, 0, 0};
    float[] y = {0, 0, 0, 0, 2, 0, 1, 0, 1};
    assertArrayEquals(new float[] {6f}, chamfer(1, x, y), 1e-6f);
    assertArrayEquals(new float[] {6f}, chamfer(1, y, x), 1e-6f, "symmetric");
  }

  @Test
  void is_zero_for_the_same_set_in_another_order_and_per_sample() {
    float[] a = {0.1f, 0.2f, 0.3f, -1, 0.5f, 2, 0.7f, -0.4f, 0};
    float[] shuffled = {0.7f, -0.4f, 0, 0.1f, 0.2f, 0.3f, -1, 0.5f, 2};
    // Two samples: the first the same set, the second shifted by (0, 0, 1) → 3 points × 1 each way = 6.
    float[] x = new float[18];
    float[] y = new float[18];
    System.arraycopy(a, 0, x, 0, 9);
    System.arraycopy(a, 0, x, 9, 9);
    System.arraycopy(shuffled, 0, y, 0, 9);
    for (int i = 0; i < 9; i++) {
      y[9 + i] = a[i] + (i % 3 == 2 ? 1 : 0);
    }
    assertArrayEquals(new float[] {0f, 6f}, chamfer(2, x, y), 1e-5f);
  }

  /** Both clouds' gradients: the nearest neighbours are found without gradient, the distances then differentiated. */
  @Test
  void gradient_matches_central_differences_and_the_nearest_neighbour_formula() {
    Random r = new Random(7);
    int a = 5;
    int b = 7;
    float[] x = new float[3 * a];
    float[] y = new float[3 * b];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextFloat();
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = r.nextFloat();
    }
    float[] gradX = new float[3 * a];
    float[] gradY = new float[3 * b];
    try (Graph g = new Graph(); Session s = new Session(g);
        TFloat32 xt = TFloat32.tensorOf(Shape.of(1, a, 3), DataBuffers.of(x, true, false));
        TFloat32 yt = TFloat32.tensorOf(Shape.of(1, b, 3), DataBuffers.of(y, true, false))) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> xp = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, a, 3)));
      Placeholder<TFloat32> yp = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, b, 3)));
      Operand<TFloat32> d = Losses.L_CD(tf, xp, yp);
      Output<?>[] grad = g.addGradients(tf.sum(d, tf.constant(0)).asOutput(), new Output<?>[] {xp.asOutput(), yp.asOutput()});
      try (Result res = s.runner().feed(xp, xt).feed(yp, yt).fetch(grad[0]).fetch(grad[1]).run()) {
        ((TFloat32) res.get(0)).copyTo(DataBuffers.of(gradX, false, false));
        ((TFloat32) res.get(1)).copyTo(DataBuffers.of(gradY, false, false));
      }
    }
    double[] expectedX = nearestNeighbourGradient(y, x);
    double[] expectedY = nearestNeighbourGradient(x, y);
    // ε = 1e-3 is small enough that no nearest neighbour changes within ±ε for these random points (a
    // change would show as a mismatch with the formula), and float32 rounding of an L_CD of about 1 costs
    // ~1e-7 / 2ε ≈ 1e-4 per difference, well inside 2e-3.
    checkCoordinates("y's", y, gradY, expectedY, moved -> chamfer(1, x, moved)[0]);
    checkCoordinates("x's", x, gradX, expectedX, moved -> chamfer(1, moved, y)[0]);
  }

  /** Each coordinate's gradient against central differences (ε = 1e-3) of {@code lossOf} and the formula's value. */
  private static void checkCoordinates(String cloud, float[] points, float[] gradient, double[] formula,
      java.util.function.ToDoubleFunction<float[]> lossOf) {
    float eps = 1e-3f;
    for (int k = 0; k < points.length; k++) {
      float[] plus = points.clone();
      float[] minus = points.clone();
      plus[k] += eps;
      minus[k] -= eps;
      double fd = (lossOf.applyAsDouble(plus) - lossOf.applyAsDouble(minus)) / (2.0 * eps);
      assertEquals(fd, gradient[k], 2e-3, cloud + " coordinate " + k + " by finite differences");
      assertEquals(formula[k], gradient[k], 1e-4, cloud + " coordinate " + k + " by the nearest-neighbour formula");
    }
  }

  /**
   * ∂L_CD(p, q)/∂q_j = Σ_{i: nn_q(p_i) = j} 2(q_j − p_i) + 2(q_j − nn_p(q_j)); L_CD is symmetric, so this is
   * also p's gradient with the roles swapped.
   */
  private static double[] nearestNeighbourGradient(float[] p, float[] q) {
    double[] expected = new double[q.length];
    for (int i = 0; i < p.length / 3; i++) {
      int j = nearest(p, i, q);
      for (int c = 0; c < 3; c++) {
        expected[3 * j + c] += 2 * (q[3 * j + c] - p[3 * i + c]);
      }
    }
    for (int j = 0; j < q.length / 3; j++) {
      int i = nearest(q, j, p);
      for (int c = 0; c < 3; c++) {
        expected[3 * j + c] += 2 * (q[3 * j + c] - p[3 * i + c]);
      }
    }
    return expected;
  }

  private static int nearest(float[] from, int i, float[] to) {
    int best = -1;
    double bestD = Double.MAX_VALUE;
    for (int j = 0; j < to.length / 3; j++) {
      double d = 0;
      for (int c = 0; c < 3; c++) {
        double diff = from[3 * i + c] - to[3 * j + c];
        d += diff * diff;
      }
      if (d < bestD) {
        bestD = d;
        best = j;
      }
    }
    return best;
  }
}
