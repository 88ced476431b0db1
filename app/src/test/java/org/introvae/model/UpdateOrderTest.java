package org.introvae.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The papers' update order: in the alternating graph the decoder's gradient is the one of its loss
 * with the encoder's post-update weights (checked against finite differences of that loss), and it
 * differs from the gradient with the pre-update weights, which is what the simultaneous graph computes.
 */
@org.junit.jupiter.api.Tag("cross-kernel")
class UpdateOrderTest {
  /**
   * Learning rates large enough that one Adam step moves the encoder far enough to change the decoder's
   * gradient clearly, and no larger (the loss gets rougher): Soft-IntroVAE's decoder loss depends on the
   * encoder more weakly (through ½·s·β_kl·KL) and needs the larger step.
   */
  private static float lr(Objective objective) {
    return objective instanceof SoftIntroVaeObjective ? 0.01f : 0.002f;
  }
  /**
   * Smaller than GradientTest's step: after a large encoder step the decoder's loss is rougher, and at
   * 3e-3 kinks crossed within ±2ε moved the difference by up to 17 %; the loss here is ~1e1, so float32
   * rounding stays below 0.5 % at 1e-3.
   */
  private static final float EPS = 1e-3f;

  @BeforeAll
  static void runtime() {
    TensorFlowRuntime.prepare();
  }

  /** Weights under which the decoder's loss depends mostly on the encoder's energies of x_r and x_p. */
  static java.util.stream.Stream<Objective> objectives() {
    return java.util.stream.Stream.of(new IntroVaeObjective(1f, 1e-4f, 20f), new SoftIntroVaeObjective(400f, 1f, 1f, 1f));
  }

  private static TrainingGraph graph(Objective objective, UpdateOrder order) {
    return new TrainingGraph(TinyGraphs.CONFIG, objective, order, lr(objective), TinyGraphs.BATCH, 3);
  }

  /** The alternating graph at its initial weights, after one decoder-gradient evaluation. */
  private record AlternatingProbe(List<float[]> direction, double analytic, double afterUpdate, double beforeUpdate,
      List<float[]> encoderBefore, List<float[]> encoderAfter) {}

  private static AlternatingProbe probeAlternating(Objective objective, long seed) {
    try (TrainingGraph g = graph(objective, UpdateOrder.ALTERNATING); Session s = new Session(g.graph);
        TFloat32 x = TinyGraphs.images(TinyGraphs.randomImages(seed))) {
      s.initialize();
      List<Variable<TFloat32>> enc = g.encoder.parameters().trainable();
      List<Variable<TFloat32>> dec = g.decoder.parameters().trainable();
      List<float[]> before = TinyGraphs.readAll(s, enc);
      List<float[]> d = GradientTest.direction(TinyGraphs.readAll(s, dec), 20 + seed);
      // Fetching the decoder's gradient runs the encoder's update first: it is what the gradient reads.
      double analytic = 0;
      try (TInt64 noise = TinyGraphs.seed(0); TFloat32 t = TFloat32.scalarOf(1f)) {
        Session.Runner runner = s.runner().feed(g.x, x).feed(g.noiseSeed, noise).feed(g.adamStep, t);
        for (Output<?> grad : g.decoderGradients) {
          runner.fetch(grad);
        }
        try (Result r = runner.run()) {
          for (int k = 0; k < g.decoderGradients.length; k++) {
            float[] v = values((TFloat32) r.get(k));
            for (int i = 0; i < v.length; i++) {
              analytic += v[i] * d.get(k)[i];
            }
          }
        }
      }
      List<float[]> after = TinyGraphs.readAll(s, enc);
      new TinyGraphs.Setter(g, enc).set(s, before);
      double withAfter = decoderDerivative(s, g, x, d, after);
      double withBefore = decoderDerivative(s, g, x, d, before);
      return new AlternatingProbe(d, analytic, withAfter, withBefore, before, after);
    }
  }

