package org.introvae.eval;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.introvae.serving.IntroVaeModel;
import org.introvae.serving.Json;
import org.introvae.serving.Png;
import org.introvae.serving.SampleNormalization;

/**
 * Evaluates an exported model on images: reconstruction error (z = μ), the ELBO and importance-weighted
 * log p(x) for K = 1, 10, 100 under a Gaussian decoder of stated variance, optionally OOD detection
 * against another dataset (AUROC of log-likelihoods), and pictures: samples, reconstructions,
 * interpolations and traversals of the most active latent dimensions.
 */
public final class Evaluation {
  private static final int[] KS = {1, 10, 100};
  private static final int SAMPLE_BATCH = 1000;

  private final IntroVaeModel model;
  private final double decoderVariance;
  private final Random random;

  public Evaluation(IntroVaeModel model, double decoderVariance, long seed) {
    this.model = model;
    this.decoderVariance = decoderVariance;
    this.random = new Random(seed);
  }

  IntroVaeModel model() {
    return model;
  }

  /**
   * The project's substitute for FID: the Fréchet distance between a classifier's features of real
   * images and of {@code samples} samples decoded with {@code normalization} (in batches of
   * {@value #SAMPLE_BATCH}, which are also the batches whose statistics BATCH_STATISTICS uses). Named
   * for what it is ("FD-FMNIST-classifier"), never "FID".
   */
  public Map<String, Object> frechet(FeatureExtractor classifier, double[][] realFeatures, int realImages, int samples,
      SampleNormalization normalization) {
    List<float[]> generated = new ArrayList<>();
    for (int seed = 0; generated.size() < samples; seed++) {
      generated.addAll(Arrays.asList(
          model.sample(1000 + seed, Math.min(SAMPLE_BATCH, samples - generated.size()), normalization)));
    }
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("name", classifier.fdName());
    f.put("value", FrechetDistance.between(realFeatures, classifier.of(generated.toArray(float[][]::new))));
    f.put("real_images", realImages);
    f.put("samples", samples);
    f.put("signature", normalization.signature());
    f.put("batch_norm", normalization == SampleNormalization.FIXED ? "the model's fixed statistics"
        : "statistics of each batch of " + SAMPLE_BATCH + " samples");
    f.put("classifier_test_accuracy", classifier.facts().get("test_accuracy"));
    return f;
  }

  /** Writes metrics.json and the PNGs into {@code out}; returns the metrics. */
  public Map<String, Object> run(float[][] images, String source, float[][] ood, String oodSource, Path out) throws IOException {
    return run(images, source, ood, oodSource, null, out);
  }

  /** As above, with the classifier-feature Fréchet distances of {@link SampleQuality#measure} when given. */
  public Map<String, Object> run(float[][] images, String source, float[][] ood, String oodSource,
      Map<String, Map<String, Object>> sampleQuality, Path out) throws IOException {
    Files.createDirectories(out);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", model.folder().toString());
    m.put("data", source);
    m.put("images", images.length);
    m.put("reconstruction", reconstruction(images));
    if (sampleQuality != null) {
      m.putAll(sampleQuality);
    }
    double[][] logW = logWeights(images, KS[KS.length - 1]);
    m.put("likelihood", likelihood(logW, model.info().imageValues()));
    if (ood != null) {
      double[] in = iwae(logW, 100);
      double[] outScores = iwae(logWeights(ood, 100), 100);
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("ood_data", oodSource);
      o.put("ood_images", ood.length);
      o.put("score", "IWAE log p(x), K = 100");
      o.put("mean_log_px_in", mean(in));
      o.put("mean_log_px_ood", mean(outScores));
      o.put("auroc", Auroc.of(in, outScores));
      m.put("ood", o);
      histogram(out.resolve("ood-log-likelihood.png"), in, outScores);
    }
    pictures(images, out);
    Files.writeString(out.resolve("metrics.json"), Json.writePretty(m));
    return m;
  }

