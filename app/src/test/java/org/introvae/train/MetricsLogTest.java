package org.introvae.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {
  @TempDir
  Path dir;

  @Test
  void the_last_row_is_read_by_the_files_own_column_names() throws Exception {
    Path file = dir.resolve("metrics.csv");
    Files.writeString(file, "step,epoch,L_E,L_G,L_AE,kl_real,kl_reconstructed,kl_sampled,alpha,seconds\n"
        + "10,1,5,4,3,2,1,1,0.25,9.5\n20,1,4,3,2.5,2,1,1,0.25,19\n");
    Map<String, Double> last = MetricsLog.lastRow(file);
    assertEquals(20.0, last.get("step"));
    assertEquals(2.5, last.get("L_AE"));
    assertEquals(0.25, last.get("alpha"));
    assertFalse(last.containsKey("exp_elbo_sampled"));
  }
}
