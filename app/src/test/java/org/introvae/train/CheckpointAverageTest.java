package org.introvae.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.introvae.export.ModelExporter;
import org.introvae.model.InferenceGraph;
import org.introvae.model.ModelConfig;
import org.introvae.serving.IntroVaeModel;
import org.introvae.testing.TrainCli;
import org.introvae.testing.TrainCli.Outcome;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * Train --average-last and `introvae average`: the mean of a run's newest checkpoints, variable by
 * variable, exported and sampled like any run.
 */
class CheckpointAverageTest {
  @TempDir
  static Path root;
  static Path run;

  @BeforeAll
  static void train() {
    Outcome o = TrainCli.train(List.of("--runs", root.resolve("runs").toString(), "--run", "r", "--widths", "8,16",
        "--z", "8", "--batch", "16", "--steps", "20", "--vae-epochs", "0", "--checkpoint-every", "5",
        "--average-last", "3", "--image-every", "100000", "--threads", "1"));
    assertEquals(0, o.code(), o.err());
    run = root.resolve("runs/r");
  }

  @Test
  void training_keeps_the_checkpoints_it_averages_and_pictures_both_models() throws Exception {
    assertEquals(List.of("step-00000010", "step-00000015", "step-00000020"),
        new RunFolder(run).checkpoints().stepFolders().stream().map(p -> p.getFileName().toString()).toList());
    assertTrue(Files.isRegularFile(run.resolve("images/final.png")));
    assertTrue(Files.isRegularFile(run.resolve("images/final-last-step.png")));
    assertEquals(20, new RunFolder(run.resolve("average")).checkpoints().latest().orElseThrow().step());
  }

  @Test
  void by_default_the_quick_run_averages_its_last_three_checkpoints_100_steps_apart() throws UserError {
    TrainConfig.Logging defaults = TrainOptions.parse().config().logging();
    assertEquals(List.of(3, 3, 100), List.of(defaults.averageLast(), defaults.keepCheckpoints(), defaults.checkpointEvery()));
    TrainConfig.Logging longer = TrainOptions.parse("--preset", "28").config().logging();
    assertEquals(List.of(3, 3, 200), List.of(longer.averageLast(), longer.keepCheckpoints(), longer.checkpointEvery()));
  }

  @Test
  void keeping_fewer_checkpoints_than_are_averaged_is_an_error() {
    UserError e = org.junit.jupiter.api.Assertions.assertThrows(UserError.class,
        () -> TrainOptions.parse("--keep-checkpoints", "2", "--average-last", "3"));
    assertEquals("--keep-checkpoints 2 keeps fewer checkpoints than --average-last 3 averages", e.getMessage());
  }

  @Test
  void the_average_is_the_mean_of_every_variable_and_exports() throws Exception {
    Path out = root.resolve("runs/averaged");
    String[] result = average("--run", run.toString(), "--out", out.toString());
    assertEquals("0", result[0], result[2]);
    assertTrue(result[1].contains("averaged 3 checkpoints (steps 10, 15, 20)"), result[1]);

    ModelConfig config = new RunFolder(run).readParams().model();
    List<Map<String, float[]>> sources = new ArrayList<>();
    for (Path step : new RunFolder(run).checkpoints().stepFolders()) {
      sources.add(variables(config, step));
    }
    Checkpoints.Saved saved = new RunFolder(out).checkpoints().latest().orElseThrow();
    assertEquals(20, saved.step());
    Map<String, float[]> averaged = variables(config, saved.dir());
    // Train's own average, made in the training session over the same three checkpoints, holds the same values.
    Map<String, float[]> trained = variables(config, new RunFolder(run.resolve("average")).checkpoints().latest()
        .orElseThrow().dir());
    for (String name : averaged.keySet()) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(averaged.get(name), trained.get(name), name);
    }
    assertEquals(sources.get(0).keySet(), averaged.keySet());
    boolean differ = false;
    for (String name : averaged.keySet()) {
      float[] a = sources.get(0).get(name);
      float[] b = sources.get(1).get(name);
      float[] c = sources.get(2).get(name);
      for (int k = 0; k < a.length; k++) {
        // The mean of three floats rounded once to float: within half an ulp of the exact mean, so one ulp of slack.
        double exact = ((double) a[k] + b[k] + c[k]) / 3;
        assertEquals(exact, averaged.get(name)[k], Math.ulp((float) exact), name + "[" + k + "]");
        differ |= a[k] != c[k];
      }
    }
    assertTrue(differ, "the checkpoints averaged should differ: 10 steps of training lie between them");
    assertTrue(averaged.containsKey("decoder.res1.bn1.moving_mean"), "BN moving statistics are averaged too: "
        + averaged.keySet());

    Path model = ModelExporter.export(out, root.resolve("models/averaged"), null);
    String facts = Files.readString(model.resolve("assets/introvae.json"));
    assertTrue(facts.replaceAll("\\s", "").contains("\"averaged_steps\":[10,15,20]"), facts);
    // Exporting the training run exports its model, the average Train made, not the last step's weights.
    Path trainedModel = ModelExporter.export(run, root.resolve("models/trained"), null);
    assertTrue(Files.readString(trainedModel.resolve("assets/introvae.json")).contains("\"averaged_steps\""));
    try (IntroVaeModel loaded = IntroVaeModel.load(model)) {
      float[][] samples = loaded.sample(1L, 4);
      assertEquals(4, samples.length);
      assertEquals(28 * 28, samples[0].length);
    }
  }

  @Test
  void bad_requests_are_one_line_errors_and_leave_no_folder() throws Exception {
    Path out = root.resolve("runs/bad");
    String[] one = average("--run", run.toString(), "--out", out.toString(),
        run.resolve("checkpoints/step-00000020").toString());
    assertEquals("2", one[0]);
    assertEquals("error: give at least two checkpoints to average (found 1)", one[2].strip());
    String[] notCheckpoint = average("--run", run.toString(), "--out", out.toString(), run.toString(), run.toString());
    assertEquals("2", notCheckpoint[0]);
    assertTrue(notCheckpoint[2].startsWith("error: " + run + ": not an intact checkpoint"), notCheckpoint[2]);
    String[] exists = average("--run", run.toString(), "--out", run.toString());
    assertEquals("2", exists[0]);
    assertTrue(exists[2].contains("already exists"), exists[2]);
    assertFalse(Files.exists(out));
  }

  /** Exit code, standard output and standard error of `introvae average`. */
  private static String[] average(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = AverageCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new String[] {String.valueOf(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
  }

  /** Every variable of the inference networks, by name, as restored from {@code checkpoint}. */
  private static Map<String, float[]> variables(ModelConfig config, Path checkpoint) {
    try (InferenceGraph g = new InferenceGraph(config); Session session = new Session(g.graph)) {
      session.restore(checkpoint.resolve("model").toString());
      List<String> names = new ArrayList<>();
      for (Iterator<GraphOperation> it = g.graph.operations(); it.hasNext(); ) {
        GraphOperation op = it.next();
        if (op.type().equals("VariableV2")) {
          names.add(op.name());
        }
      }
      Session.Runner runner = session.runner();
      names.forEach(runner::fetch);
      Map<String, float[]> values = new LinkedHashMap<>();
      try (Result r = runner.run()) {
        for (int i = 0; i < names.size(); i++) {
          TFloat32 t = (TFloat32) r.get(i);
          float[] v = new float[(int) t.shape().size()];
          t.asRawTensor().data().asFloats().read(v);
          values.put(names.get(i), v);
        }
      }
      return values;
    }
  }
}
