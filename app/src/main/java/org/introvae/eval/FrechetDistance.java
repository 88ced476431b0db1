package org.introvae.eval;

/**
 * The Fréchet distance between two sets of feature vectors, each summarised by a Gaussian:
 * ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^½). Tr((Σ₁Σ₂)^½) is computed as the sum of the square roots of
 * the eigenvalues of the symmetric √Σ₁·Σ₂·√Σ₁ (Jacobi eigen-decomposition).
 */
public final class FrechetDistance {
  private FrechetDistance() {}

  /** Rows are samples. */
  public static double between(double[][] a, double[][] b) {
    double[] ma = mean(a);
    double[] mb = mean(b);
    double[][] ca = covariance(a, ma);
    double[][] cb = covariance(b, mb);
    double d = 0;
    for (int i = 0; i < ma.length; i++) {
      d += (ma[i] - mb[i]) * (ma[i] - mb[i]);
    }
    double[][] rootA = sqrtSymmetric(ca);
    double[][] inner = multiply(multiply(rootA, cb), rootA);
    double traceRoot = 0;
    for (double ev : Jacobi.eigenvalues(inner)) {
      traceRoot += Math.sqrt(Math.max(0, ev));
    }
    return d + trace(ca) + trace(cb) - 2 * traceRoot;
  }

  static double[] mean(double[][] x) {
    double[] m = new double[x[0].length];
    for (double[] row : x) {
      for (int j = 0; j < m.length; j++) {
        m[j] += row[j] / x.length;
      }
    }
    return m;
  }

  /** Unbiased covariance (n − 1), as numpy.cov. */
  static double[][] covariance(double[][] x, double[] m) {
    int d = m.length;
    double[][] c = new double[d][d];
    for (double[] row : x) {
      for (int i = 0; i < d; i++) {
        for (int j = i; j < d; j++) {
          c[i][j] += (row[i] - m[i]) * (row[j] - m[j]);
        }
      }
    }
    for (int i = 0; i < d; i++) {
      for (int j = i; j < d; j++) {
        c[i][j] /= Math.max(1, x.length - 1);
        c[j][i] = c[i][j];
      }
    }
    return c;
  }

  static double[][] sqrtSymmetric(double[][] s) {
    Jacobi.Decomposition e = Jacobi.decompose(s);
    int n = s.length;
    double[][] out = new double[n][n];
    for (int k = 0; k < n; k++) {
      double root = Math.sqrt(Math.max(0, e.values()[k]));
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          out[i][j] += e.vectors()[i][k] * root * e.vectors()[j][k];
        }
      }
    }
    return out;
  }

  static double[][] multiply(double[][] a, double[][] b) {
    int n = a.length;
    int m = b[0].length;
    double[][] out = new double[n][m];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < b.length; k++) {
        double v = a[i][k];
        for (int j = 0; j < m; j++) {
          out[i][j] += v * b[k][j];
        }
      }
    }
    return out;
  }

  private static double trace(double[][] m) {
    double t = 0;
    for (int i = 0; i < m.length; i++) {
      t += m[i][i];
    }
    return t;
  }
}
