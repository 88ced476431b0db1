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
import org.introvae.serving.CommandLine;
import org.introvae.serving.Json;
import org.introvae.train.TrainCommand;

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

  static final String USAGE = """
      usage: Sweep --grid "alpha=0.1,0.25;beta=2,4" [--steps N] [--sort METRIC] [--name NAME] [--images N] [--runs DIR]
                   [-- further Train options]""";

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Trains and evaluates every grid point; 0 when the report was written, 2 for a usage error, 1 for an I/O error. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    int dashes = List.of(args).indexOf("--");
    String[] own = dashes < 0 ? args : Arrays.copyOfRange(args, 0, dashes);
    List<String> trainExtra = dashes < 0 ? List.of() : List.of(args).subList(dashes + 1, args.length);
    try {
      CommandLine o = CommandLine.parse(own, new LinkedHashMap<>(Map.of("grid", "alpha=0.1,0.25;beta=2,4",
          "steps", "300", "sort", "log_px_iwae_k100_nats_per_image", "name", "sweep", "images", "200", "runs", "runs")));
      if (o == null) {
        out.println(USAGE);
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

  private static void sweep(CommandLine o, List<String> trainExtra, PrintStream out, PrintStream err) throws IOException {
    Path root = Path.of(o.get("runs")).resolve(o.get("name"));
    List<Map<String, String>> points = grid(o.get("grid"));
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Map<String, String> point : points) {
      String run = runName(point);
      List<String> trainArgs = new ArrayList<>(List.of("--runs", root.toString(), "--run", run, "--steps", o.get("steps")));
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
      EvaluateCommand.run(new String[] {"--run", root.resolve(run).toString(), "--images", o.get("images")},
          new PrintStream(new ByteArrayOutputStream()), err);
      Path metrics = root.resolve(run).resolve("eval/metrics.json");
      if (Files.exists(metrics)) {
        flatten((Map<?, ?>) Json.parse(Files.readString(metrics)), row);
      }
      rows.add(row);
    }
    String sort = o.get("sort");
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
