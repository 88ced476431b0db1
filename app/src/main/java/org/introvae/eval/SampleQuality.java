package org.introvae.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.introvae.data.DataException;
import org.introvae.data.Datasets;
import org.introvae.data.ImageFolderReader;
import org.introvae.data.ImageSet;
import org.introvae.data.Split;
import org.introvae.serving.IntroVaeModel;
import org.introvae.serving.SampleNormalization;
import org.introvae.train.TrainConfig;

/** FD-FMNIST-classifier of a model's samples against real images, as Evaluate and Export --eval report it. */
public final class SampleQuality {
  private SampleQuality() {}

  /** The classifier shipped in models/ (retrain with tools/train-classifier.sh). */
  public static final Path SHIPPED_CLASSIFIER = Path.of("models/fmnist-classifier");
  static final int SAMPLES = 10_000;

  /** The metrics key of the FD of samples decoded with {@code normalization}. */
  public static String key(SampleNormalization normalization) {
    return normalization == SampleNormalization.FIXED ? "sample_quality"
        : "sample_quality_" + normalization.name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * The Fréchet distances between {@value #SAMPLES} samples and up to {@code realImages} images of
   * {@code data}, under {@link #key} for each sample normalisation the model offers; null when there is
   * no classifier folder or it takes other images than the model makes.
   */
  public static Map<String, Map<String, Object>> measure(IntroVaeModel model, ImageSet data, Path classifier,
      int realImages) throws IOException {
    if (!Files.isDirectory(classifier)) {
      return null;
    }
    int size = model.info().imageSize();
    int channels = model.info().imageChannels();
    try (FeatureExtractor features = new FeatureExtractor(classifier)) {
      if (!features.accepts(size, channels)) {
        return null;
      }
      return measure(new Evaluation(model, 1, 1), features, spread(data, realImages));
    }
  }

  /** As above, with the classifier open and the real images read. */
  static Map<String, Map<String, Object>> measure(Evaluation evaluation, FeatureExtractor features, float[][] real) {
    double[][] realFeatures = features.of(real);
    Map<String, Map<String, Object>> all = new LinkedHashMap<>();
    for (SampleNormalization n : SampleNormalization.values()) {
      if (evaluation.model().samples(n)) {
        all.put(key(n), evaluation.frechet(features, realFeatures, real.length, SAMPLES, n));
      }
    }
    return all;
  }

  /** The images a run held out of training (its data split again with its seed), at the model's size. */
  public static ImageSet runHeldOut(TrainConfig run, int size, int channels) throws DataException {
    return new Split(open(run.data().file(), size, channels), run.data().heldOut(), run.schedule().seed()).heldOutSet();
  }

  static ImageSet open(Path path, int size, int channels) throws DataException {
    return Datasets.open(path, new ImageFolderReader.Options(size, channels, true));
  }

  /** Up to {@code limit} images spread evenly over the set (files sorted by class, e.g. MNIST's, stay balanced). */
  static float[][] spread(ImageSet set, int limit) {
    int n = Math.min(limit, set.count());
    float[][] out = new float[n][set.imageBytes()];
    for (int i = 0; i < n; i++) {
      set.copyTo((int) ((long) i * set.count() / n), out[i], 0);
    }
    return out;
  }
}
