package org.introvae.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.introvae.data.DataException;
import org.introvae.data.Datasets;
import org.introvae.data.ImageFolderReader;
import org.introvae.data.ImageSet;
import org.introvae.data.Split;
import org.introvae.serving.IntroVaeModel;
import org.introvae.train.TrainConfig;

/** FD-FMNIST-classifier of a model's samples against real images, as Evaluate and Export --eval report it. */
public final class SampleQuality {
  private SampleQuality() {}

  /** The classifier shipped in models/ (retrain with tools/train-classifier.sh). */
  public static final Path SHIPPED_CLASSIFIER = Path.of("models/fmnist-classifier");
  static final int SAMPLES = 10_000;

  /**
   * The Fréchet distance between {@value #SAMPLES} samples and up to {@code realImages} images of
   * {@code data}, or null when there is no classifier folder or it takes other images than the model makes.
   */
  public static Map<String, Object> measure(IntroVaeModel model, ImageSet data, Path classifier, int realImages)
      throws IOException {
    if (!Files.isDirectory(classifier)) {
      return null;
    }
    int size = model.info().imageSize();
    int channels = model.info().imageChannels();
    try (FeatureExtractor features = new FeatureExtractor(classifier)) {
      if (!features.accepts(size, channels)) {
        return null;
      }
      float[][] real = spread(data, realImages);
      return new Evaluation(model, 1, 1).frechet(features, real, SAMPLES);
    }
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
