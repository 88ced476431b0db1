package org.introvae.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.introvae.data.IdxReader;
import org.introvae.data.ImageSet;
import org.introvae.export.TinyExport;
import org.introvae.model.InferenceGraph;
import org.introvae.model.ModelConfig;
import org.introvae.model.TrainingGraph;
import org.introvae.model.TrainingSession;
import org.tensorflow.proto.ConfigProto;
import org.introvae.model.UpdateOrder;
import org.introvae.model.IntroVaeObjective;
import org.introvae.train.Checkpoints;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;

@org.junit.jupiter.api.Tag("cross-kernel")
class LoaderTest {
  @TempDir
  static Path root;
  static Path run;
  static Path modelDir;
  static IntroVaeModel model;
  static float[][] images;

  @BeforeAll
  static void export() throws Exception {
    run = TinyExport.trainAndExport(root);
    modelDir = root.resolve("models/tiny");
    model = IntroVaeModel.load(modelDir);
    ImageSet fashion = IdxReader.read(Path.of("data/fashion-mnist/t10k-images-idx3-ubyte.gz"));
    images = new float[4][784];
    for (int i = 0; i < 4; i++) {
      fashion.copyTo(i, images[i], 0);
    }
  }

  @AfterAll
  static void close() {
    model.close();
  }

  /** What the training session's inference outputs are for the same checkpoint, clipped like the export. */
  private static float[][] trainingSessionReconstructions() throws Exception {
    ModelConfig config = new ModelConfig(28, 1, new int[] {8, 16}, 8);
    try (TrainingSession s = new TrainingSession(
        new TrainingGraph(config, new IntroVaeObjective(0.25f, 4f, 40f), UpdateOrder.ALTERNATING, 2e-4f, 32, 5),
        ConfigProto.getDefaultInstance())) {
      Checkpoints checkpoints = new Checkpoints(run.resolve("checkpoints"));
      checkpoints.restore(s.session(), checkpoints.latest().orElseThrow());
      float[] flat = new float[4 * 784];
      for (int i = 0; i < 4; i++) {
        System.arraycopy(images[i], 0, flat, i * 784, 784);
      }
      float[] reconstructed = s.reconstruct(flat, 4).images();
      float[][] out = new float[4][784];
      for (int i = 0; i < 4; i++) {
        for (int k = 0; k < 784; k++) {
          out[i][k] = Math.max(0f, Math.min(1f, reconstructed[i * 784 + k]));
        }
      }
      return out;
    }
  }

  @Test
  void a_fresh_jvm_with_only_the_loader_reproduces_the_training_sessions_outputs() throws Exception {
    Path in = root.resolve("images.bin");
    Path out = root.resolve("reconstructions.bin");
    try (DataOutputStream o = new DataOutputStream(Files.newOutputStream(in))) {
      for (float[] image : images) {
        for (float v : image) {
          o.writeFloat(v);
        }
      }
    }
    Path source = root.resolve("Reconstruct.java");
    Files.writeString(source, """
        import java.io.*;
        import java.nio.file.*;
        import org.introvae.serving.IntroVaeModel;
        public class Reconstruct {
          public static void main(String[] a) throws Exception {
            try (IntroVaeModel m = IntroVaeModel.load(Path.of(a[0]));
                 DataInputStream in = new DataInputStream(Files.newInputStream(Path.of(a[1])));
                 DataOutputStream out = new DataOutputStream(Files.newOutputStream(Path.of(a[2])))) {
              float[][] x = new float[4][m.info().imageValues()];
              for (float[] row : x) for (int i = 0; i < row.length; i++) row[i] = in.readFloat();
              for (float[] row : m.reconstruct(x)) for (float v : row) out.writeFloat(v);
            }
          }
        }
        """);
    LoaderJvm.run(root, source, modelDir.toString(), in.toString(), out.toString());
    float[][] expected = trainingSessionReconstructions();
    try (DataInputStream i = new DataInputStream(Files.newInputStream(out))) {
      for (float[] row : expected) {
        float[] got = new float[row.length];
        for (int k = 0; k < got.length; k++) {
          got[k] = i.readFloat();
        }
        // Another graph (the training session's inference outputs) and another JVM, same batch: float
        // rounding of differently fused ops, ~1e-7 on pixels in [0, 1]; 1e-5 is 1/400 of a grey level.
        assertArrayEquals(row, got, 1e-5f);
      }
    }
  }

