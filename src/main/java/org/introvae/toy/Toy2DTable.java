package org.introvae.toy;

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

/**
 * The paper's 2-D table: every objective on every dataset with the same protocol, then a Markdown
 * table of KL, JSD and gnELBO and a contact sheet of the learned densities (rows objectives, columns
 * datasets). Usage: Toy2DTable [iterations] [vae iterations] [runs dir]
 */
public final class Toy2DTable {
  private static final int CELL = 200;

  public static void main(String[] args) throws IOException {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 30_000;
    int vaeIterations = args.length > 1 ? Integer.parseInt(args[1]) : Math.min(2000, iterations / 15);
    Path root = Path.of(args.length > 2 ? args[2] : "runs").resolve("toy2d-table-" + iterations);
    // The paper's lr drops at 1/3 and 1/2 of its 30,000 iterations, scaled to a shorter budget.
    int[] drops = {iterations / 3, iterations / 2};
    List<String> objectives = Toy2D.objectives();
    Map<String, Map<String, Object>> metrics = new LinkedHashMap<>();
    BufferedImage sheet = new BufferedImage(CELL * ToyDatasets.NAMES.size() + 90, CELL * objectives.size() + 24,
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = sheet.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
    for (int col = 0; col < ToyDatasets.NAMES.size(); col++) {
      String dataset = ToyDatasets.NAMES.get(col);
      g.setColor(Color.BLACK);
      g.drawString(dataset, 90 + col * CELL + 8, 16);
      for (int row = 0; row < objectives.size(); row++) {
        String objective = objectives.get(row);
        Toy2D.Settings settings = new Toy2D.Settings(dataset, Toy2D.defaults(objective, dataset), iterations,
            vaeIterations, 512, 2e-4f, drops, 2, 92, Math.max(1, iterations / 10));
        Toy2D.Outcome outcome = new Toy2D(settings, root.resolve(dataset + "-" + objective), System.out).run();
        metrics.put(dataset + "/" + objective, outcome.metrics());
        g.drawImage(Toy2D.densityImage(outcome.density(), CELL - 4), 90 + col * CELL + 2, 24 + row * CELL + 2, null);
        g.setColor(Color.BLACK);
        g.drawString(objective, 8, 24 + row * CELL + CELL / 2);
      }
    }
    g.dispose();
    ImageIO.write(sheet, "png", root.resolve("densities.png").toFile());
    Files.writeString(root.resolve("table.md"), table(metrics, iterations, vaeIterations));
    System.out.println(Files.readString(root.resolve("table.md")));
    System.out.println("contact sheet: " + root.resolve("densities.png"));
  }

  static String table(Map<String, Map<String, Object>> metrics, int iterations, int vaeIterations) {
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "2-D densities, %d iterations (%d as VAE), batch 512, seed 92%n%n", iterations, vaeIterations));
    s.append("| dataset | objective | KL ↓ | JSD ↓ | gnELBO | s/iteration |\n|---|---|---|---|---|---|\n");
    List<String> keys = new ArrayList<>(metrics.keySet());
    for (String key : keys) {
      Map<String, Object> m = metrics.get(key);
      s.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.3g | %.3f |%n", m.get("dataset"), m.get("objective"),
          (Double) m.get("kl"), (Double) m.get("jsd"), (Double) m.get("gnelbo"), (Double) m.get("seconds_per_iteration")));
    }
    return s.toString();
  }
}
