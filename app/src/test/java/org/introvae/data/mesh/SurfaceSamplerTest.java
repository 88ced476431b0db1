package org.introvae.data.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Area-weighted uniform surface sampling, normalisation to the unit sphere, and the shape folder's bookkeeping. */
class SurfaceSamplerTest {
  /** Two triangles in the plane z = 0, of areas 1 (x ≤ 0) and 3 (x ≥ 2), and a zero-area one between. */
  private static final Mesh TWO = new Mesh("two", new float[] {
      -2, 0, 0, 0, 0, 0, 0, 1, 0,
      2, 0, 0, 5, 0, 0, 2, 2, 0,
      1, 0, 0, 1, 0, 0, 1, 0, 0}, new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8});

  @Test
  void chooses_triangles_in_proportion_to_their_area_and_keeps_points_on_them() {
    SurfaceSampler s = new SurfaceSampler(TWO);
    int n = 40_000;
    float[] p = s.sample(n, new Random(3));
    // Normalised: centre (1.5, 1, 0), scale 1/r with r the farthest vertex's distance, √(3.5² + 1²).
    double r = Math.sqrt(3.5 * 3.5 + 1);
    int left = 0;
    for (int i = 0; i < n; i++) {
      double x = p[3 * i] * r + 1.5;
      double y = p[3 * i + 1] * r + 1;
      assertEquals(0, p[3 * i + 2], 0f, "in the plane");
      assertTrue(Math.sqrt(p[3 * i] * p[3 * i] + p[3 * i + 1] * p[3 * i + 1]) <= 1 + 1e-6, "within the unit sphere");
      if (x <= 1e-5) {
        left++;
        assertTrue(x >= -2 - 1e-5 && y >= -1e-5 && y <= (x + 2) / 2 + 1e-5, "inside the left triangle");
      } else {
        assertTrue(x >= 2 - 1e-5 && y >= -1e-5 && y <= 2 + 1e-5, "inside the right triangle, not the zero-area one");
      }
    }
    // Binomial(40,000, ¼): σ = √(n·¼·¾) ≈ 87; 5σ keeps a correct sampler from failing by chance.
    assertEquals(n / 4.0, left, 5 * Math.sqrt(n * 0.25 * 0.75));
  }

  @Test
  void is_uniform_within_a_triangle() {
    // The right triangle (0,0), (1,0), (0,1): the points with x + y < ½ cover ¼ of its area.
    Mesh m = new Mesh("t", new float[] {0, 0, 0, 1, 0, 0, 0, 1, 0}, new int[] {0, 1, 2});
    SurfaceSampler s = new SurfaceSampler(m);
    int n = 40_000;
    float[] p = s.sample(n, new Random(5));
    double r = Math.sqrt(0.5);  // centre (½, ½): every vertex at distance √½
    int near = 0;
    for (int i = 0; i < n; i++) {
      if (p[3 * i] * r + 0.5 + p[3 * i + 1] * r + 0.5 < 0.5) {
        near++;
      }
    }
    assertEquals(n / 4.0, near, 5 * Math.sqrt(n * 0.25 * 0.75));
  }

  @Test
  void refuses_meshes_without_area() {
    Mesh flat = new Mesh("line", new float[] {0, 0, 0, 1, 0, 0, 2, 0, 0}, new int[] {0, 1, 2});
    assertThrows(IllegalArgumentException.class, () -> new SurfaceSampler(flat));
  }

  @Test
  void a_folder_of_real_meshes_keeps_one_of_each_shape_and_counts_what_it_skips() throws Exception {
    ShapeSet set = ShapeSet.load(TestMeshes.folder(), 4);
    // 17 files: 3 unusable; of the 14 read, 4 are cubes (geomview cube.off, assimp cube_ascii.ply,
    // cube_binary.ply and box.obj: equal normalised area and 12 triangles), kept once.
    assertEquals(3, set.skipped().size(), set.skipped().toString());
    assertEquals(3, set.duplicates());
    assertEquals(11, set.training().size() + set.heldOut().size());
    assertEquals(2, set.heldOut().size(), "every 4th of 11");
    assertTrue(set.summary().endsWith("(9 for training, 2 held out; 3 duplicates and 3 unusable files skipped)"),
        set.summary());
  }
}
