package org.introvae.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.introvae.model.IntroVaeObjective;
import org.introvae.model.Objective;
import org.introvae.model.Preset;
import org.introvae.model.SoftIntroVaeObjective;
import org.introvae.model.UpdateOrder;
import org.introvae.model.VaeObjective;
import org.junit.jupiter.api.Test;

class TrainOptionsTest {
  private static String error(String... args) {
    return assertThrows(UserError.class, () -> TrainOptions.parse(args)).getMessage();
  }

  private static Objective objective(String... args) throws UserError {
    return TrainOptions.parse(args).config().objective().build();
  }

  @Test
  void defaults_come_from_the_default_preset() throws Exception {
    TrainConfig c = TrainOptions.parse().config();
    assertEquals(Preset.DEFAULT.label(), c.network().preset());
    assertEquals(Preset.DEFAULT.weights(), objective());
    assertEquals(Preset.DEFAULT.config(), c.network().forChannels(1));
    assertEquals(TrainOptions.DEFAULT_DATA, c.data().source());
  }

  @Test
  void every_preset_value_can_be_overridden() throws Exception {
    String[] args = {"--preset", "32", "--widths", "8,16", "--z", "5", "--alpha=0", "--beta", "2",
        "--margin", "7", "--batch", "3", "--image-size", "16"};
    TrainConfig c = TrainOptions.parse(args).config();
    assertEquals("8,16", c.network().forChannels(3).widthsText());
    assertEquals(5, c.network().z());
    assertEquals(16, c.network().imageSize());
    assertEquals(new IntroVaeObjective(0f, 2f, 7f), objective(args));
    assertEquals(3, c.schedule().batch());
  }

  @Test
  void options_and_params_json_give_back_the_same_records() throws Exception {
    TrainConfig c = TrainOptions.parse("--objective", "soft", "--preset", "28", "--lr", "1e-3", "--gamma-r", "1e-8",
        "--channels", "3", "--held-out", "0.25", "--no-resize", "--seed", "-7", "--log-every", "3", "--device", "gpu:1",
        "--replicas", "2", "--keep-checkpoints", "2", "--average-last", "1").config();  // what runs before format 6 did
    assertEquals(c, TrainOptions.fromStored(TrainOptions.optionsOf(c)).config());
    RunParams p = new RunParams(RunParams.FORMAT, "r", c, c.network().forChannels(3),
        new RunParams.DataFacts("x.gz", 10, 8, 2, 1));
    String json = p.toJson();
    assertTrue(json.contains("\"updates\" : \"alternating\""), json);
    assertTrue(json.contains("\"beta-neg\" : 256.0"), json);
    RunParams back = RunParams.fromJson(json);
    assertEquals(c, back.config());
    assertEquals(p.model(), back.model());
    assertEquals(p.data(), back.data());
    // A format-6 params.json from before --epochs-per-level: no network grew.
    assertTrue(json.contains("\"epochs-per-level\" : 0"), json);
    assertTrue(json.contains("\"progressive\" : false"), json);
    String format6 = json.replaceAll(",\\s*\"(epochs-per-level|progressive)\" : \\w+", "")
        .replace("\"format\" : 7", "\"format\" : 6");
    assertEquals(c, RunParams.fromJson(format6).config(), format6);
    assertEquals(p.model(), RunParams.fromJson(format6).model(), format6);
    // A format-5 params.json from before --keep-checkpoints and --average-last: two kept, the last step's weights.
    assertTrue(json.contains("\"keep-checkpoints\" : 2"), json);
    assertTrue(json.contains("\"average-last\" : 1"), json);
    String format5 = format6.replaceAll(",\\s*\"(keep-checkpoints|average-last)\" : \\d+", "")
        .replace("\"format\" : 6", "\"format\" : 5");
    assertEquals(c, RunParams.fromJson(format5).config(), format5);
    // A format-4 params.json from before --style-mixing: no run mixed styles.
    assertTrue(json.contains("\"style-mixing\" : 0.0"), json);
    String format4 = format5.replaceAll(",\\s*\"style-mixing\" : 0.0", "").replace("\"format\" : 5", "\"format\" : 4");
    assertEquals(c, RunParams.fromJson(format4).config(), format4);
    // A format-3 params.json from before --architecture: the residual networks, the only ones then.
    String format3 = format4.replaceAll(",\\s*\"architecture\" : \"residual\"", "")
        .replace("\"format\" : 4", "\"format\" : 3");
    assertTrue(json.contains("\"architecture\" : \"residual\""), json);
    assertEquals(c, RunParams.fromJson(format3).config(), format3);
    assertEquals(p.model(), RunParams.fromJson(format3).model());
    // A format-2 params.json from before --device and --replicas: one replica on the CPU.
    String older = format3.replaceAll("(?m)^.*\"(device|replicas)\" : .*\\R", "").replace("\"threads\" : 0,", "\"threads\" : 0")
        .replace("\"format\" : 3", "\"format\" : 2");
    TrainConfig.Schedule s = RunParams.fromJson(older).config().schedule();
    assertEquals("cpu", s.device(), older);
    assertEquals(1, s.replicas());
  }

