package org.introvae.eval;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.introvae.export.ModelExporter;
import org.introvae.serving.IntroVaeModel;
import org.introvae.serving.Json;
import org.introvae.serving.SampleNormalization;
import org.introvae.train.Folders;
import org.introvae.train.RunFolder;

/**
 * Collects the runs of the equal-budget image table (tools/quality-table.sh) into table.md and a
 * contact sheet of 64 samples per run: FD-FMNIST-classifier against the test images (samples decoded
 * with the moving averages, and with each batch's statistics), reconstruction
 * MSE, IWAE log p(x) with K = 100, OOD AUROC against MNIST and images/s, one row per run, and the rows
 * of other programs' samples (their folders' metrics.json from Evaluate --samples).
 *
 * <p>Usage: QualityTable ROOT [FLOOR_METRICS]: every run folder below ROOT with eval/metrics.json, every
 * folder below ROOT/external with metrics.json; FLOOR_METRICS is the training-vs-test FD.
 */
public final class QualityTable {
  private static final int SAMPLES = 64;
  private static final String FIXED = SampleQuality.key(SampleNormalization.FIXED);
  private static final String BATCH = SampleQuality.key(SampleNormalization.BATCH_STATISTICS);

  private QualityTable() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args.length > 0 ? args[0] : "runs/quality");
    List<Path> runs;
    try (Stream<Path> list = Files.list(root)) {
      runs = list.filter(p -> Files.isRegularFile(p.resolve("eval/metrics.json"))).sorted().toList();
    }
    StringBuilder md = new StringBuilder();
    md.append("| run | objective (updates) | epochs | lr | FD-FMNIST-classifier ↓ | FD, batch statistics ↓ | MSE per pixel ↓ "
        + "| IWAE log p(x), K=100 (nats) ↑ | OOD AUROC vs MNIST ↑ | images/s in the run |\n"
        + "|---|---|---|---|---|---|---|---|---|---|\n");
    List<BufferedImage> sheets = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    for (Path run : runs) {
      org.introvae.train.TrainConfig params = new RunFolder(run).readParams().config();
      String objectiveName = params.objective().name();
      String epochs = String.valueOf(params.schedule().epochs());
      String lr = lrText(params.schedule().lr());
      Map<?, ?> m = (Map<?, ?>) Json.parse(Files.readString(run.resolve("eval/metrics.json")));
      String objective = objectiveName + (objectiveName.equals(org.introvae.model.VaeObjective.NAME) ? ""
          : " (" + params.objective().updates().label() + ")");
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.1f | %s | %.4f | %.1f | %s | %s |%n", run.getFileName(),
          objective, epochs, lr, number(m, FIXED, "value"), format(number(m, BATCH, "value"), "%.1f"),
          number(m, "reconstruction", "mse_per_pixel"),
          number(m, "likelihood", "log_px_iwae_k100_nats_per_image"), format(number(m, "ood", "auroc"), "%.3f"),
          format(imagesPerSecond(run), "%.1f")));
      sheets.add(samples(run));
      labels.add(run.getFileName() + ": " + objective + ", " + epochs + " epoch(s), lr " + lr);
    }
    Path external = root.resolve("external");
    if (Files.isDirectory(external)) {
      try (Stream<Path> list = Files.list(external)) {
        for (Path p : list.filter(q -> Files.isRegularFile(q.resolve("metrics.json"))).sorted().toList()) {
          Map<?, ?> m = (Map<?, ?>) Json.parse(Files.readString(p.resolve("metrics.json")));
          Object note = Files.isRegularFile(p.resolve("note.txt")) ? Files.readString(p.resolve("note.txt")).strip() : "";
          md.append(String.format(Locale.ROOT, "| %s | %s | | | %.1f | | | | | |%n", p.getFileName(), note,
              number(m, FIXED, "value")));
        }
      }
    }
    if (args.length > 1) {
      Map<?, ?> floor = (Map<?, ?>) Json.parse(Files.readString(Path.of(args[1])));
      md.append(String.format(Locale.ROOT, "| floor | the training images themselves | | | %.1f | | | | | |%n",
          number(floor, FIXED, "value")));
    }
    Files.writeString(root.resolve("table.md"), md.toString());
    ImageIO.write(sheet(sheets, labels), "png", root.resolve("samples.png").toFile());
    System.out.print(md);
    System.out.println("contact sheet: " + root.resolve("samples.png"));
  }

  private static double number(Map<?, ?> m, String section, String key) {
    Object s = m.get(section);
    Object v = s instanceof Map<?, ?> map ? map.get(key) : null;
    return v instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  private static String format(double v, String format) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, format, v);
  }

  /** Training images per second over the run (metrics.csv's last time stamp), or NaN. */
  private static double imagesPerSecond(Path run) throws Exception {
    Map<String, Double> last = org.introvae.train.MetricsLog.lastRow(run.resolve("metrics.csv"));
    int batch = new RunFolder(run).readParams().config().schedule().batch();
    Double seconds = last.get("seconds");
    Double step = last.get("step");
    return seconds == null || step == null || seconds == 0 ? Double.NaN
        : step * batch / seconds;
  }

  /** 0.001 as 1e-3, the way the learning rates are written on the command line. */
  static String lrText(float lr) {
    return String.format(Locale.ROOT, "%.0e", lr).replace("e-0", "e-").replace("e+0", "e");
  }

  /** 64 samples (seed 1) of the run's final weights, in two lines of 32. */
  private static BufferedImage samples(Path run) throws Exception {
    Path temp = Files.createTempDirectory("quality-table");
    try {
      Path model = ModelExporter.export(run, temp.resolve("model"), 1);
      try (IntroVaeModel m = IntroVaeModel.load(model)) {
        byte[] png = org.introvae.serving.Png.grid(m.sample(1, SAMPLES), m.info().imageSize(), m.info().imageChannels(), 32, 1);
        return ImageIO.read(new java.io.ByteArrayInputStream(png));
      }
    } finally {
      Folders.deleteTree(temp);
    }
  }

  private static BufferedImage sheet(List<BufferedImage> grids, List<String> labels) {
    int width = grids.stream().mapToInt(BufferedImage::getWidth).max().orElse(1);
    int rowHeight = grids.stream().mapToInt(BufferedImage::getHeight).max().orElse(1) * 2 + 20;
    BufferedImage out = new BufferedImage(width * 2 + 16, Math.max(1, grids.size()) * rowHeight, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setColor(new Color(34, 34, 34));
    g.fillRect(0, 0, out.getWidth(), out.getHeight());
    for (int i = 0; i < grids.size(); i++) {
      g.setColor(Color.LIGHT_GRAY);
      g.drawString(labels.get(i), 8, i * rowHeight + 14);
      g.drawImage(grids.get(i), 8, i * rowHeight + 18, grids.get(i).getWidth() * 2, grids.get(i).getHeight() * 2, null);
    }
    g.dispose();
    return out;
  }
}
