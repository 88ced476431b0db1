package org.introvae.toy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ToyDatasetsTest {
  private static final int N = 20_000;

  @Test
  void eight_gaussians_has_eight_equal_modes_at_radius_two_over_1_414() {
    float[] p = ToyDatasets.sample("8gaussians", N, new Random(1));
    int[] perMode = new int[8];
    for (int i = 0; i < N; i++) {
      double r = Math.hypot(p[2 * i], p[2 * i + 1]);
      assertEquals(2 / 1.414, r, 0.1, "point " + i);
      int mode = (int) Math.round(Math.atan2(p[2 * i + 1], p[2 * i]) / (Math.PI / 4));
      perMode[Math.floorMod(mode, 8)]++;
    }
    for (int count : perMode) {
      assertEquals(N / 8.0, count, N / 8.0 * 0.08);
    }
  }

  @Test
  void rings_are_four_circles_of_radius_3_2_25_1_5_and_0_75() {
    float[] p = ToyDatasets.sample("rings", N, new Random(2));
    double[] radii = {3, 2.25, 1.5, 0.75};
    int[] perRing = new int[4];
    for (int i = 0; i < N; i++) {
      double r = Math.hypot(p[2 * i], p[2 * i + 1]);
      int nearest = 0;
      for (int k = 1; k < 4; k++) {
        nearest = Math.abs(r - radii[k]) < Math.abs(r - radii[nearest]) ? k : nearest;
      }
      assertTrue(Math.abs(r - radii[nearest]) < 0.4, "radius " + r);
      perRing[nearest]++;
    }
    for (int count : perRing) {
      assertEquals(N / 4.0, count, N / 4.0 * 0.06);
    }
  }

  @Test
  void checkerboard_fills_only_the_black_squares_of_a_4x4_board() {
    float[] p = ToyDatasets.sample("checkerboard", N, new Random(3));
    int[] perSquare = new int[16];
    for (int i = 0; i < N; i++) {
      int cx = (int) Math.floor(p[2 * i] / 2);
      int cy = (int) Math.floor(p[2 * i + 1] / 2);
      assertTrue(cx >= -2 && cx < 2 && cy >= -2 && cy < 2, "inside [−4, 4]²");
      assertEquals(0, Math.floorMod(cx + cy, 2), "on a black square");
      perSquare[(cx + 2) * 4 + cy + 2]++;
    }
    for (int s = 0; s < 16; s++) {
      int cx = s / 4 - 2;
      int cy = s % 4 - 2;
      if (Math.floorMod(cx + cy, 2) == 0) {
        assertEquals(N / 8.0, perSquare[s], N / 8.0 * 0.08);
      }
    }
  }

  @Test
  void two_spirals_are_point_symmetric_and_inside_the_range() {
    float[] p = ToyDatasets.sample("2spirals", N, new Random(4));
    double mx = 0;
    double my = 0;
    int outside = 0;
    for (int i = 0; i < N; i++) {
      mx += p[2 * i];
      my += p[2 * i + 1];
      outside += Math.abs(p[2 * i]) > 4 || Math.abs(p[2 * i + 1]) > 4 ? 1 : 0;
    }
    assertEquals(0, mx / N, 0.05);
    assertEquals(0, my / N, 0.05);
    assertTrue(outside < N / 100, outside + " points outside [−4, 4]²");
  }

  @Test
  void the_same_seed_gives_the_same_points() {
    assertEquals(java.util.Arrays.toString(ToyDatasets.sample("rings", 10, new Random(5))),
        java.util.Arrays.toString(ToyDatasets.sample("rings", 10, new Random(5))));
  }
}
