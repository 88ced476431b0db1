package org.introvae.translation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.introvae.serving.IntroVaeModel;
import org.introvae.serving.Json;
import org.introvae.train.TrainCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code Train --model translation} end to end on the bundled Fashion-MNIST images, and its one-line errors. */
class TranslationRunTest {
  @TempDir
  Path runs;

  private static String[] train(int expectedCode, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = TrainCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    String[] texts = {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    assertEquals(expectedCode, code, texts[1]);
    return texts;
  }

  @Test
  void trains_measures_and_draws_a_translation_grid() throws Exception {
    train(0, "--model", "translation", "--steps", "3", "--batch", "8", "--held-out", "40", "--threads", "1",
        "--runs", runs.toString(), "--run", "t");
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) Json.parse(Files.readString(runs.resolve("t/metrics.json")));
    assertEquals(8, ((Number) m.get("class_z")).intValue());
    assertEquals(0.0, ((Number) m.get("class_jitter")).doubleValue(), "off unless asked");
    assertEquals("the image itself", m.get("class_partners"), "off unless asked");
    assertEquals(1.0, ((Number) m.get("class_kl_weight")).doubleValue(), "z_c's KL counts fully unless asked");
    assertEquals(24, ((Number) m.get("content_z")).intValue());
    for (String rate : new String[] {"translation_keeps_class_source", "translation_takes_content_source_class",
        "reconstruction_keeps_class", "content_code_class_accuracy", "class_code_class_accuracy", "chance",
        "translation_content_source_nearer", "translation_class_source_nearer"}) {
      double v = ((Number) m.get(rate)).doubleValue();
      assertTrue(v >= 0 && v <= 1, rate + " = " + v);
    }
    BufferedImage grid = ImageIO.read(runs.resolve("t/images/translation.png").toFile());
    assertEquals(9 * 28 * 3, grid.getWidth(), "a blank corner, 8 content sources; 3× scale");
    assertEquals(9 * 28 * 3, grid.getHeight());
    assertTrue(Files.size(runs.resolve("t/images/samples.png")) > 1000);
  }