  @Test
  void a_params_json_from_before_typed_records_reads_into_the_same_records() throws Exception {
    // The flat string map runs wrote until format 2 (abridged from a real run's params.json).
    String flat = """
        {"data": "train.gz", "preset": "28", "widths": "64,128", "z": "32", "objective": "introvae",
         "alpha": "0.25", "beta": "4.0", "margin": "40.0", "lr": "1e-3", "batch": "128", "epochs": "3",
         "seed": "1", "threads": "1", "run": "e3", "held-out": "0.002", "model_image_size": 28,
         "model_image_channels": 1, "model_widths": "64,128", "model_z": 32, "data_source": "train.gz",
         "data_images": 60000, "data_train_images": 59880, "data_held_out_images": 120}""";
    RunParams p = RunParams.fromJson(flat);
    assertEquals(new IntroVaeObjective(0.25f, 4f, 40f), p.config().objective().build());
    assertEquals(UpdateOrder.SIMULTANEOUS, p.config().objective().updates(), "runs from before --updates");
    assertEquals(1e-3f, p.config().schedule().lr());
    assertEquals(128, p.config().schedule().batch());
    assertEquals("64,128", p.model().widthsText());
    assertEquals(59880, p.data().trainImages());
    assertEquals("e3", p.run());
  }

  @Test
  void mistakes_get_one_line_errors_naming_the_option() {
    assertEquals("unknown option --alhpa (see --help)", error("--alhpa", "1"));
    assertEquals("--alpha: 'abc' is not a number", error("--alpha", "abc"));
    assertEquals("--beta: must be > 0, not 0", error("--beta", "0"));
    assertEquals("--batch: must be at least 1, not 0", error("--batch", "0"));
    assertEquals("--steps needs a value (N)", error("--steps"));
    assertEquals("--resume needs --run NAME (the run to continue)", error("--resume"));
    assertTrue(error("--preset", "48").contains("unknown preset '48'"));
    assertEquals("--widths: '64,x' must be whole numbers from 1 to 8192 separated by commas", error("--widths", "64,x"));
    assertTrue(error("--image-size", "30", "--widths", "8,16").contains("not divisible"));
    assertTrue(error("stray").startsWith("unexpected argument 'stray'"));
    assertEquals("--channels: '2' must be auto, 1 or 3", error("--channels", "2"));
    assertEquals("--lr needs a value (RATE)", error("--lr", "--steps", "2"));
    assertEquals("--image-size: must be from 4 to 4096, not 100000", error("--image-size", "100000"));
    assertEquals("--updates: 'sideways' is not alternating or simultaneous", error("--updates", "sideways"));
    assertEquals("--replicas: a batch of 64 does not split into 3 equal shards", error("--replicas", "3"));
    assertEquals("--replicas: must be at least 1, not 0", error("--replicas", "0"));
    assertEquals("--device: 'tpu:0' is not cpu, gpu or gpu:N", error("--device", "tpu:0"));
    assertEquals("--task needs --cluster (the tasks it is one of)", error("--task", "1"));
    assertEquals("--cluster/--task: 'ps=a:1' must read worker=host:port,host:port,…", error("--cluster", "ps=a:1"));
    assertEquals("--cluster/--task: task 2 is not one of the 2 workers (0…1)",
        error("--cluster", "worker=a:1,b:2", "--task", "2"));
    assertEquals("--replicas: with --cluster each of the 2 workers runs one replica; leave --replicas out",
        error("--cluster", "worker=a:1,b:2", "--replicas", "4"));
    assertEquals("--batch/--cluster: a batch of 64 does not split into 3 equal shards, one per worker",
        error("--cluster", "worker=a:1,b:2,c:3"));
  }

