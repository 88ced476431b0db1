package org.introvae.toy;

import org.introvae.model.SoftIntroVaeObjective;
import org.introvae.model.IntroVaeObjective;
import org.introvae.model.VaeObjective;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.introvae.model.UpdateOrder;
import org.introvae.serving.Json;

/**
 * The paper's 2-D table: VAE, IntroVAE and Soft-IntroVAE (both update orders for the adversarial two)
 * on every dataset with the same protocol, Soft-IntroVAE with extra seeds on 8gaussians and rings;
 * then a Markdown table of KL, JSD and gnELBO (mean ± spread over seeds) and a contact sheet of the
 * learned densities (rows objectives, columns datasets).
 *
 * <p>Usage: Toy2DTable [iterations] [vae iterations] [runs dir] [shard/shards] [threads]. A shard runs
 * the cells whose index ≡ shard (mod shards), skipping cells already measured (so an interrupted table
 * resumes), then writes the table of every cell measured so far. Each run uses {@code threads} intra-op
 * and inter-op threads (0 = TensorFlow's default).
 */
public final class Toy2DTable {
  private static final int CELL = 200;
  /** Datasets that get extra seeds for Soft-IntroVAE, where the paper's figures are compared. */
  static final List<String> SEEDED = List.of("8gaussians", "rings");
  static final long[] SEEDS = {92, 93, 94};

  /** One row of the table: an objective and, for the adversarial ones, an update order. */
  record Row(String objective, UpdateOrder order) {
    String label() {
      return objective.equals(VaeObjective.NAME) ? VaeObjective.NAME : objective + " (" + order.label() + ")";
    }

    String folder() {
      return objective.equals(VaeObjective.NAME) ? VaeObjective.NAME : objective + "-" + order.label();
    }
  }

