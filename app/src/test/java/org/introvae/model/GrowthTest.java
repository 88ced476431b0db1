package org.introvae.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The growth schedule, the three weights and the blended real images, against hand values. */
class GrowthTest {
  @BeforeAll
  static void runtime() {
    TensorFlowRuntime.prepare();
  }

  @Test
  void the_schedule_is_alaes_at_hand_computed_steps() {
    // 2 epochs per level, 10 steps per epoch, levels 0..2: level k starts at step 20k and fades in over 10 steps.
    Growth g = new Growth(2, 2);
    assertEquals(0f, g.at(0, 10));
    assertEquals(0f, g.at(19, 10));
    assertEquals(0f, g.at(20, 10), "a fade starts at α = 0");
    assertEquals((1 - Math.cos(0.2 * Math.PI)) / 2, g.at(22, 10), 1e-6, "the eased ramp (1 − cos πt)/2 at t = 0.2");
    assertEquals(0.5f, g.at(25, 10), 1e-6f);
    assertEquals(1f, g.at(30, 10), "the second half of a level's epochs trains it alone");
    assertEquals(1f, g.at(40, 10));
    assertEquals(1.5f, g.at(45, 10), 1e-6f);
    assertEquals(2f, g.at(50, 10));
    assertEquals(2f, g.at(60, 10), "the last level does not fade in again");
    assertEquals(2f, g.at(1_000_000, 10));
    assertEquals(40, g.start(2, 10));
    assertEquals(50, g.fullFrom(10), "level 2's start and its fade of 10 steps");
    assertEquals(2f, g.at(g.fullFrom(10), 10));
    assertTrue(g.at(g.fullFrom(10) - 1, 10) < 2f);
    // One epoch per level: E // 2 = 0 epochs of fade, as in ALAE, so each level starts whole.
    Growth abrupt = new Growth(1, 2);
    assertEquals(0f, abrupt.at(9, 10));
    assertEquals(1f, abrupt.at(10, 10));
    assertEquals(2f, abrupt.at(25, 10));
    // Three epochs per level fade over one (3 // 2).
    Growth odd = new Growth(3, 1);
    assertEquals(0.5f, odd.at(35, 10), 1e-6f);
    assertEquals(1f, odd.at(40, 10));
    assertThrows(IllegalArgumentException.class, () -> new Growth(0, 2));
  }

  private static float value(Session s, Operand<TFloat32> y) {
    try (Result r = s.runner().fetch(y).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  @Test
  void the_weights_switch_levels_on_and_fade_the_newest_in() {
    try (Graph graph = new Graph(); Session s = new Session(graph)) {
      Ops tf = Ops.create(graph);
      // {g, k, image weight, path weight into k, style weight of k}
      float[][] cases = {
          {0, 0, 1, 0, 1}, {0, 1, 0, 0, 0}, {0, 2, 0, 0, 0},
          {1.5f, 0, 0, 1, 1}, {1.5f, 1, 0.5f, 0.5f, 1}, {1.5f, 2, 0.5f, 0, 0.5f},
          {2, 1, 0, 1, 1}, {2, 2, 1, 0, 1}, {0.25f, 1, 0.25f, 0, 0.25f}, {0.25f, 0, 0.75f, 0.25f, 1}};
      for (float[] c : cases) {
        Operand<TFloat32> g = tf.constant(c[0]);
        int k = (int) c[1];
        String at = "g " + c[0] + ", level " + k;
        assertEquals(c[2], value(s, Growth.imageWeight(tf, g, k)), 0f, at + ": image");
        assertEquals(c[3], value(s, Growth.pathWeight(tf, g, k)), 0f, at + ": path from above");
        assertEquals(c[4], value(s, Growth.styleWeight(tf, g, k)), 0f, at + ": style");
      }
    }
  }

  @Test
  void real_images_are_each_level_averaged_down_and_repeated_up_then_blended() {
    try (Graph graph = new Graph(); Session s = new Session(graph)) {
      Ops tf = Ops.create(graph);
      // A 4×4 image 0..15 row by row and two levels below it (2×2, 1×1).
      float[][][][] x = new float[1][4][4][1];
      for (int i = 0; i < 16; i++) {
        x[0][i / 4][i % 4][0] = i;
      }
      Operand<TFloat32> image = tf.constant(x);
      float[] full = new float[16];
      float[] halves = new float[16];
      for (int i = 0; i < 16; i++) {
        full[i] = i;
        // 2×2 block means: rows 0–1 give 2.5 and 4.5, rows 2–3 give 10.5 and 12.5
        halves[i] = (i / 8 == 0 ? 2.5f : 10.5f) + (i % 4 < 2 ? 0 : 2);
      }
      float[] mean = new float[16];
      java.util.Arrays.fill(mean, 7.5f);
      assertArrayEquals(full, values(s, Growth.realImages(tf, image, tf.constant(2f), 2)), 0f);
      assertArrayEquals(halves, values(s, Growth.realImages(tf, image, tf.constant(1f), 2)), 0f);
      assertArrayEquals(mean, values(s, Growth.realImages(tf, image, tf.constant(0f), 2)), 0f);
      float[] fading = new float[16];
      for (int i = 0; i < 16; i++) {
        fading[i] = 0.25f * halves[i] + 0.75f * full[i];  // g = 1.75: level 2 at 0.75, level 1 at 0.25
      }
      assertArrayEquals(fading, values(s, Growth.realImages(tf, image, tf.constant(1.75f), 2)), 1e-6f);
    }
  }

  private static float[] values(Session s, Operand<TFloat32> y) {
    try (Result r = s.runner().fetch(y).run()) {
      TFloat32 t = (TFloat32) r.get(0);
      float[] out = new float[(int) t.size()];
      t.asRawTensor().data().asFloats().read(out);
      return out;
    }
  }
}
