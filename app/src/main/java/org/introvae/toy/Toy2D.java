package org.introvae.toy;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.introvae.model.IntroVaeObjective;
import org.introvae.model.Objective;
import org.introvae.model.SoftIntroVaeObjective;
import org.introvae.model.ToyNetworks;
import org.introvae.model.Placement;
import org.introvae.model.TrainingSession;
import org.introvae.train.Interruption;
import org.introvae.train.Trainer;
import org.introvae.model.UpdateOrder;
import org.introvae.model.VaeObjective;
import org.introvae.serving.Json;
import org.introvae.train.MetricsLog;
import org.introvae.train.Progress;
import org.introvae.train.StepRecorder;
import org.introvae.train.WeightMean;
import org.introvae.model.StepLosses;

/**
 * One 2-D density experiment of the Soft-IntroVAE paper: train the MLP model on fresh batches of a
 * toy dataset (the first iterations as a plain VAE, learning rate ×0.1 at the given iterations),
 * then measure KL, JSD and gnELBO and draw the samples over the data and the density exp(−e(x)).
 */
public final class Toy2D {
  /** Everything one experiment needs. */
  public record Settings(String dataset, Objective objective, UpdateOrder order, int iterations, int vaeIterations,
      int batch, float lr, int[] lrDrops, int zDim, long seed, int logEvery, int threads, Placement placement,
      int averageLast) {}

  /**
   * Iterations between the snapshots whose mean is the averaged model (the last {@code averageLast}
   * iterations, the final one included): 50 snapshots over the default 5,000.
   */
  static final int AVERAGE_EVERY = 100;

  /** The default tail of a run whose weights are averaged: its last sixth (5,000 of the paper's 30,000 iterations). */
  public static int defaultAverageLast(int iterations) {
    return iterations / 6;
  }

  /**
   * Evaluations of KL and JSD at the end of a run. One evaluation is the protocol, but its histograms of
   * 5,000 points over 10,000 bins are noisy: the authors' seed-95 model, evaluated 20 times with their
   * own function, gave KL 1.24 ± 0.23 (0.95 to 1.71). Mean and standard deviation over fresh draws tell
   * models apart where one draw cannot.
   */
  static final int EVALUATIONS = 20;

  /** The paper's per-dataset (β_kl, β_rec, β_neg) for Soft-IntroVAE, with γ_r = 1e-8. */
  public static SoftIntroVaeObjective softDefaults(String dataset) {
    return switch (dataset) {
      case "8gaussians" -> new SoftIntroVaeObjective(0.3f, 0.2f, 0.9f, 1e-8f);
      case "2spirals" -> new SoftIntroVaeObjective(0.5f, 0.2f, 1.0f, 1e-8f);
      case "checkerboard" -> new SoftIntroVaeObjective(0.1f, 0.2f, 0.2f, 1e-8f);
      case "rings" -> new SoftIntroVaeObjective(0.2f, 0.2f, 1.0f, 1e-8f);
      default -> throw new IllegalArgumentException("unknown dataset '" + dataset + "' (choose one of " + ToyDatasets.NAMES + ")");
    };
  }

  /**
   * Our defaults for the other objectives (the paper gives none): IntroVAE with α = 0.25, β = 1 and a
   * margin above the few nats of KL a 2-D latent carries; the VAE with β = 1.
   */
  public static Objective defaults(String objective, String dataset) {
    return switch (objective) {
      case SoftIntroVaeObjective.NAME -> softDefaults(dataset);
      case IntroVaeObjective.NAME -> new IntroVaeObjective(0.25f, 1f, 10f);
      case VaeObjective.NAME -> new VaeObjective(1f);
      default -> throw new IllegalArgumentException("unknown objective '" + objective + "'");
    };
  }

  public record Outcome(Map<String, Object> metrics, double[][] density) {}

  private final Settings settings;
  private final Path folder;
  private final PrintStream out;

  public Toy2D(Settings settings, Path folder, PrintStream out) {
    this.settings = settings;
    this.folder = folder;
    this.out = out;
  }

