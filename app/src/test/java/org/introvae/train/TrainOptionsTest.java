package org.introvae.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.introvae.model.Preset;
import org.junit.jupiter.api.Test;

class TrainOptionsTest {
  private static String error(String... args) {
    return assertThrows(UserError.class, () -> TrainOptions.parse(args)).getMessage();
  }

  @Test
  void defaults_come_from_the_default_preset() throws Exception {
    TrainOptions o = TrainOptions.parse();
    assertEquals(Preset.DEFAULT, o.preset());
    assertEquals(Preset.DEFAULT.weights(), ((org.introvae.model.IntroVaeObjective) o.objective()));
    assertEquals(Preset.DEFAULT.config(), o.modelConfig(1));
    assertEquals(TrainOptions.DEFAULT_DATA, o.data().toString());
  }

  @Test
  void every_preset_value_can_be_overridden() throws Exception {
    TrainOptions o = TrainOptions.parse("--preset", "32", "--widths", "8,16", "--z", "5", "--alpha=0", "--beta", "2",
        "--margin", "7", "--batch", "3", "--image-size", "16");
    assertEquals("8,16", o.modelConfig(3).widthsText());
    assertEquals(5, o.modelConfig(3).zDim());
    assertEquals(16, o.imageSize());
    assertEquals(0f, ((org.introvae.model.IntroVaeObjective) o.objective()).α());
    assertEquals(2f, ((org.introvae.model.IntroVaeObjective) o.objective()).β());
    assertEquals(7f, ((org.introvae.model.IntroVaeObjective) o.objective()).m());
    assertEquals(3, o.batch());
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
    assertTrue(error("--widths", "64,x").startsWith("--widths:"));
    assertTrue(error("--image-size", "30", "--widths", "8,16").contains("not divisible"));
    assertTrue(error("stray").startsWith("unexpected argument 'stray'"));
    assertEquals("--channels: '2' must be auto, 1 or 3", error("--channels", "2"));
    assertEquals("--lr needs a value (RATE)", error("--lr", "--steps", "2"));
    assertEquals("--image-size: must be from 4 to 4096, not 100000", error("--image-size", "100000"));
    assertEquals("--updates: 'sideways' is not alternating or simultaneous", error("--updates", "sideways"));
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
    TrainOptions original = TrainOptions.parse("--run", "r", "--alpha", "0.5");
    var stored = new java.util.LinkedHashMap<String, String>();
    original.asParams().forEach((k, v) -> stored.put(k, String.valueOf(v)));
    TrainOptions resumed = TrainOptions.parse("--run", "r", "--resume", "--steps", "50").resumedFrom(stored);
    assertEquals(0.5f, ((org.introvae.model.IntroVaeObjective) resumed.objective()).α());
    assertEquals(50, resumed.steps());
    UserError e = assertThrows(UserError.class,
        () -> TrainOptions.parse("--run", "r", "--resume", "--alpha", "0.1").resumedFrom(stored));
    assertTrue(e.getMessage().contains("--alpha 0.1 differs"), e.getMessage());
  }

  @Test
  void the_objective_picks_its_weights_and_batch() throws Exception {
    assertEquals(new org.introvae.model.SoftIntroVaeObjective(1f, 1f, 256f, 1e-8f),
        TrainOptions.parse("--objective", "soft", "--preset", "28").objective());
    assertEquals(128, TrainOptions.parse("--objective", "soft", "--preset", "28").batch());
    assertEquals(32, TrainOptions.parse("--objective", "soft", "--preset", "32").batch());
    assertEquals(64, TrainOptions.parse("--preset", "32").batch());
    assertEquals(new org.introvae.model.SoftIntroVaeObjective(.5f, 2f, 100f, 0f),
        TrainOptions.parse("--objective", "soft", "--beta-kl", ".5", "--beta-rec", "2", "--beta-neg", "100", "--gamma-r", "0").objective());
    assertEquals(new org.introvae.model.VaeObjective(3f), TrainOptions.parse("--objective", "vae", "--beta", "3").objective());
    assertEquals("--objective: 'gan' is not one of introvae, soft, vae", error("--objective", "gan"));
    assertEquals("--beta-neg: must be > 0, not 0", error("--objective", "soft", "--beta-neg", "0"));
  }
}
