package org.introvae.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.introvae.serving.IntroVaeModel;
import org.introvae.serving.Json;
import org.introvae.serving.SampleNormalization;
import org.introvae.train.UserError;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;

@SuppressWarnings("unchecked")
@org.junit.jupiter.api.Tag("cross-kernel")
class ExportTest {
  @TempDir
  static Path root;
  static Path run;
  static Path models;

  @BeforeAll
  static void train() throws Exception {
    run = TinyExport.trainAndExport(root);
    models = root.resolve("models/tiny");
  }

  @Test
  void the_saved_model_has_the_serve_tag_the_signatures_and_no_training_ops() throws Exception {
    SavedModel saved = SavedModel.parseFrom(Files.readAllBytes(models.resolve("1/saved_model.pb")));
    assertEquals(1, saved.getMetaGraphsCount());
    MetaGraphDef meta = saved.getMetaGraphs(0);
    assertEquals(java.util.List.of("serve"), meta.getMetaInfoDef().getTagsList());
    Map<String, SignatureDef> signatures = meta.getSignatureDefMap();
    assertEquals(Set.of("serving_default", "reconstruct", "encode", "decode", "sample", "reconstruct_image",
        "sample_batch_statistics", "decode_prior"), signatures.keySet());
    assertEquals(Set.of("image_bytes"), signatures.get("reconstruct_image").getInputsMap().keySet());
    signatures.values().forEach(s -> assertEquals("tensorflow/serving/predict", s.getMethodName()));
    assertEquals(Set.of("images"), signatures.get("encode").getInputsMap().keySet());
    assertEquals(Set.of("mu", "logvar"), signatures.get("encode").getOutputsMap().keySet());
    assertEquals(Set.of("seed", "count"), signatures.get("sample").getInputsMap().keySet());
    assertEquals(Set.of("seed", "count"), signatures.get("sample_batch_statistics").getInputsMap().keySet());
    assertEquals(Set.of("z"), signatures.get("decode").getInputsMap().keySet());
    assertEquals(Set.of("z"), signatures.get("decode_prior").getInputsMap().keySet());

    Set<String> opTypes = new TreeSet<>();
    for (NodeDef node : meta.getGraphDef().getNodeList()) {
      opTypes.add(node.getOp());
      assertFalse(node.getName().startsWith("grad_") || node.getName().startsWith("adam_"), node.getName());
    }
    for (String op : opTypes) {
      // Conv2DBackpropInput is the image output layer's forward op (its mirrored form), not a gradient.
      assertFalse(op.startsWith("Apply") || op.endsWith("Grad") || op.endsWith("GradV3")
          || (op.contains("Backprop") && !op.equals("Conv2DBackpropInput")), "training op in the exported graph: " + op);
    }
    assertTrue(opTypes.contains("FusedBatchNormV3") && opTypes.contains("Conv2D"), opTypes.toString());
  }

  @Test
  void the_model_facts_are_in_the_assets() throws Exception {
    Map<String, String> facts = Json.parseFlat(Files.readString(models.resolve("1/assets/introvae.json")));
    assertEquals("28", facts.get("image_size"));
    assertEquals("1", facts.get("image_channels"));
    assertEquals("8", facts.get("z"));
    assertEquals("8,16", facts.get("widths"));
    assertEquals("20", facts.get("step"));
    assertEquals("data/fashion-mnist/t10k-images-idx3-ubyte.gz", facts.get("training_data"));
    assertTrue(facts.get("final_training_metrics").contains("L_AE"));
  }

  @Test
  void held_out_metrics_agree_with_the_loader() throws Exception {
    Path bundled = Path.of("data/fashion-mnist/t10k-images-idx3-ubyte.gz");
    Path version = ModelExporter.export(run, root.resolve("evaluated"), null, new ModelExporter.EvalData(bundled));
    Map<String, Object> facts = (Map<String, Object>) Json.parse(Files.readString(version.resolve("assets/introvae.json")));
    Map<String, Object> metrics = (Map<String, Object>) facts.get("held_out_metrics");
    assertEquals(10_000L, metrics.get("images"));
    double reported = ((Number) metrics.get("L_AE_per_image")).doubleValue();

    org.introvae.data.ImageSet images = org.introvae.data.IdxReader.read(bundled);
    double sum = 0;
    try (org.introvae.serving.IntroVaeModel model = org.introvae.serving.IntroVaeModel.load(version)) {
      for (int start = 0; start < 10_000; start += 500) {
        float[][] batch = new float[500][784];
        for (int i = 0; i < 500; i++) {
          images.copyTo(start + i, batch[i], 0);
        }
        float[][] rec = model.reconstruct(batch);
        for (int i = 0; i < 500; i++) {
          for (int k = 0; k < 784; k++) {
            double d = rec[i][k] - batch[i][k];
            sum += 0.5 * d * d;
          }
        }
      }
    }
    assertEquals(sum / 10_000, reported, 1e-3 * reported);

    // The shipped classifier takes 28×28×1, so the facts also carry the samples' FD against the same images.
    Map<String, Object> fd = (Map<String, Object>) facts.get("sample_quality");
    assertEquals("FD-FMNIST-classifier", fd.get("name"));
    assertEquals(bundled.toString(), fd.get("real"));
    assertEquals("models/fmnist-classifier", fd.get("classifier"));
    assertEquals(10_000L, fd.get("real_images"));
    assertEquals(10_000L, fd.get("samples"));
    double value = ((Number) fd.get("value")).doubleValue();
    assertTrue(value > 1 && Double.isFinite(value), "20 steps of a tiny model are far from the data's floor (0.4): " + value);
    Map<String, Object> batchFd = (Map<String, Object>) facts.get("sample_quality_batch_statistics");
    assertEquals("sample_batch_statistics", batchFd.get("signature"));
    double batchValue = ((Number) batchFd.get("value")).doubleValue();
    assertTrue(batchValue > 1 && Double.isFinite(batchValue) && batchValue != value, batchValue + " vs " + value);
  }

