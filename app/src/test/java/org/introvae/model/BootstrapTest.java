package org.introvae.model;

import static org.introvae.model.ReplicaTest.assertAllClose;
import static org.introvae.model.ReplicaTest.gradients;
import static org.introvae.model.ReplicaTest.values;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Session;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * The bootstrapped Soft-IntroVAE (the official code's bootstrap variant): a target decoder that steps
 * never train and a refresh copies the decoder into; with the target equal to the decoder the losses are
 * the plain objective's, and the decoder's gradient differs from the plain one exactly by the
 * re-reconstruction term's path through the generated images (none when γ_r = 0). Tolerances as in
 * {@link ReplicaTest}: the two graphs differ only in stop-gradient ops, so values agree to float32
 * rounding of the same kernels.
 */
class BootstrapTest {
  private static final ConfigProto ONE_THREAD = TrainingSession.settings(1);

  @BeforeAll
  static void runtime() {
    TensorFlowRuntime.prepare();
  }

  private static TrainingSession session(float γ_r, boolean bootstrap) {
    return new TrainingSession(new TrainingGraph(TinyGraphs.CONFIG, new SoftIntroVaeObjective(1f, 1f, 1f, γ_r),
        UpdateOrder.ALTERNATING, 1e-3f, TinyGraphs.BATCH, 5, Placement.CPU, bootstrap), ONE_THREAD);
  }

  private static List<float[]> read(Session s, List<Variable<TFloat32>> variables) {
    List<float[]> out = new ArrayList<>();
    variables.forEach(v -> out.add(TinyGraphs.read(s, v)));
    return out;
  }

  private static List<Variable<TFloat32>> all(Architecture.DecoderNet d) {
    List<Variable<TFloat32>> v = new ArrayList<>(d.parameters().trainable());
    v.addAll(d.parameters().statistics());
    return v;
  }

  @Test
  void stepsLeaveTheTargetAloneAndARefreshCopiesTheDecoder() {
    try (TrainingSession s = session(1f, true)) {
      s.initialize();
      TrainingGraph g = s.model();
      List<float[]> target = read(s.session(), all(g.targetDecoder));
      assertFalse(equal(target, read(s.session(), all(g.decoder))), "the target starts as an untrained decoder of its own");
      float[] images = TinyGraphs.randomImages(3);
      s.step(images, 1, 0, 1e-3f, false, true);
      s.step(images, 1, 1, 1e-3f, true, true);
      assertTrue(equal(target, read(s.session(), all(g.targetDecoder))), "no step, warm-up or not, trains the target");
      s.refreshTarget();
      assertTrue(equal(read(s.session(), all(g.decoder)), read(s.session(), all(g.targetDecoder))));
    }
  }

  @Test
  void withTheTargetEqualToTheDecoderTheLossesAreThePlainObjectives() {
    float[] images = TinyGraphs.randomImages(4);
    try (TrainingSession plain = session(1f, false); TrainingSession boot = session(1f, true)) {
      plain.initialize();
      boot.initialize();
      boot.refreshTarget();
      assertAllClose("L_E, L_G and the measured terms", List.of(values(plain.step(images, 2, 0, 1e-3f, false, true))),
          List.of(values(boot.step(images, 2, 0, 1e-3f, false, true))));
    }
  }

  @Test
  void onlyTheReReconstructionTermChangesTheDecodersGradient() {
    float[] images = TinyGraphs.randomImages(5);
    for (float γ_r : new float[] {0f, 1f}) {
      try (TrainingSession plain = session(γ_r, false); TrainingSession boot = session(γ_r, true)) {
        plain.initialize();
        boot.initialize();
        boot.refreshTarget();
        int encoderTensors = plain.model().encoderGradients.length;
        List<float[]> a = gradients(plain, images, Map.of());
        List<float[]> b = gradients(boot, images, Map.of());
        assertAllClose("∂L_E/∂θ_E, γ_r = " + γ_r, a.subList(0, encoderTensors), b.subList(0, encoderTensors));
        if (γ_r == 0f) {
          assertAllClose("∂L_D/∂θ_D without the re-reconstruction term", a.subList(encoderTensors, a.size()),
              b.subList(encoderTensors, b.size()));
        } else {
          assertThrows(AssertionError.class, () -> assertAllClose("", a.subList(encoderTensors, a.size()),
              b.subList(encoderTensors, b.size())), "the bootstrap's gradient through x_s must show");
        }
      }
    }
  }

  @Test
  void onlySoftIntroVaeInTheAlternatingOrderIsBootstrapped() {
    assertThrows(IllegalArgumentException.class, () -> new TrainingGraph(TinyGraphs.CONFIG,
        new IntroVaeObjective(0.5f, 1f, 20f), UpdateOrder.ALTERNATING, 1e-3f, TinyGraphs.BATCH, 5, Placement.CPU, true));
    assertThrows(IllegalArgumentException.class, () -> new TrainingGraph(TinyGraphs.CONFIG,
        new SoftIntroVaeObjective(1f, 1f, 1f, 1f), UpdateOrder.SIMULTANEOUS, 1e-3f, TinyGraphs.BATCH, 5, Placement.CPU, true));
  }

  private static boolean equal(List<float[]> a, List<float[]> b) {
    for (int i = 0; i < a.size(); i++) {
      if (!java.util.Arrays.equals(a.get(i), b.get(i))) {
        return false;
      }
    }
    return a.size() == b.size();
  }
}
