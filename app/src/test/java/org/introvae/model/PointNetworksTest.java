package org.introvae.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * The point-cloud networks: E does not depend on the order of the points, D makes clouds of the
 * configured size, and Soft-IntroVAE's gradients over them (Chamfer reconstruction terms, max pooling)
 * match finite differences with the ng() points held, as for the image model in {@link GradientTest}.
 */
class PointNetworksTest {
  /** Not a square: a cloud travels as [N, 1, 3], any N. */
  static final int POINTS = 15;
  static final int BATCH = 4;

  @BeforeAll
  static void runtime() {
    TensorFlowRuntime.prepare();
  }

  /**
   * β_kl = 45 = 3N undoes the scale s = 1/(3N) on the KL terms, so the derivatives are well above float32's
   * finite-difference noise; β_rec = β_neg = 1 keep the expELBOs of order 1 (a large β_rec drives them to
   * 0 and the encoder's adversarial terms out of the check); γ_r = 1 makes the re-reconstruction count.
   */
  private static TrainingGraph graph(UpdateOrder order) {
    return PointNetworks.trainingGraph(POINTS, new int[] {8, 8}, 3, 1f, new SoftIntroVaeObjective(3f * POINTS, 1f, 1f, 1f), order,
        1e-3f, BATCH, 5, Placement.CPU, false);
  }

  private static float[] clouds(long seed) {
    Random r = new Random(seed);
    float[] p = new float[BATCH * POINTS * 3];
    for (int i = 0; i < p.length; i++) {
      p[i] = 2 * r.nextFloat() - 1;
    }
    return p;
  }

  private static TFloat32 tensor(float[] p) {
    return TFloat32.tensorOf(Shape.of(BATCH, POINTS, 1, 3), DataBuffers.of(p, true, false));
  }

  @Test
  void the_encoder_ignores_the_order_of_the_points_and_the_decoder_makes_whole_clouds() {
    float[] p = clouds(1);
    float[] shuffled = p.clone();
    Random r = new Random(2);
    for (int c = 0; c < BATCH; c++) {
      for (int i = POINTS - 1; i > 0; i--) {  // Fisher–Yates over the points of cloud c
        int j = r.nextInt(i + 1);
        for (int k = 0; k < 3; k++) {
          int a = 3 * (c * POINTS + i) + k;
          int b = 3 * (c * POINTS + j) + k;
          float t = shuffled[a];
          shuffled[a] = shuffled[b];
          shuffled[b] = t;
        }
      }
    }
    try (TrainingSession s = TrainingSession.withThreads(graph(UpdateOrder.ALTERNATING), 1)) {
      s.initialize();
      TrainingSession.Reconstruction a = s.reconstruct(p, BATCH);
      TrainingSession.Reconstruction b = s.reconstruct(shuffled, BATCH);
      // The same per-point products in another row order, then a max: equal up to the rounding of a
      // GEMM kernel that may block rows differently (~1e-7 relative); 1e-5 absolute on μ of order 0.1–1.
      assertArrayEquals(a.mu(), b.mu(), 1e-5f);
      assertArrayEquals(a.logvar(), b.logvar(), 1e-5f);
      assertEquals(BATCH * POINTS * 3, a.images().length);
      assertEquals(2 * POINTS * 3, s.sample(2, 7).length);
    }
    assertThrows(IllegalArgumentException.class, () -> PointNetworks.shape(1));
  }