  @Test
  void the_readme_example_runs_with_only_the_loaders_dependencies() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    int start = readme.indexOf("```java\n", readme.indexOf("## Using a model from another JVM app"));
    String example = readme.substring(start + 8, readme.indexOf("```", start + 8));
    Path source = root.resolve("Example.java");
    Files.writeString(source, example);
    Path png = root.resolve("samples.png");
    Path shirt = root.resolve("shirt.png");
    BufferedImage gray = new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB);
    for (int k = 0; k < 784; k++) {
      int v = Math.round(images[1][k] * 255);
      gray.setRGB(k % 28, k / 28, (v << 16) | (v << 8) | v);
    }
    ImageIO.write(gray, "png", shirt.toFile());
    String output = LoaderJvm.run(root, source, modelDir.toString(), shirt.toString(), png.toString());
    BufferedImage written = ImageIO.read(png.toFile());
    assertTrue(written.getWidth() >= 28 * 4, "sample grid written");
    assertTrue(output.contains("L_AE"), output);
  }

  @Test
  void the_sample_command_writes_pngs_and_explains_mistakes() throws Exception {
    Path out = root.resolve("grid.png");
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream quiet = new java.io.PrintStream(new java.io.ByteArrayOutputStream());
    assertEquals(0, SampleCommand.run(new String[] {"--model", modelDir.toString(), "--out", out.toString(), "--count", "9"},
        quiet, new java.io.PrintStream(err)), err.toString());
    assertEquals(3 * 28 * 2, ImageIO.read(out.toFile()).getWidth());
    Path batch = root.resolve("grid-batch.png");
    assertEquals(0, SampleCommand.run(new String[] {"--model", modelDir.toString(), "--out", batch.toString(), "--count",
        "9", "--batch-norm", "batch"}, quiet, new java.io.PrintStream(err)), err.toString());
    assertFalse(java.util.Arrays.equals(Files.readAllBytes(out), Files.readAllBytes(batch)),
        "batch statistics decode the same draws otherwise");
    java.io.ByteArrayOutputStream bad = new java.io.ByteArrayOutputStream();
    assertEquals(2, SampleCommand.run(new String[] {"--model", modelDir.toString(), "--batch-norm", "moving"}, quiet,
        new java.io.PrintStream(bad)));
    assertEquals("error: 'moving' is not a sample normalisation (fixed or batch)", bad.toString().strip());
    java.io.ByteArrayOutputStream noStyle = new java.io.ByteArrayOutputStream();
    Path unmixed = out.resolveSibling("unmixed.png");
    assertEquals(2, SampleCommand.run(new String[] {"--model", modelDir.toString(), "--out", unmixed.toString(), "--mix",
        "2"}, quiet, new java.io.PrintStream(noStyle)));
    assertFalse(Files.exists(unmixed), "nothing is written for a model that cannot mix");
    assertTrue(noStyle.toString().strip().matches("error: .* has no 'mix_styles' signature \\(style-based models only,"
        + " exported by this version or later\\)"), noStyle.toString());
    assertEquals(2, SampleCommand.run(new String[] {"--model", root.resolve("none").toString()}, quiet, new java.io.PrintStream(err)));
    assertTrue(err.toString().contains("no such model folder"), err.toString());
    assertEquals(2, SampleCommand.run(new String[] {"--count", "0"}, quiet, new java.io.PrintStream(err)));
    assertTrue(err.toString().contains("--count: '0' must be a whole number from 1 to 1024"), err.toString());
  }

  @Test
  void typed_calls_agree_with_each_other() {
    ModelInfo info = model.info();
    assertEquals(28, info.imageSize());
    assertEquals(8, info.zDim());
    IntroVaeModel.Encoded encoded = model.encode(images);
    assertEquals(4, encoded.mu().length);
    assertEquals(8, encoded.mu()[0].length);
    float[][] viaDecode = model.decode(encoded.mu());
    float[][] reconstructed = model.reconstruct(images);
    // Separate signatures and batch sizes run different kernels: equal to float rounding (~1e-7 on
    // pixels in [0, 1], μ passed through a round trip), not bit for bit. 1e-4 is 1/40 of a grey level.
    float pixels = 1e-4f;
    for (int i = 0; i < 4; i++) {
      assertArrayEquals(reconstructed[i], viaDecode[i], pixels, "reconstruct = decode(encode.mu)");
    }
    // The same signature, batch and threads twice: bit for bit.
    assertArrayEquals(model.sample(3, 5)[4], model.sample(3, 5)[4], "same seed, same images");
    float[][] path = model.interpolate(images[0], images[1], 5);
    assertEquals(5, path.length);
    assertArrayEquals(reconstructed[0], path[0], pixels);
    assertArrayEquals(reconstructed[1], path[4], pixels);
  }

  @Test
  void concurrent_callers_get_the_same_answers() throws Exception {
    float[][] expected = model.reconstruct(images);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      java.util.List<Future<float[][]>> futures = new java.util.ArrayList<>();
      for (int i = 0; i < 32; i++) {
        futures.add(pool.submit(() -> model.reconstruct(images)));
      }
      for (Future<float[][]> f : futures) {
        float[][] got = f.get();
        for (int i = 0; i < 4; i++) {
          assertArrayEquals(expected[i], got[i]);
        }
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void wrong_input_gets_a_clear_message() {
    String shape = assertThrows(IllegalArgumentException.class, () -> model.reconstruct(new float[][] {new float[100]})).getMessage();
    assertEquals("image 0 has 100 values; the model takes 28×28×1 = 784", shape);
    String channels = assertThrows(IllegalArgumentException.class, () -> model.encode(new float[][] {new float[784 * 3]})).getMessage();
    assertTrue(channels.contains("28×28×1"), channels);
    float[] bright = images[0].clone();
    bright[10] = 255f;
    String range = assertThrows(IllegalArgumentException.class, () -> model.reconstruct(new float[][] {bright})).getMessage();
    assertTrue(range.contains("value 255.0 at index 10") && range.contains("[0, 1]"), range);
    String batch = assertThrows(IllegalArgumentException.class, () -> model.decode(new float[1025][8])).getMessage();
    assertTrue(batch.contains("1 to 1024"), batch);
    String z = assertThrows(IllegalArgumentException.class, () -> model.decode(new float[][] {new float[7]})).getMessage();
    assertEquals("z[0] has 7 values; the model's latent size is 8", z);
  }

  @Test
  void a_folder_that_is_not_a_saved_model_is_refused() throws Exception {
    Path empty = Files.createDirectories(root.resolve("empty"));
    String e = assertThrows(IllegalArgumentException.class, () -> IntroVaeModel.load(empty)).getMessage();
    assertTrue(e.contains("not a SavedModel"), e);
    String missing = assertThrows(IllegalArgumentException.class, () -> IntroVaeModel.load(root.resolve("nope"))).getMessage();
    assertTrue(missing.contains("no such model folder"), missing);
  }

  @Test
  void a_saved_model_without_the_expected_signatures_is_refused() throws Exception {
    Path partial = root.resolve("partial/1");
    ModelConfig config = new ModelConfig(28, 1, new int[] {8, 16}, 8);
    try (InferenceGraph g = new InferenceGraph(config); Session s = new Session(g.graph)) {
      s.initialize();
      SavedModelBundle.exporter(partial.toString()).withSession(s)
          .withSignature(Signature.builder().key("decode").input("z", g.latents).output("images", g.decoded).build())
          .export();
    }
    Files.createDirectories(partial.resolve("assets"));
    Files.copy(modelDir.resolve("1/assets/introvae.json"), partial.resolve("assets/introvae.json"));
    String e = assertThrows(IllegalArgumentException.class, () -> IntroVaeModel.load(partial)).getMessage();
    assertTrue(e.contains("lacks signature 'serving_default'"), e);
  }
}
