package org.introvae.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Style mixing as a training regulariser: the crossover's distribution (one coin with probability p,
 * then uniform on 1..L; L mixes nothing), a step that does not mix giving the unmixed graph's values,
 * one that mixes moving the prior samples' terms, and the gradients through the mixed styles against
 * finite differences.
 */
class StyleMixingTest {
  private static final ConfigProto ONE_THREAD = TrainingSession.settings(1);
  private static final int LAYERS = 6;
  private static final int STEPS = 4000;

  @BeforeAll
  static void runtime() {
    TensorFlowRuntime.prepare();
  }

  /** Crossovers of steps 0..STEPS−1 under run seed 7, counted by value 0..LAYERS. */
  private static int[] crossovers(float p) {
    int[] counts = new int[LAYERS + 1];
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TInt64> seed = tf.placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
      StyleMixing.Draws d = new StyleMixing(p).draw(tf, seed, 2, 3, LAYERS);
      for (long step = 0; step < STEPS; step++) {
        try (TInt64 pair = TInt64.vectorOf(7, step); Result r = s.runner().feed(seed, pair).fetch(d.crossover()).run()) {
          counts[((TInt32) r.get(0)).getInt()]++;
        }
      }
    }
    return counts;
  }

  /** A frequency within five binomial standard deviations of {@code expected}: a wrong rule misses by far more. */
  private static void assertFrequency(double expected, int count, String what) {
    double sigma = Math.sqrt(expected * (1 - expected) / STEPS);
    assertEquals(expected, count / (double) STEPS, 5 * sigma + 1e-9, what);
  }

  @Test
  void one_coin_with_probability_p_then_a_crossover_uniform_on_one_to_L() {
    int[] mixed = crossovers(0.9f);
    assertEquals(0, mixed[0], "crossover 0 would give every layer the second style");
    assertFrequency(0.1 + 0.9 / LAYERS, mixed[LAYERS], "no mixing: the coin's 10 %, or a crossover of L");
    for (int c = 1; c < LAYERS; c++) {
      assertFrequency(0.9 / LAYERS, mixed[c], "crossover " + c);
    }
    assertEquals(STEPS, crossovers(0f)[LAYERS], "p = 0 never mixes");
    int[] always = crossovers(1f);
    assertFrequency(1.0 / LAYERS, always[LAYERS], "p = 1: only a crossover of L leaves a batch unmixed");
    assertThrows(IllegalArgumentException.class, () -> new StyleMixing(1.5f));
    assertThrows(IllegalArgumentException.class, () -> new StyleMixing(Float.NaN));
  }

  @Test
  void the_second_draw_is_independent_of_the_steps_other_noise() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      var seed = tf.constant(new long[] {7, 3});
      // the training graph's draws: [6, batch, z] from the same seed pair
      var noise = tf.random.statelessRandomNormal(tf.constant(new long[] {6, 4, 3}), seed, TFloat32.class);
      var zFine = new StyleMixing(1f).draw(tf, seed, 4, 3, LAYERS).zFine();
      try (Result r = s.runner().fetch(noise).fetch(zFine).run()) {
        float[] all = TinyGraphs.values((TFloat32) r.get(0));
        float[] fine = TinyGraphs.values((TFloat32) r.get(1));
        for (int draw = 0; draw < 6; draw++) {
          float[] one = java.util.Arrays.copyOfRange(all, draw * 12, draw * 12 + 12);
          assertTrue(!java.util.Arrays.equals(one, fine), "z_fine repeats noise draw " + draw);
        }
      }
    }
  }

  private static TrainingSession session(StyleMixing mixing) {
    TrainingSession s = new TrainingSession(new TrainingGraph(StyleNetworksTest.CONFIG, new IntroVaeObjective(1f, 1f,
        20f), UpdateOrder.SIMULTANEOUS, 1e-3f, TinyGraphs.BATCH, 3, Placement.CPU, false, mixing), ONE_THREAD);
    s.initialize();
    return s;
  }

  private static int crossover(TrainingSession s, long step) {
    try (TInt64 pair = TInt64.vectorOf(7, step);
        Result r = s.session().runner().feed(s.model().noiseSeed, pair).fetch(s.model().styleCrossover).run()) {
      return ((TInt32) r.get(0)).getInt();
    }
  }

  /** The first step of run seed 7 whose crossover is (or is not) the layer count. */
  private static long firstStep(TrainingSession s, boolean mixes) {
    for (long step = 0; ; step++) {
      if ((crossover(s, step) < LAYERS) == mixes) {
        return step;
      }
    }
  }

  @Test
  void an_unmixed_step_gives_the_plain_graphs_values_and_a_mixed_one_moves_the_prior_samples() {
    float[] images = TinyGraphs.randomImages(5);
    long[] steps = new long[2];
    try (TrainingSession s = session(new StyleMixing(1f))) {
      steps[0] = firstStep(s, false);
      steps[1] = firstStep(s, true);
    }
    for (boolean mixes : new boolean[] {false, true}) {
      long step = steps[mixes ? 1 : 0];
      try (TrainingSession plain = session(StyleMixing.OFF); TrainingSession mixed = session(new StyleMixing(1f))) {
        float[] p = ReplicaTest.values(plain.step(images, 7, step, 1e-3f, false, true));
        float[] m = ReplicaTest.values(mixed.step(images, 7, step, 1e-3f, false, true));
        if (!mixes) {
          // the same kernels on the same values: 1·w + 0·w_fine is w exactly, so only rounding of
          // reordered float32 sums in the rest of the step can differ (ReplicaTest's tolerance)
          ReplicaTest.assertAllClose("step " + step + " (crossover " + LAYERS + ")", List.of(p), List.of(m));
        } else {
          // values(): L_E, L_G, L_REC(x, x_r), KL(x), KL(x_r), KL(x_p). The two graphs run the real
          // images' passes with the same ops on the same CPU, batch and threads; only grappler's order of
          // float32 sums over the batch may differ (a few ulps each, ~1e-6 relative), hence 1e-5.
          assertEquals(p[2], m[2], 1e-5f * Math.abs(p[2]), "reconstructions never mix");
          assertEquals(p[3], m[3], 1e-5f * Math.abs(p[3]), "the real images' KL does not see the samples");
          assertTrue(Math.abs(p[5] - m[5]) > 1e-4f * Math.abs(p[5]),
              "step " + step + ": the mixed samples' KL " + m[5] + " against " + p[5]);
        }
      }
    }
  }

  @Test
  void gradients_through_mixed_styles_match_finite_differences() {
    try (TrainingSession s = session(new StyleMixing(1f))) {
      assertTrue(crossover(s, 0) < LAYERS, "step 0 of run seed 7 mixes (the gradient test feeds that pair)");
    }
    StyleNetworksTest.check(new StyleMixing(1f), new SoftIntroVaeObjective(1f, 1f, 1f, 1f), UpdateOrder.SIMULTANEOUS,
        true, false);
  }

  @Test
  void only_the_style_decoder_mixes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TrainingGraph(TinyGraphs.CONFIG,
        new IntroVaeObjective(1f, 1f, 1f), UpdateOrder.ALTERNATING, 1e-3f, TinyGraphs.BATCH, 3, Placement.CPU, false,
        new StyleMixing(0.9f)));
    assertEquals("style mixing needs the style-based decoder", e.getMessage());
  }
}