  public Outcome run() throws IOException {
    Settings st = settings;
    Files.createDirectories(folder);
    float range = ToyDatasets.range(st.dataset());
    Random data = new Random(st.seed());
    MetricsLog log = new MetricsLog(folder.resolve("metrics.csv"));
    log.open(0);
    try (TrainingSession session = TrainingSession.withThreads(
        ToyNetworks.trainingGraph(st.zDim(), st.objective(), st.order(), st.lr(), st.batch(), st.seed(), st.placement()),
        st.threads())) {
      if (st.placement().pinned()) {
        out.println(Trainer.deviceLine(st.placement(), session.devices(), st.batch()));
      }
      session.initialize();
      StepRecorder recorder = new StepRecorder("iteration", log,
          new Progress(out, System.console() != null, 0, st.iterations(), st.batch()));
      long dataNanos = 0;
      long sessionNanos = 0;
      PhaseTime[] phases = {new PhaseTime(), new PhaseTime()};
      WeightMean tail = new WeightMean(session.graph());
      for (int it = 0; it < st.iterations(); it++) {
        if (Interruption.requested()) {
          throw Interruption.stopped(it, null);  // 2-D runs do not resume: minutes long
        }
        boolean warmUp = it < st.vaeIterations();
        boolean logStep = (it + 1) % st.logEvery() == 0 || it + 1 == st.iterations();
        long t0 = System.nanoTime();
        float[] points = ToyDatasets.sample(st.dataset(), st.batch(), data);
        long t1 = System.nanoTime();
        StepLosses l = session.step(points, st.seed(), it, lr(it), warmUp, logStep);
        dataNanos += t1 - t0;
        sessionNanos += System.nanoTime() - t1;
        (warmUp ? phases[0] : phases[1]).add(System.nanoTime() - t0);
        recorder.record(it, l, warmUp, logStep);
        if (inAverage(it)) {
          tail.add(session.session());
        }
      }
      double seconds = recorder.finish();
      Outcome outcome = measure(session, range, seconds);
      if (tail.count() > 0) {
        tail.assign(session.session());
        measureAverage(session, range, tail.count(), outcome.metrics());
      }
      outcome.metrics().put("seconds_data_generation", dataNanos / 1e9);
      outcome.metrics().put("seconds_in_session_run", sessionNanos / 1e9);
      outcome.metrics().put("iterations_per_second_vae_phase", phases[0].perSecond());
      outcome.metrics().put("iterations_per_second_adversarial_phase", phases[1].perSecond());
      Files.writeString(folder.resolve("metrics.json"), Json.writePretty(outcome.metrics()));
      out.printf("%s / %s (%s): KL %.4f  JSD %.4f  gnELBO %.3g  (over %d evaluations: KL %.3f ± %.3f, JSD %.3f ± %.3f)"
              + "%n  (%.1f ms per iteration, of which %.2f ms data"
              + " generation and %.1f ms in session.run incl. feeds and fetches; %s it/s in the VAE phase, %s in the"
              + " adversarial phase)%n", st.dataset(), st.objective().name(), st.order().label(), outcome.metrics().get("kl"),
          outcome.metrics().get("jsd"), outcome.metrics().get("gnelbo"), EVALUATIONS, outcome.metrics().get("kl_mean"),
          outcome.metrics().get("kl_sd"), outcome.metrics().get("jsd_mean"), outcome.metrics().get("jsd_sd"), 1000 * seconds / Math.max(1, st.iterations()),
          dataNanos / 1e6 / Math.max(1, st.iterations()), sessionNanos / 1e6 / Math.max(1, st.iterations()),
          phases[0].text(), phases[1].text());
      if (tail.count() > 0) {
        out.printf("  the mean of the last %d iterations' weights (%d snapshots): KL %.3f ± %.3f, JSD %.3f ± %.3f%n",
            st.averageLast(), tail.count(), outcome.metrics().get("average_kl_mean"),
            outcome.metrics().get("average_kl_sd"), outcome.metrics().get("average_jsd_mean"),
            outcome.metrics().get("average_jsd_sd"));
      }
      return outcome;
    }
  }

  /** Iterations and time spent in one phase (VAE warm-up or adversarial). */
  private static final class PhaseTime {
    private long iterations;
    private long nanos;

    void add(long n) {
      iterations++;
      nanos += n;
    }

    double perSecond() {
      return nanos == 0 ? 0 : iterations / (nanos / 1e9);
    }

    String text() {
      return iterations == 0 ? "-" : String.format(java.util.Locale.ROOT, "%.1f", perSecond());
    }
  }

  private static double mean(double[] v) {
    return java.util.Arrays.stream(v).average().orElse(Double.NaN);
  }

  /** Sample standard deviation (n − 1). */
  private static double sd(double[] v) {
    double m = mean(v);
    return Math.sqrt(java.util.Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / (v.length - 1));
  }