  @Test
  void style_mixing_is_the_authors_for_the_style_networks_and_a_probability() throws Exception {
    assertEquals(0f, TrainOptions.parse().config().network().styleMixing(), "the residual networks have no styles");
    TrainConfig style = TrainOptions.parse("--architecture", "style").config();
    assertEquals(0.9f, style.network().styleMixing(), "the official STYLE_MIXING_PROB");
    assertEquals(style, TrainOptions.fromStored(TrainOptions.optionsOf(style)).config());
    assertEquals(0.5f, TrainOptions.parse("--architecture", "style", "--style-mixing", "0.5").config().network()
        .styleMixing());
    assertEquals(0f, TrainOptions.parse("--style-mixing", "0").config().network().styleMixing());
    assertEquals("--style-mixing: must be a probability in [0, 1], not 1.5",
        error("--architecture", "style", "--style-mixing", "1.5"));
    assertEquals("--style-mixing: 'NaN' is not a number", error("--architecture", "style", "--style-mixing", "NaN"));
    assertEquals("--style-mixing: the residual networks have no styles to mix (--architecture style has)",
        error("--style-mixing", "0.9"));
  }

  @Test
  void a_cluster_sets_one_replica_per_worker() throws UserError {
    TrainOptions o = TrainOptions.parse("--cluster", "worker=a:1,b:2", "--task", "1");
    assertEquals(2, o.config().schedule().replicas());
    assertEquals(1, o.clusterTask().orElseThrow().task());
    assertTrue(TrainOptions.parse().clusterTask().isEmpty());
  }

  @Test
  void help_lists_every_option_with_its_default() {
    String help = TrainOptions.helpText();
    for (String option : new String[] {"--data", "--preset", "--alpha", "--beta", "--margin", "--lr", "--batch",
        "--epochs", "--steps", "--vae-epochs", "--seed", "--run", "--resume", "--widths", "--z"}) {
      assertTrue(help.contains(option), option);
    }
    assertTrue(help.contains("[default: " + Preset.DEFAULT.weights().β() + "]"));
  }

  @Test
  void a_resumed_run_keeps_its_hyper_parameters() throws Exception {
    TrainConfig stored = TrainOptions.parse("--run", "r", "--alpha", "0.5").config();
    TrainConfig resumed = TrainOptions.parse("--run", "r", "--resume", "--steps", "50").resumedFrom(stored).config();
    assertEquals(0.5f, ((IntroVaeObjective) resumed.objective().build()).α());
    assertEquals(50, resumed.schedule().steps());
    assertEquals(stored, TrainOptions.parse("--run", "r", "--resume", "--alpha", "0.50").resumedFrom(stored).config(),
        "the same value written differently is no change");
    UserError e = assertThrows(UserError.class,
        () -> TrainOptions.parse("--run", "r", "--resume", "--alpha", "0.1").resumedFrom(stored));
    assertTrue(e.getMessage().contains("--alpha 0.1 differs"), e.getMessage());
  }

  @Test
  void the_objective_picks_its_weights_and_batch() throws Exception {
    assertEquals(new SoftIntroVaeObjective(1f, 1f, 256f, 1e-8f), objective("--objective", "soft", "--preset", "28"));
    assertEquals(new SoftIntroVaeObjective(1f, 1f, 128f, 1e-8f), objective("--objective", "soft"),
        "the short default run halves the authors' β_neg");
    assertEquals(128, TrainOptions.parse("--objective", "soft", "--preset", "28").config().schedule().batch());
    assertEquals(32, TrainOptions.parse("--objective", "soft", "--preset", "32").config().schedule().batch());
    assertEquals(64, TrainOptions.parse("--preset", "32").config().schedule().batch());
    assertEquals(new SoftIntroVaeObjective(.5f, 2f, 100f, 0f),
        objective("--objective", "soft", "--beta-kl", ".5", "--beta-rec", "2", "--beta-neg", "100", "--gamma-r", "0"));
    assertEquals(new VaeObjective(3f), objective("--objective", "vae", "--beta", "3"));
    assertEquals("--objective: 'gan' is not one of introvae, soft, vae", error("--objective", "gan"));
    assertEquals("--beta-neg: must be > 0, not 0", error("--objective", "soft", "--beta-neg", "0"));
  }

  @Test
  void soft_intro_vae_skips_the_vae_warm_up_unless_asked() throws Exception {
    assertEquals(0, TrainOptions.parse("--objective", "soft").config().schedule().vaeEpochs());
    assertEquals(0, TrainOptions.parse("--objective", "soft", "--preset", "32").config().schedule().vaeEpochs());
    assertEquals(2, TrainOptions.parse("--objective", "soft", "--vae-epochs", "2").config().schedule().vaeEpochs());
    assertEquals(1, TrainOptions.parse().config().schedule().vaeEpochs());
    assertEquals(1, TrainOptions.parse("--objective", "vae", "--preset", "28").config().schedule().vaeEpochs());
  }
}
