package org.introvae.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.introvae.export.ExportCommand;
import org.introvae.export.ModelExporter;
import org.introvae.export.ModelReExport;
import org.introvae.model.ImageArchitecture;
import org.introvae.model.Placement;
import org.introvae.model.StyleNetworks;
import org.introvae.model.TrainingGraph;
import org.introvae.model.TrainingSession;
import org.introvae.serving.IntroVaeModel;
import org.introvae.serving.Json;
import org.introvae.testing.TrainCli;
import org.introvae.testing.TrainCli.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `--architecture style` end to end on the bundled Fashion-MNIST: train, resume, export, load, sample. */
class StyleRunTest {
  @TempDir
  Path root;

  private Outcome train(String... extra) {
    return TrainCli.train(List.of("--runs", root.resolve("runs").toString(), "--widths", "8,16", "--z", "8",
        "--batch", "16", "--vae-epochs", "0", "--objective", "soft", "--log-every", "2", "--image-every", "1000",
        "--checkpoint-every", "4", "--threads", "1"), extra);
  }

  @Test
  void trains_resumes_exports_and_serves_the_style_networks() throws Exception {
    Outcome first = train("--architecture", "style", "--run", "s", "--steps", "4");
    assertEquals(0, first.code(), first.err());
    assertTrue(first.out().contains("widths 8,16 z 8 style"), first.out());
    Path run = root.resolve("runs/s");
    assertEquals(ImageArchitecture.STYLE, new RunFolder(run).readParams().config().network().architecture());
    assertEquals(ImageArchitecture.STYLE, new RunFolder(run).readParams().model().architecture());
    assertTrue(Files.readString(run.resolve("params.json")).contains("\"architecture\" : \"style\""));
    assertEquals(0.9f, new RunFolder(run).readParams().config().network().styleMixing(), "the authors' mixing by default");
    assertTrue(first.out().contains("style mixing p = 0.9"), first.out());

    Outcome resumed = train("--run", "s", "--resume", "--steps", "6");
    assertEquals(0, resumed.code(), resumed.err());
    assertEquals("step-00000006", Files.readString(run.resolve("checkpoints/latest")).trim());
    Outcome changed = train("--run", "s", "--resume", "--steps", "8", "--architecture", "residual");
    assertEquals(2, changed.code(), "a run keeps its networks");
    assertTrue(changed.err().contains("architecture"), changed.err());

    Path models = root.resolve("models/style");
    ModelExporter.export(run, models, null);
    @SuppressWarnings("unchecked")
    Map<String, Object> facts = (Map<String, Object>) Json.parse(Files.readString(models.resolve("1/assets/introvae.json")));
    assertEquals("style", facts.get("architecture"));
    try (IntroVaeModel m = IntroVaeModel.load(models)) {
      float[][] a = m.sample(3, 2);
      assertEquals(2, a.length);
      assertEquals(28 * 28, a[0].length);
      // Same graph, same batch, same threads: the fixed noise maps make sampling repeatable bit for bit.
      assertArrayEquals(a[1], m.sample(3, 2)[1], 0f);
      float[][] r = m.reconstruct(new float[][] {a[0]});
      assertEquals(28 * 28, r[0].length);
    }
    truncatedSamplesMoveTowardsTheAverageStyle(run, models);
    stylesMixAtTheCrossover(models.resolve("1"));
  }

  /**
   * style-alae end to end: recorded as such, and the exported networks are the ones the run trained —
   * the plain style networks have the same variables, so an export that built those would load without
   * complaint and decode something else. The training graph's D(z) restored from the checkpoint and the
   * exported model's decode run different graphs: 1e-5 absolute on images in [0, 1].
   */
  @Test
  void the_alae_recipe_trains_and_exports_the_networks_it_trained() throws Exception {
    Outcome o = train("--architecture", "style-alae", "--run", "a", "--steps", "4");
    assertEquals(0, o.code(), o.err());
    Path run = root.resolve("runs/a");
    assertEquals(ImageArchitecture.STYLE_ALAE, new RunFolder(run).readParams().model().architecture());
    exportDecodesAsTheRun(run, root.resolve("models/alae"));
  }