  private Map<String, Object> reconstruction(float[][] images) {
    double sq = 0;
    for (int start = 0; start < images.length; start += 256) {
      float[][] batch = Arrays.copyOfRange(images, start, Math.min(images.length, start + 256));
      float[][] rec = model.reconstruct(batch);
      for (int i = 0; i < batch.length; i++) {
        for (int k = 0; k < batch[i].length; k++) {
          double d = rec[i][k] - batch[i][k];
          sq += d * d;
        }
      }
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("z", "μ (deterministic)");
    r.put("mse_per_pixel", sq / ((double) images.length * model.info().imageValues()));
    r.put("squared_error_per_image", sq / images.length);
    return r;
  }

  /** log w for K samples of q(z|x) per image (one decode batch of K per image). */
  private double[][] logWeights(float[][] images, int k) {
    double[][] logW = new double[images.length][k];
    int zd = model.info().zDim();
    for (int start = 0; start < images.length; start += 64) {
      float[][] batch = Arrays.copyOfRange(images, start, Math.min(images.length, start + 64));
      IntroVaeModel.Encoded q = model.encode(batch);
      for (int i = 0; i < batch.length; i++) {
        float[][] z = new float[k][zd];
        for (int s = 0; s < k; s++) {
          for (int j = 0; j < zd; j++) {
            z[s][j] = (float) (q.mu()[i][j] + Math.exp(0.5 * q.logvar()[i][j]) * random.nextGaussian());
          }
        }
        float[][] decoded = model.decode(z);
        for (int s = 0; s < k; s++) {
          logW[start + i][s] = Likelihood.logWeight(batch[i], decoded[s], decoderVariance, z[s], q.mu()[i], q.logvar()[i]);
        }
      }
    }
    return logW;
  }

  private static double[] iwae(double[][] logW, int k) {
    double[] out = new double[logW.length];
    for (int i = 0; i < logW.length; i++) {
      out[i] = Likelihood.iwae(Arrays.copyOf(logW[i], k));
    }
    return out;
  }

  private Map<String, Object> likelihood(double[][] logW, int dims) {
    Map<String, Object> l = new LinkedHashMap<>();
    l.put("decoder", "Gaussian, variance " + decoderVariance + " per pixel (pixels in [0, 1])");
    double elbo = 0;
    for (double[] w : logW) {
      elbo += Likelihood.elbo(w) / logW.length;
    }
    l.put("elbo_nats_per_image", elbo);
    l.put("elbo_bits_per_dim", Likelihood.bitsPerDimension(elbo, dims));
    for (int k : KS) {
      double v = mean(iwae(logW, k));
      l.put("log_px_iwae_k" + k + "_nats_per_image", v);
      l.put("log_px_iwae_k" + k + "_bits_per_dim", Likelihood.bitsPerDimension(v, dims));
    }
    return l;
  }

  private void pictures(float[][] images, Path out) throws IOException {
    int size = model.info().imageSize();
    int c = model.info().imageChannels();
    int scale = Math.max(1, 56 / size);
    Png.write(out.resolve("samples.png"), model.sample(1, 64), size, c, 8, scale);
    if (model.samples(SampleNormalization.BATCH_STATISTICS)) {
      Png.write(out.resolve("samples-batch-statistics.png"), model.sample(1, 64, SampleNormalization.BATCH_STATISTICS),
          size, c, 8, scale);
    }
    int n = Math.min(16, images.length);
    float[][] real = Arrays.copyOf(images, n);
    float[][] pairs = new float[2 * n][];
    float[][] rec = model.reconstruct(real);
    for (int i = 0; i < n; i++) {
      pairs[2 * i] = real[i];
      pairs[2 * i + 1] = rec[i];
    }
    Png.write(out.resolve("reconstructions.png"), pairs, size, c, 8, scale);
    List<float[]> rows = new ArrayList<>();
    for (int p = 0; p + 1 < Math.min(8, images.length); p += 2) {
      rows.addAll(Arrays.asList(model.interpolate(images[p], images[p + 1], 10)));
    }
    Png.write(out.resolve("interpolations.png"), rows.toArray(float[][]::new), size, c, 10, scale);
    Png.write(out.resolve("traversals.png"), traversals(images), size, c, 9, scale);
  }

  /** Rows: the 6 latent dimensions whose μ varies most over the data, swept from −3 to 3 around image 0's μ. */
  private float[][] traversals(float[][] images) {
    int zd = model.info().zDim();
    float[][] mu = model.encode(Arrays.copyOf(images, Math.min(256, images.length))).mu();
    double[] variance = new double[zd];
    for (int j = 0; j < zd; j++) {
      double m = 0;
      for (float[] row : mu) {
        m += row[j] / mu.length;
      }
      for (float[] row : mu) {
        variance[j] += (row[j] - m) * (row[j] - m) / mu.length;
      }
    }
    Integer[] order = new Integer[zd];
    for (int j = 0; j < zd; j++) {
      order[j] = j;
    }
    Arrays.sort(order, (a, b) -> Double.compare(variance[b], variance[a]));
    int dims = Math.min(6, zd);
    float[][] z = new float[dims * 9][];
    for (int r = 0; r < dims; r++) {
      for (int s = 0; s < 9; s++) {
        z[r * 9 + s] = mu[0].clone();
        z[r * 9 + s][order[r]] = -3f + 0.75f * s;
      }
    }
    return model.decode(z);
  }

  private static double mean(double[] v) {
    return Arrays.stream(v).average().orElse(Double.NaN);
  }

  /** Overlaid histograms of the two sets of log-likelihoods (blue: in-distribution, orange: OOD). */
  static void histogram(Path file, double[] in, double[] ood) throws IOException {
    double lo = Math.min(Arrays.stream(in).min().orElse(0), Arrays.stream(ood).min().orElse(0));
    double hi = Math.max(Arrays.stream(in).max().orElse(1), Arrays.stream(ood).max().orElse(1));
    int bins = 50;
    int w = 600;
    int h = 300;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    int[][] counts = new int[2][bins];
    double[][] sets = {in, ood};
    int max = 1;
    for (int s = 0; s < 2; s++) {
      for (double v : sets[s]) {
        int b = (int) Math.min(bins - 1, Math.floor((v - lo) / Math.max(1e-9, hi - lo) * bins));
        max = Math.max(max, ++counts[s][b]);
      }
    }
    Color[] colors = {new Color(49, 130, 189, 160), new Color(230, 85, 13, 160)};
    for (int s = 0; s < 2; s++) {
      g.setColor(colors[s]);
      for (int b = 0; b < bins; b++) {
        int bh = (int) ((h - 40) * counts[s][b] / (double) max);
        g.fillRect(10 + b * (w - 20) / bins, h - 20 - bh, (w - 20) / bins - 1, bh);
      }
    }
    g.setColor(Color.DARK_GRAY);
    g.drawString(String.format(Locale.ROOT, "log p(x) from %.0f to %.0f nats   blue: in-distribution   orange: OOD", lo, hi), 10, 14);
    g.dispose();
    ImageIO.write(img, "png", file.toFile());
  }
}
