package org.introvae.train;

import org.introvae.model.StepLosses;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** metrics.csv: one row per logged step. */
public final class MetricsLog {
  public static final String HEADER =
      "step,epoch,L_E,L_G,L_AE,kl_real,kl_reconstructed,kl_sampled,exp_elbo_reconstructed,exp_elbo_sampled,adversarial,seconds";
  private final Path file;

  /** One logged step. */
  /** One logged step; {@code adversarial} is 0 during VAE warm-up, 1 after. */
  public record Row(long step, int epoch, StepLosses losses, float adversarial, double seconds) {
    String csv() {
      return String.format(Locale.ROOT, "%d,%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%.1f", step, epoch, f(losses.lossE()),
          f(losses.lossG()), f(losses.reconstruction()), f(losses.klReal()), f(losses.klReconstructed()),
          f(losses.klSampled()), f(losses.expElboReconstructed()), f(losses.expElboSampled()), f(adversarial), seconds);
    }

    private static String f(float v) {
      return Float.toString(v);
    }
  }

  public MetricsLog(Path file) {
    this.file = file;
  }

  /** Starts the file, or for a resumed run drops the rows logged after the checkpoint. */
  public void open(long keepThroughStep) throws IOException {
    List<String> kept = new ArrayList<>();
    kept.add(HEADER);
    if (keepThroughStep > 0 && Files.exists(file)) {
      for (String line : Files.readAllLines(file)) {
        if (!line.startsWith("step") && !line.isBlank() && Long.parseLong(line.substring(0, line.indexOf(','))) <= keepThroughStep) {
          kept.add(line);
        }
      }
    }
    Files.write(file, kept);
  }

  public void append(Row row) throws IOException {
    Files.writeString(file, row.csv() + "\n", StandardOpenOption.APPEND);
  }

  /** The last row by the file's own column names (files written by older versions differ). */
  public static java.util.Map<String, Double> lastRow(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    java.util.Map<String, Double> row = new java.util.LinkedHashMap<>();
    if (lines.size() < 2 || !lines.get(0).startsWith("step")) {
      return row;
    }
    String[] names = lines.get(0).split(",");
    String[] values = lines.get(lines.size() - 1).split(",");
    for (int i = 0; i < names.length && i < values.length; i++) {
      row.put(names[i], Double.parseDouble(values[i]));
    }
    return row;
  }

  /** All rows as numbers (columns of HEADER). */
  public static List<double[]> read(Path file) throws IOException {
    List<double[]> rows = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      if (line.startsWith("step") || line.isBlank()) {
        continue;
      }
      String[] parts = line.split(",");
      double[] row = new double[parts.length];
      for (int i = 0; i < parts.length; i++) {
        row[i] = Double.parseDouble(parts[i]);
      }
      rows.add(row);
    }
    return rows;
  }
}
