package org.introvae.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.introvae.model.Architecture.Mode;
import org.introvae.model.Architecture.Posterior;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The translation model's encoder pair: z = [z_c, z_s] from the two encoders, the content variance
 * floored at 1, both encoders trained by the one encoder optimizer, and Soft-IntroVAE's gradients over
 * them against finite differences as for the single encoder.
 */
class TranslationNetworksTest {
  static final int CLASS_Z = 1;

  @BeforeAll
  static void runtime() {
    TensorFlowRuntime.prepare();
  }

  private static float[] values(Result r, int i) {
    TFloat32 t = (TFloat32) r.get(i);
    float[] v = new float[(int) t.size()];
    t.asRawTensor().data().asFloats().read(v);
    return v;
  }

  @Test
  void the_latent_is_the_class_code_then_the_content_code_with_its_variance_floored() {
    try (Graph g = new Graph(); Session s = new Session(g);
        TFloat32 x = TinyGraphs.images(TinyGraphs.randomImages(1))) {
      Ops tf = Ops.create(g);
      TranslationNetworks.TwoEncoders e = new TranslationNetworks.TwoEncoders(tf, TinyGraphs.CONFIG, CLASS_Z, 3);
      var in = tf.placeholder(TFloat32.class);
      Posterior both = e.apply(tf, in, Mode.INFERENCE);
      Posterior c = e.classCode(tf, in, Mode.INFERENCE);
      Posterior content = e.contentCode(tf, in, Mode.INFERENCE);
      s.initialize();
      try (Result r = s.runner().feed(in, x).fetch(both.mu()).fetch(both.logvar()).fetch(c.mu()).fetch(content.mu())
          .fetch(content.logvar()).run()) {
        float[] mu = values(r, 0);
        float[] logvar = values(r, 1);
        float[] muC = values(r, 2);
        float[] muS = values(r, 3);
        int z = TinyGraphs.CONFIG.zDim();
        for (int i = 0; i < TinyGraphs.BATCH; i++) {
          assertEquals(muC[i], mu[i * z], 0f, "z_c first");
          assertArrayEquals(java.util.Arrays.copyOfRange(muS, i * (z - 1), (i + 1) * (z - 1)),
              java.util.Arrays.copyOfRange(mu, i * z + 1, (i + 1) * z), 0f, "then z_s");
          for (int k = CLASS_Z; k < z; k++) {
            assertTrue(logvar[i * z + k] >= 0f, "content log σ² ≥ 0");
          }
        }
      }
      // Two encoders' stems, blocks and heads under one scope, each of its own size.
      long heads = e.parameters().trainable().stream().filter(v -> v.op().name().endsWith("fc.w")).count();
      assertEquals(2, heads);
    }
    assertThrows(IllegalArgumentException.class,
        () -> TranslationNetworks.contentConfig(TinyGraphs.CONFIG, TinyGraphs.CONFIG.zDim()));
  }

  @Test
  void soft_introvae_encoder_gradient_over_both_encoders_matches_finite_differences() {
    try (TrainingGraph g = TranslationNetworks.trainingGraph(TinyGraphs.CONFIG, CLASS_Z,
            new SoftIntroVaeObjective(1f, 1f, 1f, 1f), UpdateOrder.ALTERNATING, 1e-3f, TinyGraphs.BATCH, 3, Placement.CPU);
        Session s = new Session(g.graph); TFloat32 x = TinyGraphs.images(TinyGraphs.randomImages(2))) {
      s.initialize();
      var vars = g.encoder.parameters().trainable();
      List<float[]> d = GradientTest.towardsGradient(s, g, g.encoderGradients, x,
          GradientTest.direction(TinyGraphs.readAll(s, vars), 5));
      double exact = GradientTest.analytic(s, g, g.encoderGradients, x, d);
      Map<Operand<TFloat32>, TFloat32> held = GradientTest.stoppedValues(s, g, x, g.ngForEncoder);
      try {
        double numeric = GradientTest.numeric(s, g, g.lossE, vars, d, x, held);
        // GradientTest's tolerance and reasons; the floor max(log σ², 0) is one more kink.
        assertEquals(numeric, exact, 0.05 * Math.abs(numeric) + 1e-3);
        assertTrue(Math.abs(exact) > 1e-2, "a derivative large enough to compare: " + exact);
      } finally {
        held.values().forEach(Tensor::close);
      }
    }
  }
}
