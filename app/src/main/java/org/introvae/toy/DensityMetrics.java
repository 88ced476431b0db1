package org.introvae.toy;

/**
 * The Soft-IntroVAE paper's 2-D metrics, as its official code defines them: 100×100-bin histograms
 * over [−r, r]² normalised as densities, KL(real ‖ generated) and a Jensen-Shannon divergence with a
 * 1e-14 floor inside the logs, both divided by 100; and gnELBO, the mean over data points of their
 * energy divided by the total energy over a grid plus those points.
 */
public final class DensityMetrics {
  public static final int BINS = 100;
  private static final double FLOOR = 1e-14;

  private DensityMetrics() {}

  /** Density histogram (bins × bins, row = x bin) of flat (x, y) points; points outside the range are dropped. */
  public static double[][] histogram(float[] points, float range, int bins) {
    double[][] h = new double[bins][bins];
    double width = 2.0 * range / bins;
    int n = points.length / 2;
    for (int i = 0; i < n; i++) {
      int bx = (int) Math.floor((points[2 * i] + range) / width);
      int by = (int) Math.floor((points[2 * i + 1] + range) / width);
      if (bx >= 0 && bx < bins && by >= 0 && by < bins) {
        h[bx][by]++;
      }
    }
    // numpy's density=True: counts / (total in range · bin area)
    double inRange = 0;
    for (double[] row : h) {
      for (double v : row) {
        inRange += v;
      }
    }
    double scale = inRange == 0 ? 0 : 1.0 / (inRange * width * width);
    for (double[] row : h) {
      for (int j = 0; j < bins; j++) {
        row[j] *= scale;
      }
    }
    return h;
  }

  /** Σ p·(log p − log(q + 1e-14)) / 100 over bins where p > 0 (0·log 0 = 0). */
  public static double kl(double[][] p, double[][] q) {
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      for (int j = 0; j < p[i].length; j++) {
        if (p[i][j] > 0) {
          sum += p[i][j] * (Math.log(p[i][j]) - Math.log(q[i][j] + FLOOR));
        }
      }
    }
    return sum / 100;
  }

  /** With M = ½(p + q): ½[Σ M·(log M − log(p + 1e-14)) + Σ M·(log M − log(q + 1e-14))] / 100. */
  public static double jsd(double[][] p, double[][] q) {
    double a = 0;
    double b = 0;
    for (int i = 0; i < p.length; i++) {
      for (int j = 0; j < p[i].length; j++) {
        double m = 0.5 * (p[i][j] + q[i][j]);
        if (m > 0) {
          a += m * (Math.log(m) - Math.log(p[i][j] + FLOOR));
          b += m * (Math.log(m) - Math.log(q[i][j] + FLOOR));
        }
      }
    }
    return 0.5 * (a + b) / 100;
  }

  /** mean over the data points of e(x) / Σ e over grid ∪ data points. */
  public static double gnElbo(double[] dataEnergies, double gridEnergySum) {
    double dataSum = 0;
    for (double e : dataEnergies) {
      dataSum += e;
    }
    return (dataSum / dataEnergies.length) / (gridEnergySum + dataSum);
  }
}
