package org.introvae.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The graph's gradients against central finite differences along a random direction, on the tiny
 * 16×16 model. This covers every op the model differentiates through (Conv2D, FusedBatchNormV3 in
 * training mode, LeakyRelu, Relu, AvgPool, ResizeNearestNeighbor, MatMul, BiasAdd, Exp, Square,
 * SquaredDifference, Sum, Mean, Maximum, Split, Reshape), and checks ng() numerically.
 */
class GradientTest {
  private static final float EPS = 1e-2f;

  @BeforeAll
  static void runtime() {
    TensorFlowRuntime.prepare();
  }

  /**
   * Hinge active everywhere (m far above any KL) and β tiny, so the adversarial terms dominate and
   * the paths through x_r and x_p carry much of the gradient.
   */
  private static TrainingGraph graph(float α) {
    return new TrainingGraph(TinyGraphs.CONFIG, new IntroVaeWeights(α, 1e-4f, 1000f), 1e-3f, TinyGraphs.BATCH, 3);
  }

  private static float loss(Session s, TrainingGraph g, Operand<TFloat32> loss, TFloat32 x, Map<Operand<TFloat32>, TFloat32> frozen) {
    try (TInt64 seed = TinyGraphs.seed(0)) {
      Session.Runner runner = s.runner().feed(g.x, x).feed(g.noiseSeed, seed);
      frozen.forEach(runner::feed);
      try (Result r = runner.fetch(loss).run()) {
        return ((TFloat32) r.get(0)).getFloat();
      }
    }
  }

  private static List<float[]> direction(List<float[]> like, long seed) {
    Random r = new Random(seed);
    List<float[]> d = new ArrayList<>();
    double norm = 0;
    for (float[] v : like) {
      float[] di = new float[v.length];
      for (int i = 0; i < di.length; i++) {
        di[i] = (float) r.nextGaussian();
        norm += di[i] * di[i];
      }
      d.add(di);
    }
    for (float[] di : d) {
      for (int i = 0; i < di.length; i++) {
        di[i] /= (float) Math.sqrt(norm);
      }
    }
    return d;
  }

  private static List<float[]> shifted(List<float[]> θ, List<float[]> d, float t) {
    List<float[]> out = new ArrayList<>();
    for (int k = 0; k < θ.size(); k++) {
      float[] v = θ.get(k).clone();
      for (int i = 0; i < v.length; i++) {
        v[i] += t * d.get(k)[i];
      }
      out.add(v);
    }
    return out;
  }

  /** ⟨∇, d⟩ from the graph's gradient outputs. */
  private static double analytic(Session s, TrainingGraph g, Output<?>[] grads, TFloat32 x, List<float[]> d) {
    try (TInt64 seed = TinyGraphs.seed(0)) {
      Session.Runner runner = s.runner().feed(g.x, x).feed(g.noiseSeed, seed);
      for (Output<?> grad : grads) {
        runner.fetch(grad);
      }
      double dot = 0;
      try (Result r = runner.run()) {
        for (int k = 0; k < grads.length; k++) {
          TFloat32 t = (TFloat32) r.get(k);
          float[] v = new float[(int) t.size()];
          t.asRawTensor().data().asFloats().read(v);
          for (int i = 0; i < v.length; i++) {
            dot += v[i] * d.get(k)[i];
          }
        }
      }
      return dot;
    }
  }

  private static double numeric(Session s, TrainingGraph g, Operand<TFloat32> lossOp, List<Variable<TFloat32>> vars,
      List<float[]> d, TFloat32 x, Map<Operand<TFloat32>, TFloat32> frozen) {
    TinyGraphs.Setter setter = new TinyGraphs.Setter(g, vars);
    List<float[]> θ = TinyGraphs.readAll(s, vars);
    setter.set(s, shifted(θ, d, EPS));
    float plus = loss(s, g, lossOp, x, frozen);
    setter.set(s, shifted(θ, d, -EPS));
    float minus = loss(s, g, lossOp, x, frozen);
    setter.set(s, θ);
    return (plus - minus) / (2 * EPS);
  }