  @Test
  void eval_held_out_measures_the_runs_own_held_out_images_with_the_chosen_classifier() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = ExportCommand.run(new String[] {"--run", run.toString(), "--out", root.resolve("held-out").toString(),
        "--eval", "held-out", "--classifier", "models/mnist-classifier"}, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err));
    assertEquals(0, code, err.toString());
    Map<String, Object> facts = (Map<String, Object>) Json.parse(
        Files.readString(root.resolve("held-out/1/assets/introvae.json")));
    Map<String, Object> metrics = (Map<String, Object>) facts.get("held_out_metrics");
    // TinyExport's run holds out the default 10 % of the bundled 10,000 images.
    assertEquals(1000L, metrics.get("images"));
    assertTrue(((String) metrics.get("data")).endsWith("(the run's held-out images)"), (String) metrics.get("data"));
    Map<String, Object> fd = (Map<String, Object>) facts.get("sample_quality");
    assertEquals("FD-MNIST-classifier", fd.get("name"));
    assertEquals("models/mnist-classifier", fd.get("classifier"));
    assertEquals(1000L, fd.get("real_images"));
  }

  @Test
  void fixed_statistics_sample_each_image_alone_and_batch_statistics_normalise_by_the_batch() {
    try (IntroVaeModel model = IntroVaeModel.load(models)) {
      float[][] fixed64 = model.sample(7, 64, SampleNormalization.FIXED);
      float[][] fixed128 = model.sample(7, 128, SampleNormalization.FIXED);
      float[][] batch64 = model.sample(7, 64, SampleNormalization.BATCH_STATISTICS);
      float[][] batch128 = model.sample(7, 128, SampleNormalization.BATCH_STATISTICS);
      // The stateless draws of 64 are the first 64 of 128: with fixed statistics the images are the same
      // (same graph and threads; a batch of 64 and of 128 may take other kernels, hence 1e-5, not bit-for-bit).
      for (int i = 0; i < 64; i++) {
        assertArrayEquals(fixed64[i], fixed128[i], 1e-5f, "image " + i);
      }
      // With batch statistics the same draws decode otherwise when the rest of the batch changes.
      double change = 0;
      for (int i = 0; i < 64; i++) {
        for (int k = 0; k < batch64[i].length; k++) {
          change = Math.max(change, Math.abs(batch64[i][k] - batch128[i][k]));
        }
      }
      assertTrue(change > 1e-3, "batch statistics of 64 vs 128 draws: " + change);
      assertArrayEquals(batch64[0], model.sample(7, 64, SampleNormalization.BATCH_STATISTICS)[0], 0f,
          "the same seed and count give the same batch");

      // decode_prior: the sampling statistics for given z, each image alone, and not decode's moving averages.
      float[][] z = new float[5][8];
      java.util.Random r = new java.util.Random(3);
      for (float[] row : z) {
        for (int j = 0; j < row.length; j++) {
          row[j] = (float) r.nextGaussian();
        }
      }
      float[][] prior = model.decodePriorDraws(z);
      assertArrayEquals(prior[0], model.decodePriorDraws(new float[][] {z[0]})[0], 1e-5f, "batch 1 vs 5: other kernels");
      double fromMoving = 0;
      float[][] moving = model.decode(z);
      for (int k = 0; k < moving[0].length; k++) {
        fromMoving = Math.max(fromMoving, Math.abs(moving[0][k] - prior[0][k]));
      }
      assertTrue(fromMoving > 1e-3, "decode_prior vs decode: " + fromMoving);
    }
  }

  @Test
  void export_from_model_rewrites_the_same_weights_with_todays_graph() throws Exception {
    Path from = root.resolve("legacy");
    ModelExporter.export(run, from, null);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Path again = root.resolve("again");
    int code = ExportCommand.run(new String[] {"--from-model", from.toString(), "--out", again.toString()},
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
    assertEquals(0, code, err.toString());
    Map<String, Object> facts = (Map<String, Object>) Json.parse(Files.readString(again.resolve("1/assets/introvae.json")));
    assertEquals(from.resolve("1").toString(), facts.get("exported_from"));
    assertEquals(20L, facts.get("step"), "the training facts are carried over");
    float[][] images = new float[3][784];
    for (int i = 0; i < 3; i++) {
      for (int k = 0; k < 784; k++) {
        images[i][k] = ((i * 784 + k) * 37 % 101) / 100f;
      }
    }
    try (IntroVaeModel a = IntroVaeModel.load(from); IntroVaeModel b = IntroVaeModel.load(again)) {
      // The same ops, weights, batch and threads in two exports: equal on one machine; 1e-6 leaves room for
      // a runtime that plans the two graphs' kernels differently (pixels in [0, 1], float32 rounding ~6e-8).
      float[][] ra = a.reconstruct(images);
      float[][] rb = b.reconstruct(images);
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(ra[i], rb[i], 1e-6f);
      }
      assertArrayEquals(a.sample(3, 64, SampleNormalization.FIXED)[5], b.sample(3, 64, SampleNormalization.FIXED)[5],
          1e-6f, "the prior statistics are measured again on the same weights and draws");
    }
  }

  @Test
  void a_re_export_keeps_a_translation_models_latent_split() throws UserError {
    assertEquals(org.introvae.model.TranslationNetworks.Split.NONE, ModelReExport.split(Map.of("z", 32)));
    assertEquals(new org.introvae.model.TranslationNetworks.Split(8, 1f), ModelReExport.split(Map.of("class_z", 8)),
        "models exported before content_noise was written floor the content variance at 1");
    assertEquals(new org.introvae.model.TranslationNetworks.Split(8, 4f),
        ModelReExport.split(Map.of("class_z", 8, "content_noise", 4.0)));
    assertEquals(new org.introvae.model.TranslationNetworks.Split(8, 1f, 1f, true),
        ModelReExport.split(Map.of("class_z", 8, "class_modulation", true)), "a decoder that reads z_c as modulation");
    UserError e = assertThrows(UserError.class, () -> ModelReExport.split(Map.of("class_z", 8, "content_noise", -1)));
    assertEquals("content_noise in the model's facts: expected 0.01 to 100.0, not -1.0", e.getMessage());
  }

  @Test
  void export_takes_exactly_one_source() {
    for (String[] args : new String[][] {{"--out", "x"}, {"--run", run.toString(), "--from-model", "y", "--out", "x"}}) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      assertEquals(2, ExportCommand.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err)));
      assertEquals("error: give exactly one of --run or --from-model (see --help)", err.toString().strip());
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(2, ExportCommand.run(new String[] {"--from-model", root.resolve("nothing").toString(), "--out", "x"},
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err)));
    assertEquals("error: --from-model: " + root.resolve("nothing") + ": no such model folder", err.toString().strip());
  }

  @Test
  void versions_count_up_and_are_never_overwritten() throws Exception {
    Path other = root.resolve("versions");
    assertEquals(other.resolve("1"), ModelExporter.export(run, other, null));
    assertEquals(other.resolve("2"), ModelExporter.export(run, other, null));
    assertEquals(other.resolve("7"), ModelExporter.export(run, other, 7));
    UserError e = assertThrows(UserError.class, () -> ModelExporter.export(run, other, 2));
    assertTrue(e.getMessage().contains("never overwritten"), e.getMessage());
    try (Stream<Path> list = Files.list(other)) {
      assertEquals(Set.of("1", "2", "7"), list.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()),
          "no temporary folders left behind");
    }
  }

  @Test
  void export_command_reports_mistakes_in_one_line() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = ExportCommand.run(new String[] {"--run", root.resolve("nowhere").toString(), "--out", root.resolve("m").toString()},
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
    assertEquals(2, code);
    assertEquals("error: " + root.resolve("nowhere") + ": not a run folder (params.json is missing)", err.toString().strip());
  }

  @Test
  void truncation_is_refused_for_networks_without_a_style_and_outside_0_to_1() {
    for (String[] c : new String[][] {{"0.7", "error: --truncation: only the style-based networks (--architecture style)"
        + " map z to a style; this model's networks are residual"},
        {"1.5", "error: --truncation: '1.5' must be a number from 0 to 1 (1: no truncation)"}}) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code = ExportCommand.run(new String[] {"--run", run.toString(), "--out", root.resolve("truncated").toString(),
          "--truncation", c[0]}, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
      assertEquals(2, code);
      assertEquals(c[1], err.toString().strip());
    }
    assertFalse(Files.exists(root.resolve("truncated/1")), "nothing is written");
  }

  @Test
  void exporting_into_a_read_only_model_folder_is_a_one_line_error_naming_it() throws Exception {
    Path models = root.resolve("readonly-models");
    try (org.introvae.testing.SmallDisk disk = org.introvae.testing.SmallDisk.readOnly(models)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code = ExportCommand.run(new String[] {"--run", run.toString(), "--out", models.toString()},
          new PrintStream(out), new PrintStream(err));
      assertEquals(1, code);
      String error = err.toString().trim();
      assertEquals(1, error.lines().count(), error);
      assertEquals("error: " + models + ": could not write into the model folder (the file system is read-only)", error);
    }
  }
}
