package org.introvae.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.introvae.export.ModelExporter;
import org.introvae.model.ImageArchitecture;
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
  }

  @Test
  void an_unknown_architecture_is_a_one_line_error() {
    Outcome o = train("--architecture", "stlye", "--run", "x", "--steps", "1");
    assertEquals(2, o.code());
    assertEquals("error: --architecture: 'stlye' is not residual or style", o.err().strip());
  }
}
