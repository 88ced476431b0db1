package org.introvae.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.types.TFloat32;

/**
 * The rewritten convolutions equal the plain ones: a narrow-output convolution in its mirrored form,
 * and a hidden convolution folded over a 2× nearest upsampling.
 */
@org.junit.jupiter.api.Tag("cross-kernel")
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
      assertSame(s, expected, actual);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {3, 1})
  void folded_upsampling_equals_convolving_the_upsampled_map(int size) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Architecture.Parameters p = new Architecture.Parameters(tf, "t", 11);
      Architecture.Conv conv = new Architecture.Conv(p, "c", size, 6, 5, false);
      // Asymmetric (4×7) so a wrong flip, shift or pad shows; the upsampled map is 8×14.
      Operand<TFloat32> x = tf.random.statelessRandomNormal(tf.constant(new long[] {2, 4, 7, 6}), tf.constant(new long[] {3, 4}));
      Operand<TFloat32> expected = conv.apply(tf, Architecture.upsample(tf, x));
      Operand<TFloat32> actual = conv.applyToUpsampled(tf, x);
      assertSame(s, expected, actual);
      // And the same gradients, for the kernel and for x, of a random projection of the output.
      Operand<TFloat32> r = tf.random.statelessRandomNormal(tf.constant(new long[] {2, 8, 14, 5}), tf.constant(new long[] {5, 6}));
      List<Operand<?>> wrt = List.of(p.trainable().get(0), x);
      Gradients ge = tf.gradients(tf.reduceSum(tf.math.mul(expected, r), tf.constant(new int[] {0, 1, 2, 3})), wrt);
      Gradients ga = tf.gradients(tf.reduceSum(tf.math.mul(actual, r), tf.constant(new int[] {0, 1, 2, 3})), wrt);
      for (int i = 0; i < wrt.size(); i++) {
        assertSame(s, ge.<TFloat32>dy(i), ga.<TFloat32>dy(i));
      }
    }
  }

  /** The served decoder (plain upsampling) computes what the trained one (folded) does, same weights. */
  @ParameterizedTest
  @EnumSource(value = Architecture.Mode.class, names = {"TRAIN", "INFERENCE"})
  void folded_and_plain_decoders_agree(Architecture.Mode mode) {
    assertClose(decode(false, mode), decode(true, mode));
  }

  private static float[] decode(boolean fold, Architecture.Mode mode) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Architecture.Decoder decoder = new Architecture.Decoder(tf, TinyGraphs.CONFIG, 5, fold);
      Operand<TFloat32> z = tf.random.statelessRandomNormal(
          tf.constant(new long[] {3, TinyGraphs.CONFIG.zDim()}), tf.constant(new long[] {7, 8}));
      Operand<TFloat32> y = decoder.apply(tf, z, mode);
      s.initialize();
      try (Result r = s.runner().fetch(y).run()) {
        return values((TFloat32) r.get(0));
      }
    }
  }

  /** Same shape, not all near zero, and equal to float rounding. */
  private static void assertSame(Session s, Operand<TFloat32> expected, Operand<TFloat32> actual) {
    s.initialize();
    try (Result r = s.runner().fetch(expected).fetch(actual).run()) {
      TFloat32 e = (TFloat32) r.get(0);
      TFloat32 a = (TFloat32) r.get(1);
      assertEquals(e.shape(), a.shape());
      assertClose(values(e), values(a));
    }
  }

  /**
   * Within 1e-4 of the largest value: the two forms sum the same products in a different order and with
   * different kernels (oneDNN picks them per shape and instruction set), each float32 sum rounding at
   * ~1e-7 relative; a dropped or misplaced kernel tap changes the result by ~1 (tested by mutation).
   */
  private static void assertClose(float[] expected, float[] actual) {
    double maxAbs = 0;
    double maxDiff = 0;
    for (int i = 0; i < expected.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
      maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
    }
    assertTrue(maxAbs > 0.1);
    assertTrue(maxDiff < 1e-4 * maxAbs, "max difference " + maxDiff + " of " + maxAbs);
  }

  private static float[] values(TFloat32 t) {
    float[] v = new float[(int) t.shape().size()];
    t.copyTo(DataBuffers.of(v, false, false));
    return v;
  }
}
