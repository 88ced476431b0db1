package org.introvae.eval;

/**
 * Importance-weighted estimates of log p(x) for a VAE with a Gaussian decoder of fixed variance σ²:
 * log w_k = log p(x|z_k) + log p(z_k) − log q(z_k|x), z_k ~ q(z|x) = N(μ, diag σ_q²);
 * IWAE_K = log (1/K) Σ_k exp(log w_k) (a lower bound on log p(x) that tightens as K grows), and
 * ELBO = mean_k log w_k.
 */
public final class Likelihood {
  private static final double LOG_2PI = Math.log(2 * Math.PI);

  private Likelihood() {}

  /** log N(x; mean, variance·I). */
  public static double logGaussian(float[] x, float[] mean, double variance) {
    double sq = 0;
    for (int i = 0; i < x.length; i++) {
      double d = x[i] - mean[i];
      sq += d * d;
    }
    return -0.5 * sq / variance - 0.5 * x.length * (LOG_2PI + Math.log(variance));
  }

  /** log N(z; 0, I). */
  public static double logPrior(float[] z) {
    double sq = 0;
    for (float v : z) {
      sq += v * v;
    }
    return -0.5 * sq - 0.5 * z.length * LOG_2PI;
  }

  /** log N(z; μ, diag exp(logvar)). */
  public static double logPosterior(float[] z, float[] mu, float[] logvar) {
    double s = 0;
    for (int j = 0; j < z.length; j++) {
      double d = z[j] - mu[j];
      s += -0.5 * (LOG_2PI + logvar[j] + d * d / Math.exp(logvar[j]));
    }
    return s;
  }

  /** log w for one sample z of q(z|x) and its decoding. */
  public static double logWeight(float[] x, float[] decoded, double decoderVariance, float[] z, float[] mu, float[] logvar) {
    return logGaussian(x, decoded, decoderVariance) + logPrior(z) - logPosterior(z, mu, logvar);
  }

  /** log (1/K) Σ exp(logW[k]), computed stably. */
  public static double iwae(double[] logW) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : logW) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (double v : logW) {
      sum += Math.exp(v - max);
    }
    return max + Math.log(sum / logW.length);
  }

  public static double elbo(double[] logW) {
    double sum = 0;
    for (double v : logW) {
      sum += v;
    }
    return sum / logW.length;
  }

  /** Negative log-likelihood in nats per image → bits per dimension. */
  public static double bitsPerDimension(double logLikelihood, int dimensions) {
    return -logLikelihood / (dimensions * Math.log(2));
  }
}
