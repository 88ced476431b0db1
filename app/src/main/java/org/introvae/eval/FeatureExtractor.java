package org.introvae.eval;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.introvae.serving.IntroVaeModel;
import org.introvae.serving.Json;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** The shipped classifier: its penultimate-layer features (for the Fréchet distance) and its predicted classes. */
public final class FeatureExtractor implements AutoCloseable {
  private final SavedModelBundle bundle;
  private final SessionFunction features;
  private final int size;
  private final int channels;
  private final Map<String, Object> facts;
  private final String fdName;

  @SuppressWarnings("unchecked")
  public FeatureExtractor(Path modelDir) throws java.io.IOException {
    fdName = fdName(modelDir);
    Path version = IntroVaeModel.versions(modelDir).isEmpty() ? modelDir
        : modelDir.resolve(String.valueOf(IntroVaeModel.versions(modelDir).get(IntroVaeModel.versions(modelDir).size() - 1)));
    facts = (Map<String, Object>) Json.parse(Files.readString(version.resolve("assets/classifier.json")));
    size = ((Number) facts.get("image_size")).intValue();
    channels = ((Number) facts.get("image_channels")).intValue();
    bundle = SavedModelBundle.load(version.toString(), SavedModelBundle.DEFAULT_TAG);
    features = bundle.function("features");
  }

  /**
   * What a Fréchet distance in this classifier's features is called: "FD-" and the folder's name with
   * its data set in capitals (models/fmnist-classifier: FD-FMNIST-classifier), never "FID".
   */
  static String fdName(Path modelDir) {
    String folder = modelDir.toAbsolutePath().normalize().getFileName().toString();
    int dash = folder.indexOf('-');
    return "FD-" + (dash > 0 ? folder.substring(0, dash).toUpperCase(java.util.Locale.ROOT) + folder.substring(dash) : folder);
  }

  public String fdName() {
    return fdName;
  }

  /** The classifier's most probable class of each image. */
  public int[] classes(float[][] images) {
    float[][] p = outputs(bundle.function("classify"), "probabilities", images);
    int[] out = new int[p.length];
    for (int i = 0; i < p.length; i++) {
      for (int c = 1; c < p[i].length; c++) {
        out[i] = p[i][c] > p[i][out[i]] ? c : out[i];
      }
    }
    return out;
  }

  public boolean accepts(int imageSize, int imageChannels) {
    return imageSize == size && imageChannels == channels;
  }

  public Map<String, Object> facts() {
    return facts;
  }

  public double[][] of(float[][] images) {
    float[][] f = outputs(features, "features", images);
    double[][] out = new double[f.length][];
    for (int i = 0; i < f.length; i++) {
      out[i] = new double[f[i].length];
      for (int k = 0; k < f[i].length; k++) {
        out[i][k] = f[i][k];
      }
    }
    return out;
  }

  /** One output of {@code function} per image, in batches of 500. */
  private float[][] outputs(SessionFunction function, String output, float[][] images) {
    float[][] out = new float[images.length][];
    int per = size * size * channels;
    for (int start = 0; start < images.length; start += 500) {
      int n = Math.min(500, images.length - start);
      float[] flat = new float[n * per];
      for (int i = 0; i < n; i++) {
        System.arraycopy(images[start + i], 0, flat, i * per, per);
      }
      try (TFloat32 x = TFloat32.tensorOf(Shape.of(n, size, size, channels), DataBuffers.of(flat, true, false));
          Result r = function.call(Map.of("images", x))) {
        TFloat32 t = (TFloat32) r.get(output).orElseThrow();
        int d = (int) t.shape().get(1);
        float[] values = new float[n * d];
        t.copyTo(DataBuffers.of(values, false, false));
        for (int i = 0; i < n; i++) {
          out[start + i] = java.util.Arrays.copyOfRange(values, i * d, (i + 1) * d);
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    bundle.close();
  }
}
