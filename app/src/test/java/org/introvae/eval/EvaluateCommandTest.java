package org.introvae.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.introvae.export.TinyExport;
import org.introvae.serving.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluateCommandTest {
  @TempDir
  Path root;

  @Test
  @SuppressWarnings("unchecked")
  void evaluates_a_run_with_likelihoods_ood_auroc_and_pictures() throws Exception {
    Path run = TinyExport.trainAndExport(root);
    Path noise = Files.createDirectories(root.resolve("noise"));
    Random r = new Random(1);
    for (int i = 0; i < 30; i++) {
      BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB);
      for (int p = 0; p < 784; p++) {
        int v = r.nextInt(256);
        img.setRGB(p % 28, p / 28, (v << 16) | (v << 8) | v);
      }
      ImageIO.write(img, "png", root.resolve("noise/" + i + ".png").toFile());
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = EvaluateCommand.run(new String[] {"--run", run.toString(), "--ood", noise.toString(), "--images", "30",
        "--fd-images", "1000"},
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
    assertEquals(0, code, err.toString());
    Path eval = run.resolve("eval");
    Map<String, Object> m = (Map<String, Object>) Json.parse(Files.readString(eval.resolve("metrics.json")));
    assertEquals(30L, m.get("images"));
    assertTrue(((String) m.get("data")).contains("held-out"));
    Map<String, Object> l = (Map<String, Object>) m.get("likelihood");
    double elbo = ((Number) l.get("elbo_nats_per_image")).doubleValue();
    double k1 = ((Number) l.get("log_px_iwae_k1_nats_per_image")).doubleValue();
    double k100 = ((Number) l.get("log_px_iwae_k100_nats_per_image")).doubleValue();
    assertTrue(k100 >= k1 && k100 >= elbo, "IWAE tightens with K: " + l);
    assertEquals(-k100 / (784 * Math.log(2)), ((Number) l.get("log_px_iwae_k100_bits_per_dim")).doubleValue(), 1e-9);
    Map<String, Object> ood = (Map<String, Object>) m.get("ood");
    double auroc = ((Number) ood.get("auroc")).doubleValue();
    assertTrue(auroc > 0.7, "clothes should be likelier than uniform noise, even after 20 steps: " + ood);
    assertTrue(((Number) ood.get("mean_log_px_in")).doubleValue() > ((Number) ood.get("mean_log_px_ood")).doubleValue());
    Map<String, Object> fd = (Map<String, Object>) m.get("sample_quality");
    assertEquals("FD-FMNIST-classifier", fd.get("name"));
    assertEquals(1000L, fd.get("real_images"));
    assertTrue(((Number) fd.get("value")).doubleValue() > 0);
    for (String png : new String[] {"samples.png", "reconstructions.png", "interpolations.png", "traversals.png",
        "ood-log-likelihood.png"}) {
      assertTrue(Files.size(eval.resolve(png)) > 500, png);
    }
  }

  @Test
  void needs_exactly_one_of_run_or_model() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(2, EvaluateCommand.run(new String[0], new PrintStream(new ByteArrayOutputStream()), new PrintStream(err)));
    assertTrue(err.toString().contains("exactly one of --run or --model"), err.toString());
  }
}