  /**
   * σ_p = 0.2, the official 3-D prior, against σ_p = 1 with the same seed (so the same weights): E reports
   * the code standardised, D scales its input back, and the step's KL of the real clouds is the official
   * KL(N(μ, σ²) ‖ N(0, σ_p² I)) computed here by hand from the unscaled μ and log σ².
   */
  @Test
  void a_prior_of_scale_sigma_is_the_official_kl_and_the_official_decoder_input() {
    float sigma = 0.2f;
    float[] p = clouds(4);
    float[] z = new float[2 * 3];
    for (int i = 0; i < z.length; i++) {
      z[i] = 0.3f * (i - 2);
    }
    float[] scaledZ = z.clone();
    for (int i = 0; i < z.length; i++) {
      scaledZ[i] *= sigma;
    }
    try (TrainingSession unit = TrainingSession.withThreads(graphWithPrior(1f), 1);
         TrainingSession scaled = TrainingSession.withThreads(graphWithPrior(sigma), 1)) {
      unit.initialize();
      scaled.initialize();
      TrainingSession.Reconstruction a = unit.reconstruct(p, BATCH);
      TrainingSession.Reconstruction b = scaled.reconstruct(p, BATCH);
      double officialKl = 0;
      for (int i = 0; i < a.mu().length; i++) {
        // Same graph up to one multiply or subtract at the end: float32 rounding of values of order 1.
        assertEquals(a.mu()[i] / sigma, b.mu()[i], 1e-5 * Math.max(1, Math.abs(b.mu()[i])));
        assertEquals(a.logvar()[i] - 2 * Math.log(sigma), b.logvar()[i], 1e-5);
        double mu = a.mu()[i];
        double logvar = a.logvar()[i];
        officialKl += 0.5 * (Math.log(sigma * sigma) - logvar + (Math.exp(logvar) + mu * mu) / (sigma * sigma) - 1);
      }
      officialKl /= BATCH;
      // The step reports L_REG(x) before it updates; the whole step is the σ graph's, lr 0 changes nothing.
      float klReal = scaled.step(p, 5, 0, 0f, false, true).klReal();
      // KL of a few nats summed over 3 dimensions in float32: 1e-4 relative.
      assertEquals(officialKl, klReal, 1e-4 * Math.max(1, Math.abs(officialKl)));
      // σ·z is one float32 multiply in Java or in TF, the rest the same layers on the same batch and
      // threads; 1e-6 on coordinates of order 1 leaves room for a kernel that fuses the multiply.
      assertArrayEquals(unit.decode(scaledZ), scaled.decode(z), 1e-6f);
    }
    assertThrows(IllegalArgumentException.class, () -> graphWithPrior(0f));
  }

  private static TrainingGraph graphWithPrior(float priorStd) {
    return PointNetworks.trainingGraph(POINTS, new int[] {8, 8}, 3, priorStd, new SoftIntroVaeObjective(3f * POINTS, 1f, 1f, 1f),
        UpdateOrder.ALTERNATING, 1e-3f, BATCH, 5, Placement.CPU, false);
  }

  @Test
  void soft_introvae_gradients_over_chamfer_terms_match_finite_differences_with_ng_held() {
    check(UpdateOrder.ALTERNATING, true);
    check(UpdateOrder.SIMULTANEOUS, true);
    check(UpdateOrder.SIMULTANEOUS, false);
  }

  private static void check(UpdateOrder order, boolean encoder) {
    try (TrainingGraph g = graph(order); Session s = new Session(g.graph); TFloat32 x = tensor(clouds(3))) {
      s.initialize();
      var vars = (encoder ? g.encoder.parameters() : g.decoder.parameters()).trainable();
      List<float[]> d = GradientTest.towardsGradient(s, g, encoder ? g.encoderGradients : g.decoderGradients, x,
          GradientTest.direction(TinyGraphs.readAll(s, vars), 11));
      double exact = GradientTest.analytic(s, g, encoder ? g.encoderGradients : g.decoderGradients, x, d);
      Operand<TFloat32> loss = encoder ? g.lossE : g.lossG;
      Map<Operand<TFloat32>, TFloat32> held = GradientTest.stoppedValues(s, g, x, encoder ? g.ngForEncoder : g.ngForDecoder);
      try {
        double numeric = GradientTest.numeric(s, g, loss, vars, d, x, held);
        // As GradientTest's tolerance: 5 % + 1e-3 covers kinks (here: ReLU, the max over points, the
        // Chamfer minimum) crossed within ±2ε and float32 rounding; a missing path moves it by far more.
        assertEquals(numeric, exact, 0.05 * Math.abs(numeric) + 1e-3, order + (encoder ? " encoder" : " decoder"));
        assertTrue(Math.abs(exact) > 1e-3, order + (encoder ? " encoder" : " decoder") + ": a derivative large enough to compare: " + exact);
      } finally {
        held.values().forEach(Tensor::close);
      }
    }
  }
}
