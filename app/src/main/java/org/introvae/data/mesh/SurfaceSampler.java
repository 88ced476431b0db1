package org.introvae.data.mesh;

import java.util.Arrays;
import java.util.Random;

/**
 * Uniform points on a mesh's surface: a triangle chosen with probability proportional to its area, a
 * point in it uniform by the square-root barycentric rule (u = 1 − √r₁, v = √r₁(1 − r₂), w = √r₁·r₂).
 * Points are normalised to the unit sphere: centred on the middle of the mesh's bounding box and scaled
 * so that its farthest vertex lies at distance 1 (every surface point then lies within it).
 */
public final class SurfaceSampler {
  private final Mesh mesh;
  private final double[] cumulativeArea;
  private final double[] centre = new double[3];
  private final double scale;

  /** A sampler of {@code mesh}; an IllegalArgumentException when it has no area or no extent (degenerate). */
  public SurfaceSampler(Mesh mesh) {
    this.mesh = mesh;
    cumulativeArea = new double[mesh.triangleCount()];
    double total = 0;
    for (int t = 0; t < cumulativeArea.length; t++) {
      double a = mesh.area(t);
      total += Double.isFinite(a) ? a : 0;
      cumulativeArea[t] = total;
    }
    if (!(total > 0)) {
      throw new IllegalArgumentException("its faces have no area");
    }
    double[] lo = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
    double[] hi = {-Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE};
    for (int corner : mesh.triangles()) {
      for (int c = 0; c < 3; c++) {
        lo[c] = Math.min(lo[c], mesh.vertices()[3 * corner + c]);
        hi[c] = Math.max(hi[c], mesh.vertices()[3 * corner + c]);
      }
    }
    for (int c = 0; c < 3; c++) {
      centre[c] = (lo[c] + hi[c]) / 2;
    }
    double radius = 0;
    for (int corner : mesh.triangles()) {
      double d = 0;
      for (int c = 0; c < 3; c++) {
        double v = mesh.vertices()[3 * corner + c] - centre[c];
        d += v * v;
      }
      radius = Math.max(radius, Math.sqrt(d));
    }
    scale = 1 / radius;
    double relativeArea = total * scale * scale;
    if (!(relativeArea > 1e-6)) {
      throw new IllegalArgumentException("its faces have no area relative to its size");
    }
  }

  public Mesh mesh() {
    return mesh;
  }

  /** The surface area after normalisation (a shape's fingerprint, independent of its units and position). */
  public double normalisedArea() {
    return cumulativeArea[cumulativeArea.length - 1] * scale * scale;
  }

  /** {@code n} points as x, y, z triples, within the unit sphere. */
  public float[] sample(int n, Random random) {
    float[] out = new float[3 * n];
    double total = cumulativeArea[cumulativeArea.length - 1];
    int[] tri = mesh.triangles();
    float[] v = mesh.vertices();
    for (int i = 0; i < n; i++) {
      int t = Arrays.binarySearch(cumulativeArea, random.nextDouble() * total);
      t = Math.min(t >= 0 ? t : -t - 1, cumulativeArea.length - 1);
      while (mesh.area(t) <= 0 && t > 0) {
        t--;  // a zero-area triangle shares its cumulative value with the one before it; never chosen
      }
      double r1 = Math.sqrt(random.nextDouble());
      double r2 = random.nextDouble();
      double wa = 1 - r1;
      double wb = r1 * (1 - r2);
      double wc = r1 * r2;
      int a = 3 * tri[3 * t];
      int b = 3 * tri[3 * t + 1];
      int c = 3 * tri[3 * t + 2];
      for (int k = 0; k < 3; k++) {
        double p = wa * v[a + k] + wb * v[b + k] + wc * v[c + k];
        out[3 * i + k] = (float) ((p - centre[k]) * scale);
      }
    }
    return out;
  }
}
