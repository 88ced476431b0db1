package org.introvae.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The generative models shipped in models/ load, sample in [0, 1] and carry their measured figures. */
class ShippedModelsTest {
  @Test
  void each_shipped_model_samples_and_records_its_held_out_figures() {
    for (String[] m : new String[][] {{"models/fashion-mnist", "FD-FMNIST-classifier"},
        {"models/mnist-digits", "FD-MNIST-classifier"}}) {
      try (IntroVaeModel model = IntroVaeModel.load(Path.of(m[0]))) {
        float[][] samples = model.sample(1, 2);
        assertEquals(2, samples.length);
        assertEquals(28 * 28, samples[0].length, m[0]);
        for (float v : samples[1]) {
          assertTrue(v >= 0 && v <= 1, m[0] + ": pixel " + v);
        }
        Map<String, Object> facts = model.info().facts();
        assertTrue(facts.get("held_out_metrics") instanceof Map, m[0]);
        assertEquals(m[1], ((Map<?, ?>) facts.get("sample_quality")).get("name"), m[0]);
        assertEquals(Signatures.SAMPLE, ((Map<?, ?>) facts.get("sample_quality")).get("signature"), m[0]);
      }
    }
  }
}
