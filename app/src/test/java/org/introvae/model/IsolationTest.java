package org.introvae.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** The encoder's optimizer moves only encoder variables; the decoder's only decoder variables. */
class IsolationTest {
  @BeforeAll
  static void runtime() {
    TensorFlowRuntime.prepare();
  }

  private static int changed(List<float[]> before, List<float[]> after) {
    int n = 0;
    for (int i = 0; i < before.size(); i++) {
      n += Arrays.equals(before.get(i), after.get(i)) ? 0 : 1;
    }
    return n;
  }

  static java.util.stream.Stream<Arguments> cases() {
    List<Objective> objectives = List.of(new IntroVaeObjective(0.5f, 1f, 100f), new SoftIntroVaeObjective(1f, 1f, 256f, 1e-8f),
        new VaeObjective(1f));
    return objectives.stream().flatMap(o -> java.util.stream.Stream.of(UpdateOrder.values()).map(u -> Arguments.of(o, u)));
  }

  /**
   * Runs one network's update alone. In the alternating order the decoder's update depends on the
   * encoder's (its loss reads the updated encoder); feeding the updated encoder's reads with the
   * current weights runs the decoder's update without it.
   */
  private void check(Objective objective, UpdateOrder order, boolean encoderStep) {
    try (TrainingGraph g = new TrainingGraph(TinyGraphs.CONFIG, objective, order, 1e-3f,
        TinyGraphs.BATCH, 5); Session s = new Session(g.graph); TFloat32 x = TinyGraphs.images(TinyGraphs.randomImages(3))) {
      s.initialize();
      List<Variable<TFloat32>> enc = g.encoder.parameters().trainable();
      List<Variable<TFloat32>> dec = g.decoder.parameters().trainable();
      List<float[]> encBefore = TinyGraphs.readAll(s, enc);
      List<float[]> decBefore = TinyGraphs.readAll(s, dec);
      Op update = encoderStep ? g.encoderUpdate : g.decoderUpdate;
      List<TFloat32> held = new java.util.ArrayList<>();
      try (TInt64 seed = TinyGraphs.seed(0); TFloat32 t = TFloat32.scalarOf(1f)) {
        Session.Runner runner = s.runner().feed(g.x, x).feed(g.noiseSeed, seed).feed(g.adamStep, t).addTarget(update);
        if (!encoderStep && g.updatedEncoder != null) {
          held.addAll(TinyGraphs.feedValues(runner, g.updatedEncoder.parameters().reads(), encBefore, enc));
        }
        runner.run().close();
      } finally {
        held.forEach(TFloat32::close);
      }
      int encChanged = changed(encBefore, TinyGraphs.readAll(s, enc));
      int decChanged = changed(decBefore, TinyGraphs.readAll(s, dec));
      if (encoderStep) {
        assertEquals(enc.size(), encChanged, "every encoder variable moves");
        assertEquals(0, decChanged, "no decoder variable moves");
      } else {
        assertEquals(dec.size(), decChanged, "every decoder variable moves");
        assertEquals(0, encChanged, "no encoder variable moves");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void encoder_update_changes_only_encoder_variables(Objective objective, UpdateOrder order) {
    check(objective, order, true);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void decoder_update_changes_only_decoder_variables(Objective objective, UpdateOrder order) {
    check(objective, order, false);
  }

  /** Inference uses the BN moving statistics: every step target must update all of them, in both networks. */
  @ParameterizedTest
  @MethodSource("cases")
  void every_step_updates_both_networks_moving_statistics(Objective objective, UpdateOrder order) {
    for (boolean warmUp : new boolean[] {true, false}) {
      try (TrainingGraph g = new TrainingGraph(TinyGraphs.CONFIG, objective, order, 1e-3f, TinyGraphs.BATCH, 5);
          Session s = new Session(g.graph); TFloat32 x = TinyGraphs.images(TinyGraphs.randomImages(3))) {
        s.initialize();
        List<Variable<TFloat32>> stats = new java.util.ArrayList<>(g.encoder.parameters().statistics());
        stats.addAll(g.decoder.parameters().statistics());
        List<float[]> before = TinyGraphs.readAll(s, stats);
        try (TInt64 seed = TinyGraphs.seed(0); TFloat32 t = TFloat32.scalarOf(1f)) {
          s.runner().feed(g.x, x).feed(g.noiseSeed, seed).feed(g.adamStep, t).addTarget(g.step(warmUp, false)).run().close();
        }
        assertEquals(stats.size(), changed(before, TinyGraphs.readAll(s, stats)),
            (warmUp ? "warm-up" : "objective") + " step: every moving mean and variance moves");
      }
    }
  }

  @Test
  void the_two_networks_share_no_variable() {
    try (TrainingGraph g = new TrainingGraph(TinyGraphs.CONFIG, new IntroVaeObjective(0.5f, 1f, 100f), UpdateOrder.ALTERNATING, 1e-3f, 2, 5)) {
      List<String> enc = g.encoder.parameters().trainable().stream().map(v -> v.op().name()).toList();
      List<String> dec = g.decoder.parameters().trainable().stream().map(v -> v.op().name()).toList();
      assertTrue(enc.stream().allMatch(n -> n.startsWith("encoder.")));
      assertTrue(dec.stream().allMatch(n -> n.startsWith("decoder.")));
      assertFalse(enc.stream().anyMatch(dec::contains));
    }
  }
}
