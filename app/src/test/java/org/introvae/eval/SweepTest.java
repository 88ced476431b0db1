package org.introvae.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepTest {
  @TempDir
  Path runs;

  @Test
  void the_grid_is_the_cartesian_product() {
    List<Map<String, String>> points = Sweep.grid("alpha=0.1,0.25;beta=2,4,8");
    assertEquals(6, points.size());
    assertEquals(Map.of("alpha", "0.25", "beta", "8"), points.get(5));
  }

  @Test
  void trains_evaluates_and_reports_sorted_by_the_metric() throws Exception {
    int code = Sweep.run(new String[] {"--grid", "beta=0.5,8", "--steps", "30", "--images", "20", "--runs", runs.toString(),
        "--sort", "mse_per_pixel", "--", "--widths", "8,16", "--z", "8", "--batch", "32", "--vae-epochs", "0",
        "--image-every", "1000"}, System.out, System.err);
    assertEquals(0, code);
    String report = Files.readString(runs.resolve("sweep/report.md"));
    assertTrue(report.startsWith("Sorted by mse_per_pixel"), report);
    List<String> rows = report.lines().filter(l -> l.startsWith("| beta-")).toList();
    assertEquals(2, rows.size(), report);
    double first = Double.parseDouble(rows.get(0).split("\\|")[2].trim());
    double second = Double.parseDouble(rows.get(1).split("\\|")[2].trim());
    assertTrue(first <= second, "ascending by error: " + report);
    String html = Files.readString(runs.resolve("sweep/report.html"));
    assertTrue(html.contains("beta-8/images/final.png") && html.contains("beta-0.5/images/final.png"));
    assertTrue(Files.exists(runs.resolve("sweep/beta-8/images/final.png")));
  }

  @Test
  void a_bad_option_is_one_line_and_exit_code_2() {
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    assertEquals(2, Sweep.run(new String[] {"--grid", "beta=1", "--stepz", "3"}, System.out, new java.io.PrintStream(err)));
    assertEquals("error: Unknown options: '--stepz', '3' (see --help)", err.toString().strip());
  }
}