  /** A random unit direction over {@code vars} and the graph's derivative ⟨∇, d⟩ along it. */
  private record Probe(List<Variable<TFloat32>> vars, List<float[]> d, double exact) {}

  private static Probe probe(Session s, TrainingGraph g, TFloat32 x, List<Variable<TFloat32>> vars, Output<?>[] grads,
      long directionSeed) {
    s.initialize();
    List<float[]> d = direction(TinyGraphs.readAll(s, vars), directionSeed);
    return new Probe(vars, d, analytic(s, g, grads, x, d));
  }

  @Test
  void encoder_gradient_of_L_E_matches_finite_differences_with_ng_inputs_held() {
    try (TrainingGraph g = graph(1f); Session s = new Session(g.graph); TFloat32 x = TinyGraphs.images(TinyGraphs.randomImages(1))) {
      Probe p = probe(s, g, x, g.encoder.parameters().trainable(), g.encoderGradients, 11);
      double exact = p.exact();
      // ng(x_r), ng(x_p) fed with their current values: moving θ_E cannot move them, as ng() promises.
      Map<Operand<TFloat32>, TFloat32> held = stoppedValues(s, g, x);
      try {
        double withNg = numeric(s, g, g.lossE, p.vars(), p.d(), x, held);
        double withoutNg = numeric(s, g, g.lossE, p.vars(), p.d(), x, Map.of());
        assertEquals(withNg, exact, 0.03 * Math.abs(withNg) + 1e-2, "∂L_E/∂θ_E along d");
        // Letting x_r, x_p follow θ_E changes the derivative: the stop-gradient is doing something.
        assertTrue(Math.abs(withoutNg - exact) > 0.1 * Math.abs(exact),
            "without ng() the derivative should differ: " + withoutNg + " vs " + exact);
      } finally {
        held.values().forEach(Tensor::close);
      }
    }
  }

  @Test
  void decoder_gradient_of_L_G_matches_finite_differences() {
    try (TrainingGraph g = graph(1f); Session s = new Session(g.graph); TFloat32 x = TinyGraphs.images(TinyGraphs.randomImages(2))) {
      Probe p = probe(s, g, x, g.decoder.parameters().trainable(), g.decoderGradients, 12);
      double fd = numeric(s, g, g.lossG, p.vars(), p.d(), x, Map.of());
      assertEquals(fd, p.exact(), 0.03 * Math.abs(fd) + 1e-2, "∂L_G/∂θ_D along d");
    }
  }

  @Test
  void ng_blocks_every_path_from_the_encoders_hinge_terms_to_the_decoder() {
    try (TrainingGraph g = graph(1f)) {
      Output<?>[] xs = g.decoder.parameters().trainable().stream().map(Variable::asOutput).toArray(Output<?>[]::new);
      Output<?>[] stopped = g.graph.addGradients("probe_ng",
          new Output<?>[] {g.energies.regRecStopped().asOutput(), g.energies.regSampleStopped().asOutput()}, xs, null);
      for (Output<?> grad : stopped) {
        assertTrue(grad.isClosed(), "a gradient reached the decoder through ng(x_s)");
      }
      Output<?>[] open = g.graph.addGradients("probe_open",
          new Output<?>[] {g.energies.regRec().asOutput()}, xs, null);
      assertTrue(java.util.Arrays.stream(open).noneMatch(Output::isClosed), "L_REG(x_r) must reach the decoder");
    }
  }

  private static Map<Operand<TFloat32>, TFloat32> stoppedValues(Session s, TrainingGraph g, TFloat32 x) {
    try (TInt64 seed = TinyGraphs.seed(0);
        Result r = s.runner().feed(g.x, x).feed(g.noiseSeed, seed).fetch(g.ngReconstruction).fetch(g.ngSample).run()) {
      return Map.of(g.ngReconstruction, copy((TFloat32) r.get(0)), g.ngSample, copy((TFloat32) r.get(1)));
    }
  }

  private static TFloat32 copy(TFloat32 t) {
    float[] v = new float[(int) t.size()];
    t.asRawTensor().data().asFloats().read(v);
    return TFloat32.tensorOf(t.shape(), org.tensorflow.ndarray.buffer.DataBuffers.of(v, true, false));
  }
}
