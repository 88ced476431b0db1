package org.introvae.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.introvae.data.IdxReader;
import org.introvae.data.ImageSet;
import org.junit.jupiter.api.Test;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** The classifier shipped in models/ reaches ≥ 90 % on the bundled Fashion-MNIST test split, and its features behave. */
class ShippedClassifierTest {
  static final Path CLASSIFIER = Path.of("models/fmnist-classifier");

  @Test
  void reaches_ninety_percent_on_the_test_split() throws Exception {
    ImageSet test = IdxReader.read(Path.of("data/fashion-mnist/t10k-images-idx3-ubyte.gz"));
    int[] labels = IdxReader.readLabels(Path.of("data/fashion-mnist/t10k-labels-idx1-ubyte.gz"));
    int correct = 0;
    try (SavedModelBundle model = SavedModelBundle.load(CLASSIFIER.resolve("1").toString(), "serve")) {
      var classify = model.function("classify");
      for (int start = 0; start < test.count(); start += 1000) {
        float[] px = new float[1000 * 784];
        for (int i = 0; i < 1000; i++) {
          test.copyTo(start + i, px, i * 784);
        }
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(1000, 28, 28, 1), DataBuffers.of(px, true, false));
            Result r = classify.call(java.util.Map.of("images", x))) {
          TFloat32 p = (TFloat32) r.get("probabilities").orElseThrow();
          for (int i = 0; i < 1000; i++) {
            int best = 0;
            for (int k = 1; k < 10; k++) {
              best = p.getFloat(i, k) > p.getFloat(i, best) ? k : best;
            }
            correct += best == labels[start + i] ? 1 : 0;
          }
        }
      }
    }
    assertTrue(correct >= 9000, "test accuracy " + correct / 100.0 + " %");
  }

  @Test
  void features_give_a_small_distance_between_halves_of_real_data_and_a_large_one_to_noise() throws Exception {
    ImageSet test = IdxReader.read(Path.of("data/fashion-mnist/t10k-images-idx3-ubyte.gz"));
    float[][] a = new float[2000][784];
    float[][] b = new float[2000][784];
    float[][] noise = new float[2000][784];
    java.util.Random r = new java.util.Random(1);
    for (int i = 0; i < 2000; i++) {
      test.copyTo(i, a[i], 0);
      test.copyTo(5000 + i, b[i], 0);
      for (int k = 0; k < 784; k++) {
        noise[i][k] = r.nextFloat();
      }
    }
    try (FeatureExtractor features = new FeatureExtractor(CLASSIFIER)) {
      assertTrue(features.accepts(28, 1));
      assertEquals(128, features.of(new float[][] {a[0]})[0].length);
      double real = FrechetDistance.between(features.of(a), features.of(b));
      double fake = FrechetDistance.between(features.of(a), features.of(noise));
      assertTrue(fake > 20 * real, "real halves " + real + " vs noise " + fake);
    }
  }

  @Test
  void distances_are_named_after_the_classifier_that_measured_them() {
    assertEquals("FD-FMNIST-classifier", FeatureExtractor.fdName(Path.of("models/fmnist-classifier")));
    assertEquals("FD-MNIST-classifier", FeatureExtractor.fdName(Path.of("models/mnist-classifier/")));
    assertEquals("FD-classifier", FeatureExtractor.fdName(Path.of("/tmp/classifier")));
  }
}