  private float lr(int iteration) {
    float lr = settings.lr();
    for (int drop : settings.lrDrops()) {
      if (iteration >= drop) {
        lr *= 0.1f;
      }
    }
    return lr;
  }

  /**
   * KL and JSD over {@value #EVALUATIONS} evaluations (the first is the protocol's single one); gnELBO
   * on a 1024² grid plus 12,800 data points; the pictures.
   */
  private Outcome measure(TrainingSession session, float range, double seconds) throws IOException {
    Settings st = settings;
    Evaluations ev = evaluate(session);

    int side = 1024;
    float[] grid = new float[2 * side * side];
    for (int i = 0; i < side; i++) {
      for (int j = 0; j < side; j++) {
        grid[2 * (i * side + j)] = -range + 2 * range * i / (side - 1);
        grid[2 * (i * side + j) + 1] = -range + 2 * range * j / (side - 1);
      }
    }
    double[] gridEnergy = energies(session, grid);
    double[] dataEnergy = energies(session, ToyDatasets.sample(st.dataset(), 12_800, new Random(st.seed() + 3)));
    double gridSum = 0;
    for (double e : gridEnergy) {
      gridSum += e;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("dataset", st.dataset());
    m.put("objective", st.objective().name());
    m.put("weights", st.objective().toString());
    m.put("updates", st.order().label());
    m.put("iterations", st.iterations());
    m.put("vae_iterations", st.vaeIterations());
    m.put("batch", st.batch());
    m.put("seed", st.seed());
    ev.put(m, "");
    m.put("gnelbo", DensityMetrics.gnElbo(dataEnergy, gridSum));
    m.put("seconds", seconds);
    m.put("seconds_per_iteration", seconds / Math.max(1, st.iterations()));

    double[][] density = new double[side][side];
    for (int i = 0; i < side; i++) {
      for (int j = 0; j < side; j++) {
        density[i][j] = Math.exp(-gridEnergy[i * side + j]);
      }
    }
    writeScatter(folder.resolve("samples.png"), ev.real(), ev.generated(), range);
    writeDensity(folder.resolve("density.png"), density);
    return new Outcome(m, density);
  }

  /** KL and JSD of each evaluation, and the first evaluation's real and generated points (pictured). */
  private record Evaluations(double[] kl, double[] jsd, float[] real, float[] generated) {
    /** The protocol's single evaluation (the first) and mean and spread over all, under names starting with {@code prefix}. */
    void put(Map<String, Object> m, String prefix) {
      m.put(prefix + "kl", kl[0]);
      m.put(prefix + "jsd", jsd[0]);
      m.put(prefix + "evaluations", EVALUATIONS);
      m.put(prefix + "kl_mean", mean(kl));
      m.put(prefix + "kl_sd", sd(kl));
      m.put(prefix + "jsd_mean", mean(jsd));
      m.put(prefix + "jsd_sd", sd(jsd));
    }
  }

  /** {@value #EVALUATIONS} times KL and JSD of 5,000 generated vs 5,000 real points, fresh draws of both each time. */
  private Evaluations evaluate(TrainingSession session) {
    Settings st = settings;
    float range = ToyDatasets.range(st.dataset());
    double[] kl = new double[EVALUATIONS];
    double[] jsd = new double[EVALUATIONS];
    float[][] pictured = null;
    for (int e = 0; e < EVALUATIONS; e++) {
      float[] real = ToyDatasets.sample(st.dataset(), 5000, new Random(st.seed() + 1 + 1000L * e));
      Random zs = new Random(st.seed() + 2 + 1000L * e);
      float[] z = new float[5000 * st.zDim()];
      for (int i = 0; i < z.length; i++) {
        z[i] = (float) zs.nextGaussian();
      }
      double[][] pReal = DensityMetrics.histogram(real, range, DensityMetrics.BINS);
      float[] generated = session.decode(z);
      pictured = pictured == null ? new float[][] {real, generated} : pictured;
      double[][] pGen = DensityMetrics.histogram(generated, range, DensityMetrics.BINS);
      kl[e] = DensityMetrics.kl(pReal, pGen);
      jsd[e] = DensityMetrics.jsd(pReal, pGen);
    }
    return new Evaluations(kl, jsd, pictured[0], pictured[1]);
  }

  /** Whether the weights after {@code iteration} are one of the averaged snapshots. */
  private boolean inAverage(int iteration) {
    int fromEnd = settings.iterations() - 1 - iteration;
    return fromEnd < settings.averageLast() && fromEnd % AVERAGE_EVERY == 0;
  }

  /**
   * The averaged model's KL and JSD on the same draws as the last iteration's ({@code average_} in
   * metrics.json) and its samples over the data (samples-average.png).
   */
  private void measureAverage(TrainingSession session, float range, int snapshots, Map<String, Object> m)
      throws IOException {
    Evaluations ev = evaluate(session);
    m.put("average_last", settings.averageLast());
    m.put("average_snapshots", snapshots);
    ev.put(m, "average_");
    writeScatter(folder.resolve("samples-average.png"), ev.real(), ev.generated(), range);
  }

  /** e(x) = L_REG(x) + ‖x − D(μ(x))‖², per point, in batches. */
  static double[] energies(TrainingSession session, float[] points) {
    int n = points.length / 2;
    double[] e = new double[n];
    int batch = 65_536;
    for (int start = 0; start < n; start += batch) {
      int b = Math.min(batch, n - start);
      float[] chunk = java.util.Arrays.copyOfRange(points, 2 * start, 2 * (start + b));
      TrainingSession.Reconstruction r = session.reconstruct(chunk, b);
      int zd = r.mu().length / b;
      for (int i = 0; i < b; i++) {
        double kl = 0;
        for (int k = 0; k < zd; k++) {
          double m = r.mu()[i * zd + k];
          double lv = r.logvar()[i * zd + k];
          kl += -0.5 * (1 + lv - m * m - Math.exp(lv));
        }
        double dx = chunk[2 * i] - r.images()[2 * i];
        double dy = chunk[2 * i + 1] - r.images()[2 * i + 1];
        e[start + i] = kl + dx * dx + dy * dy;
      }
    }
    return e;
  }

  private static final int PLOT = 512;

  static void writeScatter(Path file, float[] real, float[] generated, float range) throws IOException {
    BufferedImage img = new BufferedImage(PLOT, PLOT, BufferedImage.TYPE_INT_RGB);
    var g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, PLOT, PLOT);
    dots(g, real, range, new Color(150, 150, 150));
    dots(g, generated, range, new Color(230, 85, 13));
    g.setColor(Color.DARK_GRAY);
    g.drawString("gray: data   orange: samples   [" + -range + ", " + range + "]²", 8, 16);
    g.dispose();
    javax.imageio.ImageIO.write(img, "png", file.toFile());
  }

