package org.introvae.toy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DensityMetricsTest {
  @Test
  void identical_histograms_have_zero_kl_and_jsd() {
    double[][] p = DensityMetrics.histogram(ToyDatasets.sample("rings", 5000, new Random(1)), 4, 100);
    assertEquals(0, DensityMetrics.kl(p, p), 1e-9);
    assertEquals(0, DensityMetrics.jsd(p, p), 1e-9);
  }

  @Test
  void disjoint_histograms_have_large_kl_and_jsd() {
    double[][] p = DensityMetrics.histogram(ToyDatasets.sample("8gaussians", 5000, new Random(1)), 2, 100);
    double[][] q = DensityMetrics.histogram(ToyDatasets.sample("8gaussians", 5000, new Random(2)), 2, 100);
    double[][] far = DensityMetrics.histogram(new float[] {1.9f, 1.9f, 1.9f, 1.95f}, 2, 100);
    assertTrue(DensityMetrics.kl(p, far) > 100 * DensityMetrics.kl(p, q), "disjoint ≫ same distribution");
    assertTrue(DensityMetrics.jsd(p, far) > 10 * DensityMetrics.jsd(p, q));
  }

  @Test
  void a_hand_made_2x2_case() {
    double[][] p = {{0.5, 0.5}, {0, 0}};
    double[][] q = {{0.25, 0.25}, {0.25, 0.25}};
    // KL: 2 · .5·(ln .5 − ln .25) / 100 = ln 2 / 100
    assertEquals(Math.log(2) / 100, DensityMetrics.kl(p, q), 1e-12);
    // JSD with M = (.375, .375, .125, .125) and the 1e-14 floor inside the logs
    double a = 2 * .375 * (Math.log(.375) - Math.log(.5 + 1e-14)) + 2 * .125 * (Math.log(.125) - Math.log(1e-14));
    double b = 2 * .375 * (Math.log(.375) - Math.log(.25 + 1e-14)) + 2 * .125 * (Math.log(.125) - Math.log(.25 + 1e-14));
    assertEquals(0.5 * (a + b) / 100, DensityMetrics.jsd(p, q), 1e-12);
  }

  @Test
  void histograms_are_densities_over_the_range() {
    Random r = new Random(3);
    float[] uniform = new float[2 * 200_000];
    for (int i = 0; i < uniform.length; i++) {
      uniform[i] = r.nextFloat() * 8 - 4;
    }
    double[][] h = DensityMetrics.histogram(uniform, 4, 100);
    double width = 8.0 / 100;
    double mass = 0;
    for (double[] row : h) {
      for (double v : row) {
        mass += v * width * width;
      }
    }
    assertEquals(1, mass, 1e-9);
    assertEquals(1 / 64.0, h[50][50], 1 / 64.0 * 0.3, "uniform density 1/area");
  }

  @Test
  void gnelbo_is_the_mean_data_energy_over_the_total() {
    // data energies 1 and 3 (mean 2), grid energies summing to 6: 2 / (6 + 4)
    assertEquals(0.2, DensityMetrics.gnElbo(new double[] {1, 3}, 6), 1e-12);
  }
}
