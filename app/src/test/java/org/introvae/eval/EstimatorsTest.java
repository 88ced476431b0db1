package org.introvae.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The evaluation estimators on cases with known answers. */
class EstimatorsTest {
  /** x = W z + b + N(0, σ² I), z ~ N(0, I): p(x) = N(b, W Wᵀ + σ² I) is exact. */
  private static final double[][] W = {{1.0, 0.5}, {-0.3, 0.8}, {0.6, -0.4}};
  private static final double[] B = {0.2, -0.1, 0.4};
  private static final double VAR = 0.3;
  private static final float[] X = {1.1f, 0.4f, -0.2f};

  private static float[] decode(float[] z) {
    float[] out = new float[3];
    for (int i = 0; i < 3; i++) {
      out[i] = (float) (W[i][0] * z[0] + W[i][1] * z[1] + B[i]);
    }
    return out;
  }

  private static double exactLogPx() {
    double[][] c = new double[3][3];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        c[i][j] = W[i][0] * W[j][0] + W[i][1] * W[j][1] + (i == j ? VAR : 0);
      }
    }
    double det = c[0][0] * (c[1][1] * c[2][2] - c[1][2] * c[2][1]) - c[0][1] * (c[1][0] * c[2][2] - c[1][2] * c[2][0])
        + c[0][2] * (c[1][0] * c[2][1] - c[1][1] * c[2][0]);
    double[][] inv = {
        {c[1][1] * c[2][2] - c[1][2] * c[2][1], c[0][2] * c[2][1] - c[0][1] * c[2][2], c[0][1] * c[1][2] - c[0][2] * c[1][1]},
        {c[1][2] * c[2][0] - c[1][0] * c[2][2], c[0][0] * c[2][2] - c[0][2] * c[2][0], c[0][2] * c[1][0] - c[0][0] * c[1][2]},
        {c[1][0] * c[2][1] - c[1][1] * c[2][0], c[0][1] * c[2][0] - c[0][0] * c[2][1], c[0][0] * c[1][1] - c[0][1] * c[1][0]}};
    double quad = 0;
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        quad += (X[i] - B[i]) * inv[i][j] / det * (X[j] - B[j]);
      }
    }
    return -0.5 * quad - 0.5 * Math.log(det) - 1.5 * Math.log(2 * Math.PI);
  }

  /** The exact posterior's mean and twice its marginal variances: a q that is clearly not the posterior. */
  private static float[][] meanFieldPosterior() {
    double[][] precision = {{1, 0}, {0, 1}};
    for (int a = 0; a < 2; a++) {
      for (int b = 0; b < 2; b++) {
        for (int i = 0; i < 3; i++) {
          precision[a][b] += W[i][a] * W[i][b] / VAR;
        }
      }
    }
    double det = precision[0][0] * precision[1][1] - precision[0][1] * precision[1][0];
    double[][] cov = {{precision[1][1] / det, -precision[0][1] / det}, {-precision[1][0] / det, precision[0][0] / det}};
    double[] wtx = new double[2];
    for (int a = 0; a < 2; a++) {
      for (int i = 0; i < 3; i++) {
        wtx[a] += W[i][a] * (X[i] - B[i]) / VAR;
      }
    }
    float[] mu = {(float) (cov[0][0] * wtx[0] + cov[0][1] * wtx[1]), (float) (cov[1][0] * wtx[0] + cov[1][1] * wtx[1])};
    float[] logvar = {(float) Math.log(2 * cov[0][0]), (float) Math.log(2 * cov[1][1])};
    return new float[][] {mu, logvar};
  }

  private static double estimate(int k, Random random, boolean iwae) {
    float[][] q = meanFieldPosterior();
    double[] logW = new double[k];
    for (int s = 0; s < k; s++) {
      float[] z = new float[2];
      for (int j = 0; j < 2; j++) {
        z[j] = (float) (q[0][j] + Math.exp(0.5 * q[1][j]) * random.nextGaussian());
      }
      logW[s] = Likelihood.logWeight(X, decode(z), VAR, z, q[0], q[1]);
    }
    return iwae ? Likelihood.iwae(logW) : Likelihood.elbo(logW);
  }

  @Test
  void iwae_approaches_the_exact_log_likelihood_and_the_elbo_stays_below() {
    double exact = exactLogPx();
    Random random = new Random(1);
    double elbo = estimate(20_000, random, false);
    assertTrue(elbo < exact - 0.05, "ELBO " + elbo + " must be below log p(x) " + exact);
    double[] mean = new double[3];
    int[] ks = {1, 10, 100};
    for (int r = 0; r < 300; r++) {
      for (int i = 0; i < 3; i++) {
        mean[i] += estimate(ks[i], random, true) / 300;
      }
    }
    assertTrue(mean[0] < mean[1] && mean[1] < mean[2], java.util.Arrays.toString(mean));
    assertTrue(mean[2] <= exact + 1e-3, "IWAE is a lower bound on average");
    assertTrue(exact - mean[2] < 0.1 * (exact - mean[0]), "K = 100 closes most of the gap: " + java.util.Arrays.toString(mean)
        + " vs " + exact);
  }

  @Test
  void with_the_exact_posterior_every_weight_is_p_of_x() {
    // Orthogonal columns make the posterior diagonal, so q is exact and log w = log p(x) for every z.
    double[][] w = {{1, 0}, {0, 2}, {0, 0}};
    double var = 0.5;
    float[] x = {0.7f, -1.2f, 0.3f};
    double logPx = 0;
    float[] mu = new float[2];
    float[] logvar = new float[2];
    for (int a = 0; a < 2; a++) {
      double w2 = w[a][a] * w[a][a];
      logPx += -0.5 * x[a] * x[a] / (w2 + var) - 0.5 * Math.log(2 * Math.PI * (w2 + var));
      double postVar = 1 / (1 + w2 / var);
      mu[a] = (float) (postVar * w[a][a] * x[a] / var);
      logvar[a] = (float) Math.log(postVar);
    }
    logPx += -0.5 * x[2] * x[2] / var - 0.5 * Math.log(2 * Math.PI * var);
    Random random = new Random(2);
    double[] logW = new double[7];
    for (int s = 0; s < logW.length; s++) {
      float[] z = {(float) (mu[0] + Math.exp(0.5 * logvar[0]) * random.nextGaussian()),
          (float) (mu[1] + Math.exp(0.5 * logvar[1]) * random.nextGaussian())};
      float[] decoded = {(float) (w[0][0] * z[0]), (float) (w[1][1] * z[1]), 0f};
      logW[s] = Likelihood.logWeight(x, decoded, var, z, mu, logvar);
      assertEquals(logPx, logW[s], 1e-4);
    }
    assertEquals(logPx, Likelihood.iwae(logW), 1e-4);
  }

  @Test
  void bits_per_dimension_convert_nats() {
    assertEquals(1.0, Likelihood.bitsPerDimension(-784 * Math.log(2), 784), 1e-12);
  }

  private static double[][] gaussianSet(int n, int d, double shift, long seed) {
    Random r = new Random(seed);
    double[][] x = new double[n][d];
    for (double[] row : x) {
      for (int j = 0; j < d; j++) {
        row[j] = r.nextGaussian() * (1 + 0.2 * j) + shift;
      }
    }
    return x;
  }

  @Test
  void frechet_distance_is_zero_to_itself_and_grows_with_a_shift() {
    double[][] a = gaussianSet(2000, 6, 0, 1);
    assertEquals(0, FrechetDistance.between(a, a), 1e-6);
    double[][] shifted = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      shifted[i] = a[i].clone();
      for (int j = 0; j < 6; j++) {
        shifted[i][j] += 0.5;
      }
    }
    assertEquals(6 * 0.25, FrechetDistance.between(a, shifted), 1e-6, "a shift v adds ‖v‖²");
    double[][] further = gaussianSet(2000, 6, 1.0, 1);
    assertTrue(FrechetDistance.between(a, further) > FrechetDistance.between(a, shifted));
  }

  @Test
  void frechet_distance_of_one_dimensional_gaussians_by_hand() {
    double[][] a = {{0}, {2}};          // mean 1, sample variance 2
    double[][] b = {{3}, {5}, {7}};     // mean 5, sample variance 4
    double expected = 16 + 2 + 4 - 2 * Math.sqrt(8);
    assertEquals(expected, FrechetDistance.between(a, b), 1e-9);
  }

  @Test
  void auroc_of_separable_identical_and_hand_made_scores() {
    assertEquals(1.0, Auroc.of(new double[] {5, 6, 7}, new double[] {1, 2, 3}), 0);
    assertEquals(0.0, Auroc.of(new double[] {1, 2}, new double[] {5, 6}), 0);
    assertEquals(0.5, Auroc.of(new double[] {1, 2, 3}, new double[] {1, 2, 3}), 1e-12);
    assertEquals(0.5, Auroc.of(new double[] {1, 3}, new double[] {2}), 1e-12);
  }
}
