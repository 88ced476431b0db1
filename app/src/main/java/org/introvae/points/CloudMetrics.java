package org.introvae.points;

/**
 * Measures of point clouds computed on the host: the Chamfer distance (the same form as the training
 * loss, L_CD, in double precision) and the Jensen–Shannon divergence between the occupancy of a voxel
 * grid by two sets of clouds (the 3-D Soft-IntroVAE/AAE papers' JSD, 28³ voxels over [−1, 1]³).
 */
public final class CloudMetrics {
  public static final int VOXELS = 28;

  private CloudMetrics() {}

  /** L_CD(a, b) = Σ_i min_j ‖a_i − b_j‖² + Σ_j min_i ‖a_i − b_j‖². */
  public static double chamfer(float[] a, float[] b) {
    return nearestSum(a, b) + nearestSum(b, a);
  }

  private static double nearestSum(float[] from, float[] to) {
    double sum = 0;
    for (int i = 0; i < from.length; i += 3) {
      double best = Double.MAX_VALUE;
      for (int j = 0; j < to.length; j += 3) {
        double dx = from[i] - to[j];
        double dy = from[i + 1] - to[j + 1];
        double dz = from[i + 2] - to[j + 2];
        best = Math.min(best, dx * dx + dy * dy + dz * dz);
      }
      sum += best;
    }
    return sum;
  }

  /** JSD (natural log, so at most ln 2) between the voxel occupancies of two sets of clouds. */
  public static double voxelJsd(Iterable<float[]> first, Iterable<float[]> second) {
    double[] p = occupancy(first);
    double[] q = occupancy(second);
    double jsd = 0;
    for (int i = 0; i < p.length; i++) {
      double m = (p[i] + q[i]) / 2;
      if (p[i] > 0) {
        jsd += 0.5 * p[i] * Math.log(p[i] / m);
      }
      if (q[i] > 0) {
        jsd += 0.5 * q[i] * Math.log(q[i] / m);
      }
    }
    return jsd;
  }

  private static double[] occupancy(Iterable<float[]> clouds) {
    double[] counts = new double[VOXELS * VOXELS * VOXELS];
    double total = 0;
    for (float[] cloud : clouds) {
      for (int i = 0; i < cloud.length; i += 3) {
        int x = voxel(cloud[i]);
        int y = voxel(cloud[i + 1]);
        int z = voxel(cloud[i + 2]);
        counts[(x * VOXELS + y) * VOXELS + z]++;
        total++;
      }
    }
    for (int i = 0; i < counts.length; i++) {
      counts[i] /= Math.max(1, total);
    }
    return counts;
  }

  private static int voxel(float v) {
    int k = (int) Math.floor((v + 1) / 2 * VOXELS);
    return Math.max(0, Math.min(VOXELS - 1, k));
  }
}
