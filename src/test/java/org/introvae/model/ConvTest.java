package org.introvae.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** A narrow-output convolution computed in its mirrored form equals the plain 5×5 SAME convolution. */
class ConvTest {
  @BeforeAll
  static void runtime() {
    TensorFlowRuntime.prepare();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void mirrored_form_equals_the_convolution(int out) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Architecture.Parameters p = new Architecture.Parameters(tf, "t", 7);
      Architecture.Conv conv = new Architecture.Conv(p, "out", 5, 16, out, true);
      // Asymmetric input (batch 3, 9×11) so a wrong flip, transpose or shape shows.
      Operand<TFloat32> x = tf.random.statelessRandomNormal(tf.constant(new long[] {3, 9, 11, 16}), tf.constant(new long[] {1, 2}));
      Operand<TFloat32> kernel = p.trainable().get(0);
      Operand<TFloat32> bias = p.trainable().get(1);
      Operand<TFloat32> expected = tf.nn.biasAdd(tf.nn.conv2d(x, kernel, Arrays.asList(1L, 1L, 1L, 1L), "SAME"), bias);
      Operand<TFloat32> actual = conv.apply(tf, x);
      s.initialize();
      try (Result r = s.runner().fetch(expected).fetch(actual).run()) {
        TFloat32 e = (TFloat32) r.get(0);
        TFloat32 a = (TFloat32) r.get(1);
        assertEquals(e.shape(), a.shape());
        double maxAbs = 0;
        double maxDiff = 0;
        for (int n = 0; n < 3; n++) {
          for (int i = 0; i < 9; i++) {
            for (int j = 0; j < 11; j++) {
              for (int c = 0; c < out; c++) {
                maxAbs = Math.max(maxAbs, Math.abs(e.getFloat(n, i, j, c)));
                maxDiff = Math.max(maxDiff, Math.abs(e.getFloat(n, i, j, c) - a.getFloat(n, i, j, c)));
              }
            }
          }
        }
        assertTrue(maxAbs > 0.1);
        assertTrue(maxDiff < 1e-4 * maxAbs, "max difference " + maxDiff + " of " + maxAbs);
      }
    }
  }
}