  /**
   * The finite difference of the decoder's loss along d, with the loss's view of the encoder (the
   * updated encoder's reads) fed {@code encoderWeights} and its stop-gradient outputs held at their values.
   */
  private static double decoderDerivative(Session s, TrainingGraph g, TFloat32 x, List<float[]> d, List<float[]> encoderWeights) {
    List<Variable<TFloat32>> enc = g.encoder.parameters().trainable();
    List<Operand<TFloat32>> reads = g.updatedEncoder.parameters().reads();
    Map<Operand<TFloat32>, TFloat32> feeds = new LinkedHashMap<>();
    try {
      for (int i = 0; i < reads.size(); i++) {
        feeds.put(reads.get(i), TFloat32.tensorOf(enc.get(i).shape(), DataBuffers.of(encoderWeights.get(i), true, false)));
      }
      feeds.putAll(held(s, g, x, feeds));
      return GradientTest.numeric(s, g, g.lossG, g.decoder.parameters().trainable(), d, x, feeds, EPS);
    } finally {
      feeds.values().forEach(Tensor::close);
    }
  }

  /** The decoder loss's ng() outputs at the current weights, with the given feeds. */
  private static Map<Operand<TFloat32>, TFloat32> held(Session s, TrainingGraph g, TFloat32 x, Map<Operand<TFloat32>, TFloat32> feeds) {
    Map<Operand<TFloat32>, TFloat32> out = new LinkedHashMap<>();
    if (g.ngForDecoder.isEmpty()) {
      return out;
    }
    try (TInt64 noise = TinyGraphs.seed(0)) {
      Session.Runner runner = s.runner().feed(g.x, x).feed(g.noiseSeed, noise);
      feeds.forEach(runner::feed);
      g.ngForDecoder.forEach(runner::fetch);
      try (Result r = runner.run()) {
        for (int i = 0; i < g.ngForDecoder.size(); i++) {
          TFloat32 t = (TFloat32) r.get(i);
          out.put(g.ngForDecoder.get(i), TFloat32.tensorOf(t.shape(), DataBuffers.of(values(t), true, false)));
        }
      }
    }
    return out;
  }

  private static float[] values(TFloat32 t) {
    float[] v = new float[(int) t.size()];
    t.copyTo(DataBuffers.of(v, false, false));
    return v;
  }

  private static boolean differ(List<float[]> a, List<float[]> b) {
    for (int i = 0; i < a.size(); i++) {
      if (!java.util.Arrays.equals(a.get(i), b.get(i))) {
        return true;
      }
    }
    return false;
  }

  /**
   * 5 % tolerance, as in GradientTest. The two encoder states must give derivatives further apart than
   * that (10 %), or the test could not tell them apart.
   */
  @ParameterizedTest
  @MethodSource("objectives")
  void alternating_decoder_gradient_is_taken_with_the_updated_encoder(Objective objective) {
    AlternatingProbe p = probeAlternating(objective, 1);
    assertTrue(differ(p.encoderBefore(), p.encoderAfter()), "the encoder's update ran before the decoder's gradient");
    assertEquals(p.afterUpdate(), p.analytic(), 0.05 * Math.abs(p.afterUpdate()) + 1e-3,
        objective.name() + ": the decoder's gradient is that of its loss with the updated encoder");
    assertTrue(Math.abs(p.beforeUpdate() - p.analytic()) > 0.1 * Math.abs(p.analytic()),
        objective.name() + ": with the pre-update encoder the derivative should differ: " + p.beforeUpdate() + " vs " + p.analytic());
  }

  /**
   * The simultaneous graph's decoder gradient is the derivative with the pre-update encoder: the same
   * loss (IntroVAE's L_G has no noise of its own) as the alternating graph's with its encoder view fed the
   * initial weights. Both graphs start from the same weights (same seeds).
   */
  @Test
  void simultaneous_decoder_gradient_is_taken_with_the_pre_update_encoder() {
    IntroVaeObjective w = new IntroVaeObjective(1f, 1e-4f, 20f);
    AlternatingProbe p = probeAlternating(w, 1);
    double simultaneous;
    try (TrainingGraph g = graph(w, UpdateOrder.SIMULTANEOUS); Session s = new Session(g.graph);
        TFloat32 x = TinyGraphs.images(TinyGraphs.randomImages(1))) {
      s.initialize();
      simultaneous = GradientTest.analytic(s, g, g.decoderGradients, x, p.direction());
    }
    assertEquals(p.beforeUpdate(), simultaneous, 0.05 * Math.abs(p.beforeUpdate()) + 1e-3);
    assertTrue(Math.abs(simultaneous - p.analytic()) > 0.1 * Math.abs(p.analytic()),
        "the two orders' decoder gradients differ: " + simultaneous + " vs " + p.analytic());
  }
}