  /**
   * The exported model decodes as the run's own graph restored from its checkpoint (the same networks,
   * and for growing ones the same growth); returns the restored networks' growth, or null.
   */
  private static Float exportDecodesAsTheRun(Path run, Path models) throws Exception {
    RunParams params = new RunFolder(run).readParams();
    Path version = ModelExporter.export(run, models, null);
    float[] z = TrainingSession.priorDraws(3, 8, 11);
    float[] trained;
    Float growth = null;
    try (TrainingSession session = TrainingSession.withThreads(new TrainingGraph(params.model(),
        params.config().objective().build(), params.config().objective().updates(), 1e-3f, 16, 1, Placement.CPU, false,
        params.config().network().mixing()), 1)) {
      assertTrue(new Checkpoints(run.resolve("checkpoints")).restoreLatest(session.session(), new PrintStream(
          new ByteArrayOutputStream())).isPresent());
      trained = session.decode(z);
      if (params.model().progressive()) {
        try (org.tensorflow.Result r = session.session().runner().fetch("decoder." + StyleNetworks.GROWTH).run()) {
          growth = ((org.tensorflow.types.TFloat32) r.get(0)).getFloat();
        }
      }
    }
    for (int i = 0; i < trained.length; i++) {
      trained[i] = Math.min(1f, Math.max(0f, trained[i]));  // served images are clipped to [0, 1]
    }
    try (IntroVaeModel m = IntroVaeModel.load(version)) {
      float[][] exported = m.decode(new float[][] {java.util.Arrays.copyOfRange(z, 0, 8), java.util.Arrays.copyOfRange(z, 8, 16),
          java.util.Arrays.copyOfRange(z, 16, 24)});
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(java.util.Arrays.copyOfRange(trained, i * 784, (i + 1) * 784), exported[i], 1e-5f, "draw " + i);
      }
    }
    return growth;
  }

  /**
   * --epochs-per-level: 100 training images are 6 steps of 16 an epoch, so with 2 epochs per level
   * 14×14 fades in over steps 13–18 and 28×28 over steps 25–30. Stopped mid-fade and resumed, the run
   * grows on from the step it stopped at, records the schedule, and its export (of the last step's
   * weights, not an average) decodes at full growth.
   */
  @Test
  void the_style_networks_grow_a_resolution_at_a_time() throws Exception {
    Outcome first = train("--architecture", "style", "--run", "g", "--held-out", "0.99", "--epochs-per-level", "2",
        "--steps", "16", "--average-last", "1");
    assertEquals(0, first.code(), first.err());
    assertTrue(first.out().contains("growing from 7×7: a resolution every 2 epoch(s), each fading in over its first 1"),
        first.out());
    assertTrue(first.out().contains("step 14: growing to 14×14"), first.out());
    assertTrue(first.out().contains("warning: the run's 16 steps end before the networks are grown to 28×28 at step 31"),
        first.out());
    Path run = root.resolve("runs/g");
    RunParams params = new RunFolder(run).readParams();
    assertEquals(2, params.config().network().epochsPerLevel());
    assertTrue(params.model().progressive());
    // Stopped halfway through 14×14's fade (step 16 is its 4th of 6 steps: g = (1 − cos π·3/6)/2), the
    // export decodes there: images of 14×14 and 7×7 blends, constant over 2×2 pixels. A re-export from
    // the model alone rebuilds the growing networks from its facts and decodes the same.
    assertEquals(0.5f, exportDecodesAsTheRun(run, root.resolve("models/mid")), 1e-6f);
    ModelReExport.export(root.resolve("models/mid/1"), root.resolve("models/mid-again"), null, null);
    float[][] z = {TrainingSession.priorDraws(1, 8, 12)};
    try (IntroVaeModel mid = IntroVaeModel.load(root.resolve("models/mid"));
        IntroVaeModel again = IntroVaeModel.load(root.resolve("models/mid-again"))) {
      float[] image = mid.decode(z)[0];
      for (int p = 0; p < image.length; p++) {
        int corner = (p / 28 - p / 28 % 2) * 28 + (p % 28 - p % 28 % 2);
        assertEquals(image[corner], image[p], 0f, "pixel " + p + " repeats its 2×2 block's");
      }
      assertArrayEquals(image, again.decode(z)[0], 1e-6f, "the re-export");
    }
    Outcome resumed = train("--run", "g", "--resume", "--steps", "32", "--average-last", "1");
    assertEquals(0, resumed.code(), resumed.err());
    assertTrue(resumed.out().contains("step 26: growing to 28×28"), resumed.out());
    assertTrue(!resumed.out().contains("warning"), resumed.out());
    assertTrue(!resumed.out().contains("growing to 14×14"), "it resumed grown to 14×14: " + resumed.out());
    assertEquals(2f, exportDecodesAsTheRun(run, root.resolve("models/growing")), "grown in full after step 30");
    @SuppressWarnings("unchecked")
    Map<String, Object> facts = (Map<String, Object>) Json.parse(Files.readString(
        root.resolve("models/growing/1/assets/introvae.json")));
    assertEquals(true, facts.get("progressive"));
  }

  @Test
  void only_the_style_networks_grow() {
    Outcome o = train("--run", "r", "--epochs-per-level", "2", "--steps", "1");
    assertEquals(2, o.code());
    assertEquals("error: --epochs-per-level: the residual networks do not grow (--architecture style and style-alae do)",
        o.err().strip());
  }

  /** Crossover 0 decodes the fine draws, one at the layer count the coarse ones; between, a third image. */
  private void stylesMixAtTheCrossover(Path version) throws Exception {
    java.util.Random random = new java.util.Random(4);
    float[][] coarse = new float[3][8];
    float[][] fine = new float[3][8];
    for (float[][] z : new float[][][] {coarse, fine}) {
      for (float[] row : z) {
        for (int j = 0; j < row.length; j++) {
          row[j] = (float) random.nextGaussian();
        }
      }
    }
    int layers = 6;  // two per resolution: 7×7, 14×14, 28×28
    try (IntroVaeModel m = IntroVaeModel.load(version)) {
      float[][] d = m.decode(coarse);
      float[][] dFine = m.decode(fine);
      float[][] mixed = m.mixStyles(coarse, fine, layers / 2);
      for (int i = 0; i < 3; i++) {
        // The same layers on the same codes in two branches of one graph: 1e-6 for kernels that differ by branch.
        assertArrayEquals(dFine[i], m.mixStyles(coarse, fine, 0)[i], 1e-6f);
        assertArrayEquals(d[i], m.mixStyles(coarse, fine, layers)[i], 1e-6f);
        assertTrue(maxDifference(mixed[i], d[i]) > 1e-3 && maxDifference(mixed[i], dFine[i]) > 1e-3, "a mix of both");
      }
    }
    Path grid = root.resolve("grid.png");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(0, org.introvae.serving.SampleCommand.run(new String[] {"--model", version.toString(), "--out",
        grid.toString(), "--count", "4", "--mix", "3"}, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err)),
        err.toString());
    java.awt.image.BufferedImage picture = javax.imageio.ImageIO.read(root.resolve("grid-mixing.png").toFile());
    assertEquals(7 * 56, picture.getWidth(), "six draws and their mixes, 2× scale");
    assertEquals(7 * 56, picture.getHeight());
  }

  private static double maxDifference(float[] a, float[] b) {
    double most = 0;
    for (int i = 0; i < a.length; i++) {
      most = Math.max(most, Math.abs(a[i] - b[i]));
    }
    return most;
  }

  /** Export --truncation ψ: ψ 0 decodes every draw to the one image of w̄; reconstructions are untouched. */
  private void truncatedSamplesMoveTowardsTheAverageStyle(Path run, Path models) throws Exception {
    for (String psi : new String[] {"0", "0.5"}) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      assertEquals(0, ExportCommand.run(new String[] {"--run", run.toString(), "--out", models.toString(),
          "--truncation", psi}, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err)), err.toString());
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> facts = (Map<String, Object>) Json.parse(Files.readString(models.resolve("3/assets/introvae.json")));
    assertEquals(0.5, ((Map<?, ?>) facts.get(ModelExporter.TRUNCATION_FACT)).get("psi"));
    try (IntroVaeModel none = IntroVaeModel.load(models.resolve("1")); IntroVaeModel zero = IntroVaeModel.load(models.resolve("2"));
        IntroVaeModel half = IntroVaeModel.load(models.resolve("3"))) {
      float[][] z = zero.sample(5, 4);
      float[][] h = half.sample(5, 4);
      float[][] n = none.sample(5, 4);
      // Four equal rows through the same kernels; 1e-6 allows a kernel that treats batch rows unequally.
      for (float[] image : z) {
        assertArrayEquals(z[0], image, 1e-6f);
      }
      assertTrue(spread(n) > 1e-4, "untruncated draws differ: " + spread(n));
      assertTrue(spread(h) > 1e-4 && spread(h) < spread(n), "ψ 0.5 lies between: " + spread(h) + " vs " + spread(n));
      float[][] images = {n[0], n[1]};
      assertArrayEquals(none.reconstruct(images)[1], zero.reconstruct(images)[1], 1e-6f);
    }
  }

  /** The mean over pixels of the variance across the batch. */
  private static double spread(float[][] images) {
    double total = 0;
    for (int p = 0; p < images[0].length; p++) {
      double mean = 0;
      double square = 0;
      for (float[] image : images) {
        mean += image[p] / images.length;
        square += image[p] * (double) image[p] / images.length;
      }
      total += square - mean * mean;
    }
    return total / images[0].length;
  }

  @Test
  void an_unknown_architecture_is_a_one_line_error() {
    Outcome o = train("--architecture", "stlye", "--run", "x", "--steps", "1");
    assertEquals(2, o.code());
    assertEquals("error: --architecture: 'stlye' is not residual, style or style-alae", o.err().strip());
  }
}
