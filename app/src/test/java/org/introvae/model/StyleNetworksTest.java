package org.introvae.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.introvae.model.Architecture.Mode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The style-based networks: instance normalisation and AdaIN against hand values, the noise inputs'
 * two modes, and Soft-IntroVAE's and IntroVAE's gradients over them against finite differences with
 * the ng() values held, as {@link GradientTest} checks the residual networks.
 */
class StyleNetworksTest {
  static final ModelConfig CONFIG = TinyGraphs.CONFIG.withArchitecture(ImageArchitecture.STYLE);
  static final ModelConfig ALAE = TinyGraphs.CONFIG.withArchitecture(ImageArchitecture.STYLE_ALAE);

  @BeforeAll
  static void runtime() {
    TensorFlowRuntime.prepare();
  }

  private static float[] run(Graph g, Session s, Operand<TFloat32> y) {
    try (Result r = s.runner().fetch(y).run()) {
      TFloat32 t = (TFloat32) r.get(0);
      float[] out = new float[(int) t.size()];
      t.asRawTensor().data().asFloats().read(out);
      return out;
    }
  }

  @Test
  void instance_norm_and_style_modulation_match_hand_values() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      // One sample, 2×2 pixels, channels (1, 2, 3, 4) and (5, 5, 5, 9): means 2.5 and 6, variances 1.25 and 3.
      Operand<TFloat32> x = tf.constant(new float[][][][] {{{{1, 5}, {2, 5}}, {{3, 5}, {4, 9}}}});
      float[] n = run(g, s, StyleNetworks.instanceNorm(tf, x, 0f));
      float a = (float) Math.sqrt(1.25);
      float b = (float) Math.sqrt(3);
      assertArrayEquals(new float[] {-1.5f / a, -1 / b, -0.5f / a, -1 / b, 0.5f / a, -1 / b, 1.5f / a, 3 / b}, n, 1e-6f);
      float[] std = run(g, s, StyleNetworks.moments(tf, x, 0f).std());
      assertArrayEquals(new float[] {a, b}, std, 1e-6f);
      // AdaIN: x·(1 + y_s) + y_b with y_s = (0.5, −1), y_b = (−1, 2) for the two channels.
      float[] m = run(g, s, StyleNetworks.styleMod(tf, x, tf.constant(new float[][] {{0.5f, -1, -1, 2}})));
      assertArrayEquals(new float[] {0.5f, 2, 2, 2, 3.5f, 2, 5, 2}, m, 1e-6f);
    }
  }

  @Test
  void truncation_pulls_each_style_towards_the_average_by_psi() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      // w̄ = (1, 2); w' = w̄ + ψ (w − w̄): ψ 0.5 halves each distance, ψ 0 gives w̄, ψ 1 gives w.
      Operand<TFloat32> w = tf.constant(new float[][] {{3, 0}, {1, 6}});
      float[] average = {1, 2};
      assertArrayEquals(new float[] {2, 1, 1, 4}, run(g, s, new StyleTruncation(0.5f, average).apply(tf, w)), 0f);
      assertArrayEquals(new float[] {1, 2, 1, 2}, run(g, s, new StyleTruncation(0f, average).apply(tf, w)), 0f);
      assertArrayEquals(new float[] {3, 0, 1, 6}, run(g, s, new StyleTruncation(1f, average).apply(tf, w)), 0f);
    }
    assertEquals("--truncation: '1.5' must be a number from 0 to 1 (1: no truncation)",
        assertThrows(IllegalArgumentException.class, () -> StyleTruncation.psi("--truncation", 1.5f)).getMessage());
  }

  @Test
  void the_blur_is_the_normalised_1_2_1_kernel_with_zero_padding() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.constant(new float[][][][] {{{{1}, {2}, {3}}, {{4}, {5}, {6}}, {{7}, {8}, {9}}}});
      // Along the rows only: (x[i−1] + 2x[i] + x[i+1]) / 4 with zeros outside.
      assertArrayEquals(new float[] {1.5f, 2.25f, 3, 4, 5, 6, 4.5f, 5.25f, 6},
          run(g, s, StyleNetworks.blur121(tf, x, 1)), 1e-6f);
      float[] both = run(g, s, new StyleNetworks.Layers(true).blur(tf, x));
      // Centre: (1·1 + 2·2 + 1·3 + 2·4 + 4·5 + 2·6 + 1·7 + 2·8 + 1·9) / 16 = 80/16; corner: (4·1 + 2·2 + 2·4 + 1·5) / 16.
      assertEquals(5f, both[4], 1e-6f);
      assertEquals(21f / 16, both[0], 1e-6f);
      assertArrayEquals(run(g, s, x), run(g, s, new StyleNetworks.Layers(false).blur(tf, x)), 0f, "style: no blur");
    }
  }

  @Test
  void an_equalised_layer_uses_its_variables_scaled_by_gain_over_root_fan_in() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Architecture.Parameters p = new Architecture.Parameters(tf, "t", 5);
      // in 4, gain 2, lrMul 0.5: weights used × 2/√4·0.5 = 0.5, the bias × 0.5.
      Architecture.Dense dense = Architecture.Dense.equalized(p, "d", 4, 1, 2f, 0.5f);
      Architecture.Dense wide = Architecture.Dense.equalized(p, "wide", 256, 256, 2f, 0.5f);
      Operand<TFloat32> y = dense.apply(tf, tf.constant(new float[][] {{1, 2, 3, 4}}));
      List<Variable<TFloat32>> v = p.trainable();
      Op set = tf.withControlDependencies(List.of(tf.assign(v.get(0), tf.constant(new float[][] {{1}, {-1}, {2}, {0.5f}})),
          tf.assign(v.get(1), tf.constant(new float[] {3})))).noOp();
      s.initialize();
      float[] widths = TinyGraphs.readAll(s, List.of(v.get(2))).get(0);
      double sq = 0;
      for (float w : widths) {
        sq += w * w;
      }
      // N(0, 1/lrMul = 2): 65,536 draws put the sample deviation within 1 % of 2 (its own error ≈ 0.3 %).
      assertEquals(2.0, Math.sqrt(sq / widths.length), 0.02, "the variable's initial deviation is 1/lrMul");
      s.runner().addTarget(set).run().close();
      // (1·1 − 2·1 + 3·2 + 4·0.5)·0.5 + 3·0.5 = 3.5 + 1.5
      assertArrayEquals(new float[] {5f}, run(g, s, y), 1e-6f);
    }
  }

  /** Sets every noise strength of {@code d} to 0.5 so the noise inputs matter. */
  private static List<Op> louderNoise(Ops tf, StyleNetworks.Decoder d) {
    List<Op> ops = new ArrayList<>();
    for (Variable<TFloat32> v : d.parameters().trainable()) {
      if (v.op().name().contains("noise_strength")) {
        ops.add(tf.assign(v, tf.fill(tf.constant(new long[] {v.shape().get(0)}), tf.constant(0.5f))));
      }
    }
    return ops;
  }

  @Test
  void inference_maps_a_z_to_one_image_wherever_it_sits_and_training_draws_fresh_noise() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      StyleNetworks.Decoder d = new StyleNetworks.Decoder(tf, new ModelConfig(16, 3, new int[] {4, 8}, 4, ImageArchitecture.STYLE), 4, "decoder");
      float[][] z = new float[3][CONFIG.zDim()];
      Random r = new Random(1);
      for (float[] row : z) {
        for (int i = 0; i < row.length; i++) {
          row[i] = (float) r.nextGaussian();
        }
      }
      Operand<TFloat32> three = d.apply(tf, tf.constant(z), Mode.INFERENCE);
      Operand<TFloat32> alone = d.apply(tf, tf.constant(new float[][] {z[2]}), Mode.INFERENCE);
      Operand<TFloat32> training = d.apply(tf, tf.constant(z), Mode.TRAIN);
      List<Op> louder = louderNoise(tf, d);
      s.initialize();
      Session.Runner runner = s.runner();
      louder.forEach(runner::addTarget);
      runner.run().close();
      float[] batch = run(g, s, three);
      float[] single = run(g, s, alone);
      int size = 16 * 16 * 3;
      assertEquals(3 * size, batch.length);
      float[] third = java.util.Arrays.copyOfRange(batch, 2 * size, 3 * size);
      // Batch 1 and batch 3 may run different oneDNN kernels (summation order): ~1e-6 relative on
      // values of order 1; a noise map that depended on the position would differ by order 0.5.
      assertArrayEquals(third, single, 1e-4f, "the same z, last of three or alone");
      assertArrayEquals(batch, run(g, s, three), 0f, "inference is deterministic");
      float[] t1 = run(g, s, training);
      float[] t2 = run(g, s, training);
      double diff = 0;
      for (int i = 0; i < t1.length; i++) {
        diff = Math.max(diff, Math.abs(t1[i] - t2[i]));
      }
      assertTrue(diff > 0.05, "training passes draw new noise: " + diff);
    }
  }

  @Test
  void gradients_match_finite_differences_with_ng_held() {
    // GradientTest's weights: adversarial terms that dominate. The decoder's gradient in the simultaneous
    // order only: the alternating one needs the encoder's update to run first (UpdateOrderTest checks it).
    Objective soft = new SoftIntroVaeObjective(1f, 1f, 1f, 1f);
    check(soft, UpdateOrder.ALTERNATING, true);
    check(soft, UpdateOrder.SIMULTANEOUS, true, false);
    check(new IntroVaeObjective(1f, 1e-4f, 20f), UpdateOrder.SIMULTANEOUS, true, false);
  }

  @Test
  void alae_networks_gradients_match_finite_differences_with_ng_held() {
    // Equalised layers and the blur put constant multiplications, pads and slices on every path.
    check(ALAE, StyleMixing.OFF, new SoftIntroVaeObjective(1f, 1f, 1f, 1f), UpdateOrder.SIMULTANEOUS, true, false);
  }

  /** Checks the gradients of the networks named by {@code encoder} (true: E, false: D) on one graph. */
  private static void check(Objective objective, UpdateOrder order, boolean... encoder) {
    check(StyleMixing.OFF, objective, order, encoder);
  }

  /** As above, with the prior samples' styles mixed as {@code mixing} draws them for step 0. */
  static void check(StyleMixing mixing, Objective objective, UpdateOrder order, boolean... encoder) {
    check(CONFIG, mixing, objective, order, encoder);
  }

  /** As above, for the style networks {@code config} builds (grown in full if they grow). */
  static void check(ModelConfig config, StyleMixing mixing, Objective objective, UpdateOrder order, boolean... encoder) {
    check(config, config.widths().length, mixing, objective, order, encoder);
  }

  /** As above, growing networks at growth {@code growth}. */
  static void check(ModelConfig config, float growth, StyleMixing mixing, Objective objective, UpdateOrder order,
      boolean... encoder) {
    try (TrainingGraph g = new TrainingGraph(config, objective, order, 1e-3f, TinyGraphs.BATCH, 3, Placement.CPU,
        false, mixing);
        Session s = new Session(g.graph); TFloat32 x = TinyGraphs.images(TinyGraphs.randomImages(2))) {
      s.initialize();
      if (config.progressive()) {
        setGrowth(g, s, growth);
      }
      if (config.architecture().alae()) {
        louderImages(g, s);
      }
      for (boolean e : encoder) {
        check(g, s, x, objective, order, e);
      }
    }
  }

  /** Sets the growing networks' growth as the trainer does. */
  static void setGrowth(TrainingGraph g, Session s, float growth) {
    try (TFloat32 value = TFloat32.scalarOf(growth)) {
      s.runner().feed(g.growth, value).addTarget(g.setGrowth).run().close();
    }
  }

  /**
   * ALAE's image output starts at gain 0.03: images of ~0.03 whose re-encodings sit at LeakyReLU kinks
   * and instance-norm variances near ε, where five-point differences along the decoder (even at ε 1e-3)
   * swing by more than the derivative. Scaled to gain 1, the same graph is smooth enough to compare.
   */
  private static void louderImages(TrainingGraph g, Session s) {
    Ops tf = Ops.create(g.graph);
    for (Variable<TFloat32> v : g.decoder.parameters().trainable()) {
      if (v.op().name().endsWith("to_image.w")) {
        Op louder = tf.assign(v, tf.math.mul(v, tf.constant(1 / StyleNetworks.TO_IMAGE_GAIN)));
        s.runner().addTarget(louder).run().close();
      }
    }
  }

  private static void check(TrainingGraph g, Session s, TFloat32 x, Objective objective, UpdateOrder order,
      boolean encoder) {
    {
      List<Variable<TFloat32>> vars = (encoder ? g.encoder.parameters() : g.decoder.parameters()).trainable();
      List<float[]> random = GradientTest.direction(TinyGraphs.readAll(s, vars), 21);
      // The noise strengths start at 0, so the noise inputs add nothing and the loss is a deterministic
      // function of θ; moving a strength would bring in noise drawn anew for every evaluation.
      for (int i = 0; i < vars.size(); i++) {
        if (vars.get(i).op().name().contains("noise_strength")) {
          java.util.Arrays.fill(random.get(i), 0f);
        }
      }
      List<float[]> d = GradientTest.towardsGradient(s, g, encoder ? g.encoderGradients : g.decoderGradients, x, random);
      for (int i = 0; i < vars.size(); i++) {
        if (vars.get(i).op().name().contains("noise_strength")) {
          java.util.Arrays.fill(d.get(i), 0f);
        }
      }
      double exact = GradientTest.analytic(s, g, encoder ? g.encoderGradients : g.decoderGradients, x, d);
      Operand<TFloat32> loss = encoder ? g.lossE : g.lossG;
      Map<Operand<TFloat32>, TFloat32> held = GradientTest.stoppedValues(s, g, x, encoder ? g.ngForEncoder : g.ngForDecoder);
      try {
        double numeric = GradientTest.numeric(s, g, loss, vars, d, x, held);
        String what = objective.name() + " " + order + (encoder ? " encoder" : " decoder");
        // GradientTest's tolerance and reasons: 5 % + 1e-3 covers LeakyReLU kinks crossed within ±2ε and
        // float32 rounding; a missing or extra path moves the derivative by far more.
        assertEquals(numeric, exact, 0.05 * Math.abs(numeric) + 1e-3, what);
        assertTrue(Math.abs(exact) > 1e-3, what + ": a derivative large enough to compare: " + exact);
      } finally {
        held.values().forEach(Tensor::close);
      }
    }
  }
}