  @Test
  void exports_a_model_whose_translate_signature_pairs_class_and_content_codes() throws Exception {
    Path models = runs.resolve("served/translation");
    train(0, "--model", "translation", "--steps", "2", "--batch", "8", "--held-out", "40", "--threads", "1",
        "--runs", runs.toString(), "--run", "e", "--export", models.toString(), "--content-noise", "4");
    try (IntroVaeModel model = IntroVaeModel.load(models.resolve("1"))) {
      assertEquals(8, ((Number) model.info().facts().get("class_z")).intValue());
      assertEquals(4.0, ((Number) model.info().facts().get("content_noise")).doubleValue());
      float[][] images = model.sample(3, 4);  // any images of the model's size
      float[][] a = {images[0], images[1]};
      float[][] b = {images[2], images[3]};
      for (float[] logvar : model.encode(a).logvar()) {
        for (int k = 8; k < 32; k++) {
          // The exported encoder floors the content variance as training did: log σ² ≥ ln 4 (float32's ln 4).
          assertTrue(logvar[k] >= (float) Math.log(4), "content log σ² " + logvar[k] + " at " + k);
        }
      }
      assertTranslationsDecodeMixedCodes(model, a, b);
      assertEquals(false, model.info().facts().get("class_modulation"));
    }
    // The server draws a translation grid of samples: 3 class sources × 3 content sources plus headers.
    try (org.introvae.serving.ModelServer server = new org.introvae.serving.ModelServer(runs.resolve("served"),
        "127.0.0.1", 0, 1)) {
      var client = java.net.http.HttpClient.newHttpClient();
      var reply = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.port()
          + "/v1/models/translation/translation.png?count=3&seed=1")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, reply.statusCode(), new String(reply.body(), StandardCharsets.UTF_8));
      BufferedImage grid = ImageIO.read(new java.io.ByteArrayInputStream(reply.body()));
      assertEquals(4 * 28 * 3, grid.getWidth(), "a corner and 3 columns of 28 pixels, drawn 3× (96 / 28)");
      assertEquals(4 * 28 * 3, grid.getHeight());
    }
    try (IntroVaeModel plain = IntroVaeModel.load(Path.of("models/fashion-mnist"))) {
      float[][] one = plain.sample(1, 1);
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> plain.translate(one, one));
      assertTrue(e.getMessage().endsWith("is not a translation model (no 'translate' signature)"), e.getMessage());
    }
  }

  /** translate(a, b) is D(z_c(a), z_s(b)) with 8 class dimensions of 32. */
  private static void assertTranslationsDecodeMixedCodes(IntroVaeModel model, float[][] a, float[][] b) {
    float[][] translated = model.translate(a, b);
    float[][] muA = model.encode(a).mu();
    float[][] muB = model.encode(b).mu();
    float[][] z = new float[a.length][32];
    for (int i = 0; i < a.length; i++) {
      System.arraycopy(muA[i], 0, z[i], 0, 8);
      System.arraycopy(muB[i], 8, z[i], 8, 24);
    }
    float[][] decoded = model.decode(z);
    for (int i = 0; i < a.length; i++) {
      // The same networks in other graphs and batch compositions: oneDNN may pick other kernels
      // (float32 rounding, ~1e-6 on pixels in [0, 1]); 1e-4 leaves room and catches any swapped code.
      org.junit.jupiter.api.Assertions.assertArrayEquals(decoded[i], translated[i], 1e-4f);
    }
  }

  /** A decoder reading z_c as modulation trains, exports its modulation layers and translates with them. */
  @Test
  void a_model_whose_decoder_reads_the_class_code_as_modulation_exports_and_translates() throws Exception {
    Path models = runs.resolve("modulated");
    String out = train(0, "--model", "translation", "--class-modulation", "--steps", "2", "--batch", "8", "--held-out",
        "40", "--threads", "1", "--runs", runs.toString(), "--run", "m", "--export", models.toString())[0];
    assertTrue(out.contains("KL weight 1.0, read by the decoder as modulation"), out);
    try (IntroVaeModel model = IntroVaeModel.load(models.resolve("1"))) {
      assertEquals(true, model.info().facts().get("class_modulation"));
      float[][] images = model.sample(3, 4);
      float[][] a = {images[0], images[1]};
      float[][] b = {images[2], images[3]};
      assertTranslationsDecodeMixedCodes(model, a, b);
      // Two class sources, one content source: the class code changes the image through the modulation.
      float[][] two = model.translate(a, new float[][] {images[2], images[2]});
      assertTrue(!java.util.Arrays.equals(two[0], two[1]), "the class code reaches the exported decoder");
    }
  }

  @Test
  void user_mistakes_are_one_line_errors() {
    assertEquals("error: --class-z: '32' must be a whole number from 1 to 31\n",
        train(2, "--model", "translation", "--class-z", "32")[1]);
    assertEquals("error: --class-jitter: expected 0 to 0.5, not 0.7\n",
        train(2, "--model", "translation", "--class-jitter", "0.7")[1]);
    assertEquals("error: --content-noise: expected 0.01 to 100.0, not 0.0\n",
        train(2, "--model", "translation", "--content-noise", "0")[1]);
    assertEquals("error: --class-kl-weight: expected 0 to 100.0, not -0.5\n",
        train(2, "--model", "translation", "--class-kl-weight", "-0.5")[1]);
    Path images = Path.of("data/fashion-mnist/t10k-images-idx3-ubyte.gz");
    assertEquals("error: " + runs.resolve("none.gz") + ": no labels file (give --labels PATH; labels only measure"
        + " translations)\n", train(2, "--model", "translation", "--data", images.toString(), "--labels",
        runs.resolve("none.gz").toString())[1]);
    assertTrue(train(2, "--model", "translation", "--objective", "gan")[1].startsWith("error: --objective: "));
    assertEquals("error: --batch: pairs (--class-neighbours, --class-same-label) need an even batch, not 7\n",
        train(2, "--model", "translation", "--class-neighbours", "5", "--batch", "7")[1]);
    assertEquals("error: --class-neighbours: '9000' must be a whole number from 0 to 8999\n",
        train(2, "--model", "translation", "--class-neighbours", "9000", "--held-out", "1000")[1]);
    assertEquals("error: --class-neighbours: pairs come from neighbours or from labels (--class-same-label), not both\n",
        train(2, "--model", "translation", "--class-neighbours", "5", "--class-same-label")[1]);
  }

  @Test
  void trains_on_neighbour_or_same_label_pairs_when_asked() throws Exception {
    String out = train(0, "--model", "translation", "--class-neighbours", "5", "--steps", "2", "--batch", "8",
        "--held-out", "40", "--threads", "1", "--runs", runs.toString(), "--run", "n")[0];
    assertTrue(out.contains("paired each training image with one of its 5 nearest neighbours"), out);
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) Json.parse(Files.readString(runs.resolve("n/metrics.json")));
    assertEquals("one of its 5 nearest neighbours", m.get("class_partners"));
    assertTrue(Files.size(runs.resolve("n/images/translation.png")) > 1000);
    out = train(0, "--model", "translation", "--class-same-label", "--class-kl-weight", "0", "--steps", "1", "--batch",
        "8", "--held-out", "40", "--threads", "1", "--runs", runs.toString(), "--run", "l")[0];
    assertTrue(out.contains("paired each training image with an image of the same label"), out);
    assertTrue(out.contains("class code 8 (KL weight 0.0)"), out);
  }
}