  static List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    rows.add(new Row(VaeObjective.NAME, UpdateOrder.ALTERNATING));
    for (String objective : List.of(IntroVaeObjective.NAME, SoftIntroVaeObjective.NAME)) {
      for (UpdateOrder order : UpdateOrder.values()) {
        rows.add(new Row(objective, order));
      }
    }
    return rows;
  }

  /** One run of the table. */
  record Cell(String dataset, Row row, long seed) {
    String folder() {
      return dataset + "-" + row.folder() + (seed == SEEDS[0] ? "" : "-seed" + seed);
    }
  }

  static List<Cell> cells() {
    List<Cell> cells = new ArrayList<>();
    for (String dataset : ToyDatasets.NAMES) {
      for (Row row : rows()) {
        boolean seeded = row.objective().equals(SoftIntroVaeObjective.NAME) && SEEDED.contains(dataset);
        for (int i = 0; i < (seeded ? SEEDS.length : 1); i++) {
          cells.add(new Cell(dataset, row, SEEDS[i]));
        }
      }
    }
    return cells;
  }

  public static void main(String[] args) throws IOException {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 30_000;
    int vaeIterations = args.length > 1 ? Integer.parseInt(args[1]) : Math.min(2000, iterations / 15);
    Path root = Path.of(args.length > 2 ? args[2] : "runs").resolve("toy2d-table-" + iterations);
    String[] shard = (args.length > 3 ? args[3] : "0/1").split("/");
    int threads = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    int index = Integer.parseInt(shard[0]);
    int shards = Integer.parseInt(shard[1]);
    // The paper's lr drops at 1/3 and 1/2 of its 30,000 iterations, scaled to a shorter budget.
    int[] drops = {iterations / 3, iterations / 2};
    List<Cell> cells = cells();
    for (int i = 0; i < cells.size(); i++) {
      Cell cell = cells.get(i);
      Path folder = root.resolve(cell.folder());
      if (i % shards != index || Files.isRegularFile(folder.resolve("metrics.json"))) {
        continue;
      }
      Toy2D.Settings settings = new Toy2D.Settings(cell.dataset(), Toy2D.defaults(cell.row().objective(), cell.dataset()),
          cell.row().order(), iterations, vaeIterations, 512, 2e-4f, drops, 2, cell.seed(), Math.max(1, iterations / 10),
          threads, org.introvae.model.Placement.CPU, Toy2D.defaultAverageLast(iterations));
      new Toy2D(settings, folder, System.out).run();
    }
    write(root, iterations, vaeIterations);
  }

  /** The table and contact sheet of every cell measured under {@code root}. */
  static void write(Path root, int iterations, int vaeIterations) throws IOException {
    List<Row> rows = rows();
    BufferedImage sheet = new BufferedImage(CELL * ToyDatasets.NAMES.size() + 170, CELL * rows.size() + 24,
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = sheet.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
    Map<String, List<Map<String, Object>>> measured = new LinkedHashMap<>();
    for (Cell cell : cells()) {
      Path metrics = root.resolve(cell.folder()).resolve("metrics.json");
      if (!Files.isRegularFile(metrics)) {
        continue;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) Json.parse(Files.readString(metrics));
      measured.computeIfAbsent(cell.dataset() + "|" + cell.row().label(), k -> new ArrayList<>()).add(m);
      if (cell.seed() == SEEDS[0]) {
        int col = ToyDatasets.NAMES.indexOf(cell.dataset());
        int row = rows.indexOf(cell.row());
        BufferedImage density = ImageIO.read(root.resolve(cell.folder()).resolve("density.png").toFile());
        g.drawImage(density, 170 + col * CELL + 2, 24 + row * CELL + 2, CELL - 4, CELL - 4, null);
      }
    }
    g.setColor(Color.BLACK);
    for (int col = 0; col < ToyDatasets.NAMES.size(); col++) {
      g.drawString(ToyDatasets.NAMES.get(col), 170 + col * CELL + 8, 16);
    }
    for (int row = 0; row < rows.size(); row++) {
      g.drawString(rows.get(row).label(), 8, 24 + row * CELL + CELL / 2);
    }
    g.dispose();
    Files.createDirectories(root);
    ImageIO.write(sheet, "png", root.resolve("densities.png").toFile());
    Files.writeString(root.resolve("table.md"), table(measured, iterations, vaeIterations));
    System.out.println(Files.readString(root.resolve("table.md")));
    System.out.println("contact sheet: " + root.resolve("densities.png"));
  }

  /** Rows "dataset | objective (order)" with the mean (and range over seeds where there are several). */
  static String table(Map<String, List<Map<String, Object>>> measured, int iterations, int vaeIterations) {
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "2-D densities, %d iterations (%d as VAE), batch 512, seed %d%s%n%n",
        iterations, vaeIterations, SEEDS[0], " (Soft-IntroVAE on " + String.join(" and ", SEEDED) + ": seeds "
            + SEEDS[0] + "–" + SEEDS[SEEDS.length - 1] + ", mean [min–max])"));
    s.append("| dataset | objective (updates) | KL ↓ | JSD ↓ | gnELBO | it/s VAE phase | it/s adversarial phase |\n");
    s.append("|---|---|---|---|---|---|---|\n");
    for (Map.Entry<String, List<Map<String, Object>>> e : measured.entrySet()) {
      String[] key = e.getKey().split("\\|");
      List<Map<String, Object>> runs = e.getValue();
      s.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", key[0], key[1],
          summary(runs, "kl", "%.2f"), summary(runs, "jsd", "%.2f"), summary(runs, "gnelbo", "%.3g"),
          summary(runs, "iterations_per_second_vae_phase", "%.1f"),
          summary(runs, "iterations_per_second_adversarial_phase", "%.1f")));
    }
    return s.toString();
  }

  private static String summary(List<Map<String, Object>> runs, String key, String format) {
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    int n = 0;
    for (Map<String, Object> m : runs) {
      if (m.get(key) instanceof Number v) {
        sum += v.doubleValue();
        min = Math.min(min, v.doubleValue());
        max = Math.max(max, v.doubleValue());
        n++;
      }
    }
    if (n == 0) {
      return "–";
    }
    String mean = String.format(Locale.ROOT, format, sum / n);
    return n == 1 ? mean : mean + " [" + String.format(Locale.ROOT, format, min) + "–" + String.format(Locale.ROOT, format, max) + "]";
  }
}