  private static void dots(java.awt.Graphics2D g, float[] points, float range, Color color) {
    g.setColor(color);
    for (int i = 0; i < points.length / 2; i++) {
      int x = (int) ((points[2 * i] + range) / (2 * range) * PLOT);
      int y = PLOT - 1 - (int) ((points[2 * i + 1] + range) / (2 * range) * PLOT);
      g.fillRect(x - 1, y - 1, 2, 2);
    }
  }

  /** The density on the grid (row = x), normalised to its maximum, drawn with y up. */
  static BufferedImage densityImage(double[][] density, int size) {
    int side = density.length;
    double max = 0;
    for (double[] row : density) {
      for (double v : row) {
        max = Math.max(max, v);
      }
    }
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    for (int px = 0; px < size; px++) {
      for (int py = 0; py < size; py++) {
        double v = max > 0 ? density[px * side / size][(size - 1 - py) * side / size] / max : 0;
        img.setRGB(px, py, heat(v));
      }
    }
    return img;
  }

  static void writeDensity(Path file, double[][] density) throws IOException {
    javax.imageio.ImageIO.write(densityImage(density, PLOT), "png", file.toFile());
  }

  /** Dark blue → teal → yellow. */
  private static int heat(double v) {
    v = Math.max(0, Math.min(1, v));
    int r = (int) (255 * Math.min(1, Math.max(0, 1.8 * v - 0.6)));
    int g = (int) (255 * Math.min(1, 0.15 + 1.1 * v));
    int b = (int) (255 * Math.max(0, 0.45 - 0.45 * v + 0.3 * Math.sin(Math.PI * v)));
    return (r << 16) | (Math.min(255, g) << 8) | Math.min(255, b);
  }

  public static List<String> objectives() {
    return List.of(VaeObjective.NAME, IntroVaeObjective.NAME, SoftIntroVaeObjective.NAME);
  }
}
