package org.introvae.eval;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.introvae.commandline.ToolOptions;
import org.introvae.serving.Json;
import org.introvae.train.Interruption;
import org.introvae.train.TrainCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Trains one run per point of a hyper-parameter grid with a step budget, evaluates each on its
 * held-out images, and writes report.md and report.html comparing them (metrics table and sample
 * grids side by side), sorted by a chosen metric.
 *
 * <p>Usage: Sweep --grid "alpha=0.1,0.25;beta=2,4" --steps N [--sort METRIC] [--name NAME] [--images N]
 * [-- further Train options]. Metrics to sort by: mse_per_pixel, elbo_nats_per_image,
 * log_px_iwae_k100_nats_per_image (higher is better for the likelihoods, lower for the error).
 */
public final class Sweep {
  private Sweep() {}

  @Command(name = "sweep", showDefaultValues = true, sortOptions = false,
      description = "Trains one run per point of a grid with a step budget, evaluates each on its held-out images and"
          + " writes report.md and report.html, sorted by --sort.",
      footer = "Options after -- go to every run's Train (e.g. -- --preset 28 --objective soft).")
  static final class Options {
    @Option(names = "--grid", paramLabel = "GRID", description = "Train options and their values, e.g."
        + " \"alpha=0.1,0.25;beta=2,4\"")
    String grid = "alpha=0.1,0.25;beta=2,4";
    @Option(names = "--steps", paramLabel = "N", description = "steps per run")
    int steps = 300;
    @Option(names = "--sort", paramLabel = "METRIC", description = "mse_per_pixel, elbo_nats_per_image or"
        + " log_px_iwae_k100_nats_per_image")
    String sort = "log_px_iwae_k100_nats_per_image";
    @Option(names = "--name", paramLabel = "NAME", description = "the sweep's folder under --runs")
    String name = "sweep";
    @Option(names = "--images", paramLabel = "N", description = "held-out images each run is evaluated on")
    int images = 200;
    @Option(names = "--runs", paramLabel = "DIR")
    Path runs = Path.of("runs");
    @Mixin
    ToolOptions.Help help;
  }

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    Interruption.exit(code);
  }

  /** Trains and evaluates every grid point; 0 when the report was written, 2 for a usage error, 1 for an I/O error. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    int dashes = List.of(args).indexOf("--");
    String[] own = dashes < 0 ? args : Arrays.copyOfRange(args, 0, dashes);
    List<String> trainExtra = dashes < 0 ? List.of() : List.of(args).subList(dashes + 1, args.length);
    try {
      Options o = new Options();
      if (!new ToolOptions(o).parse(own, out)) {
        return 0;
      }
      sweep(o, trainExtra, out, err);
      return 0;
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("error: writing the sweep's report: " + e.getMessage());
      return 1;
    }
  }

  private static void sweep(Options o, List<String> trainExtra, PrintStream out, PrintStream err) throws IOException {
    Path root = o.runs.resolve(o.name);
    List<Map<String, String>> points = grid(o.grid);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Map<String, String> point : points) {
      String run = runName(point);
      List<String> trainArgs = new ArrayList<>(List.of("--runs", root.toString(), "--run", run, "--steps", String.valueOf(ToolOptions.whole("--steps", o.steps, 1, Integer.MAX_VALUE))));
      point.forEach((k, v) -> trainArgs.addAll(List.of("--" + k, v)));
      trainArgs.addAll(trainExtra);
      out.println("== " + run);
      ByteArrayOutputStream trainErrors = new ByteArrayOutputStream();
      int code = TrainCommand.run(trainArgs.toArray(String[]::new), out, new PrintStream(trainErrors, true));
      Map<String, Object> row = new LinkedHashMap<>(point);
      row.put("run", run);
      if (code != 0) {
        row.put("failed", trainErrors.toString().strip());
        rows.add(row);
        continue;
      }
      EvaluateCommand.run(new String[] {"--run", root.resolve(run).toString(), "--images", String.valueOf(o.images)},
          new PrintStream(new ByteArrayOutputStream()), err);
      Path metrics = root.resolve(run).resolve("eval/metrics.json");
      if (Files.exists(metrics)) {
        flatten((Map<?, ?>) Json.parse(Files.readString(metrics)), row);
      }
      rows.add(row);
    }
    String sort = o.sort;
    boolean higherIsBetter = !sort.contains("mse") && !sort.contains("squared_error") && !sort.contains("bits");
    Comparator<Map<String, Object>> byMetric = Comparator.comparingDouble(r -> value(r.get(sort), higherIsBetter));
    rows.sort(higherIsBetter ? byMetric.reversed() : byMetric);
    Files.createDirectories(root);
    Files.writeString(root.resolve("report.md"), markdown(rows, sort));
    Files.writeString(root.resolve("report.html"), html(rows, sort));
    out.println(Files.readString(root.resolve("report.md")));
    out.println("report: " + root.resolve("report.html"));
  }

  static List<Map<String, String>> grid(String text) {
    List<Map<String, String>> points = new ArrayList<>(List.of(new LinkedHashMap<>()));
    for (String axis : text.split(";")) {
      String[] kv = axis.split("=", 2);
      if (kv.length != 2 || kv[1].isBlank()) {
        throw new IllegalArgumentException("--grid: '" + axis + "' must look like name=v1,v2");
      }
      List<Map<String, String>> next = new ArrayList<>();
      for (Map<String, String> p : points) {
        for (String v : kv[1].split(",")) {
          Map<String, String> q = new LinkedHashMap<>(p);
          q.put(kv[0].trim(), v.trim());
          next.add(q);
        }
      }
      points = next;
    }
    return points;
  }

  private static String runName(Map<String, String> point) {
    StringBuilder s = new StringBuilder();
    point.forEach((k, v) -> s.append(s.length() == 0 ? "" : "_").append(k).append('-').append(v));
    return s.toString().replaceAll("[^A-Za-z0-9._-]", "_");
  }

  private static void flatten(Map<?, ?> map, Map<String, Object> into) {
    map.forEach((k, v) -> {
      if (v instanceof Map<?, ?> inner) {
        flatten(inner, into);
      } else if (v instanceof Number) {
        into.put(String.valueOf(k), v);
      }
    });
  }

  private static double value(Object v, boolean higherIsBetter) {
    return v instanceof Number n ? n.doubleValue() : higherIsBetter ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
  }

  private static final String[] COLUMNS = {"mse_per_pixel", "elbo_nats_per_image", "log_px_iwae_k100_nats_per_image",
      "log_px_iwae_k100_bits_per_dim"};

  static String markdown(List<Map<String, Object>> rows, String sort) {
    StringBuilder s = new StringBuilder("Sorted by " + sort + "\n\n| run | " + String.join(" | ", COLUMNS) + " |\n|---|");
    s.append("---|".repeat(COLUMNS.length)).append('\n');
    for (Map<String, Object> r : rows) {
      s.append("| ").append(r.get("run"));
      for (String c : COLUMNS) {
        Object v = r.get(c);
        s.append(" | ").append(v instanceof Number n ? String.format(Locale.ROOT, "%.4g", n.doubleValue())
            : r.containsKey("failed") ? "failed" : "");
      }
      s.append(" |\n");
    }
    return s.toString();
  }

  static String html(List<Map<String, Object>> rows, String sort) {
    StringBuilder s = new StringBuilder("<!doctype html><meta charset=utf-8><title>sweep</title>"
        + "<style>body{font-family:sans-serif}td,th{padding:4px 8px;border-bottom:1px solid #ccc}img{width:380px}</style>"
        + "<h1>Sweep, sorted by " + sort + "</h1><table><tr><th>run</th>");
    for (String c : COLUMNS) {
      s.append("<th>").append(c).append("</th>");
    }
    s.append("<th>final grid (real | reconstruction | sample)</th></tr>");
    for (Map<String, Object> r : rows) {
      s.append("<tr><td>").append(r.get("run")).append("</td>");
      for (String c : COLUMNS) {
        Object v = r.get(c);
        s.append("<td>").append(v instanceof Number n ? String.format(Locale.ROOT, "%.4g", n.doubleValue()) : "").append("</td>");
      }
      s.append("<td><img src=\"").append(r.get("run")).append("/images/final.png\"></td></tr>");
    }
    return s.append("</table>").toString();
  }
}
