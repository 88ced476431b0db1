package org.introvae.serving;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * An exported IntroVAE, loaded for use from any JVM application. Depends on TensorFlow Java core only.
 *
 * <pre>{@code
 * try (IntroVaeModel model = IntroVaeModel.load(Path.of("models/fashion-mnist"))) {
 *   float[][] images = model.sample(42, 16);
 *   Png.write(Path.of("samples.png"), images, model.info().imageSize(), model.info().imageChannels(), 4, 2);
 * }
 * }</pre>
 *
 * Images are flat NHWC float arrays (H·W·C values in [0, 1]); latents are float[z]. Safe for
 * concurrent callers; {@link #close()} waits for calls in flight and frees the native memory.
 */
public final class IntroVaeModel implements AutoCloseable {
  /** Largest batch one call accepts. */
  public static final int MAX_BATCH = 1024;

  private final Path versionDir;
  private final long version;
  private final ModelInfo info;
  private final SignatureCalls calls;

  /** (μ, log σ²) of q(z|x), one row per image. */
  public record Encoded(float[][] mu, float[][] logvar) {}

  private IntroVaeModel(Path versionDir, SignatureCalls calls) {
    this.versionDir = versionDir;
    this.calls = calls;
    this.version = versionOf(versionDir);
    this.info = ModelInfo.read(versionDir);
    try {
      checkRuns();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(versionDir + ": the SavedModel does not run (" + firstLine(e.getMessage())
          + "); is the folder complete (saved_model.pb and variables/)?", e);
    }
  }

  /** The number a version folder is named by (0 for a folder of another name). */
  static long versionOf(Path versionDir) {
    String name = versionDir.getFileName() == null ? "" : versionDir.getFileName().toString();
    return name.matches("\\d+") ? Long.parseLong(name) : 0;
  }

  private static IntroVaeModel open(Path versionDir) {
    SignatureCalls calls = SignatureCalls.load(versionDir, Signatures.REQUIRED, Signatures.OPTIONAL);
    try {
      return new IntroVaeModel(versionDir, calls);
    } catch (RuntimeException e) {
      calls.close();
      throw e;
    }
  }

  /**
   * The IntroVAE exported in {@code versionDir}, over a bundle the caller already loaded from it and
   * keeps owning: {@link #close()} then waits for calls in flight but leaves the bundle open.
   */
  public static IntroVaeModel over(Path versionDir, SavedModelBundle bundle) {
    return new IntroVaeModel(versionDir,
        new SignatureCalls(versionDir, bundle, false, Signatures.REQUIRED, Signatures.OPTIONAL));
  }

  /**
   * A SavedModel whose variables/ folder is missing or still being copied loads without error and
   * fails on its first call ("uninitialized value"): decode one latent at load time instead.
   */
  private void checkRuns() {
    if (!Files.isRegularFile(versionDir.resolve("variables").resolve("variables.index"))) {
      throw new IllegalStateException("variables/variables.index is missing");
    }
    decode(new float[1][info.zDim()]);
  }

  static String firstLine(String message) {
    if (message == null) {
      return "no message";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /** Loads a version folder, or the highest numeric version inside a model folder. */
  public static IntroVaeModel load(Path path) {
    return open(resolveVersion(path));
  }

  /** The version folder {@link #load} would use. */
  public static Path resolveVersion(Path path) {
    if (!Files.isDirectory(path)) {
      throw new IllegalArgumentException(path + ": no such model folder");
    }
    if (Files.isRegularFile(path.resolve("saved_model.pb"))) {
      return path;
    }
    List<Long> versions = versions(path);
    if (versions.isEmpty()) {
      throw new IllegalArgumentException(path + ": not a SavedModel (no saved_model.pb) and no numeric version folders inside");
    }
    return path.resolve(String.valueOf(versions.get(versions.size() - 1)));
  }

  /** Numeric version folders holding a saved_model.pb, ascending. */
  public static List<Long> versions(Path modelDir) {
    try (Stream<Path> list = Files.list(modelDir)) {
      return list.filter(p -> p.getFileName().toString().matches("\\d{1,18}"))
          .filter(p -> Files.isRegularFile(p.resolve("saved_model.pb")))
          .map(p -> Long.parseLong(p.getFileName().toString())).sorted().toList();
    } catch (java.io.IOException e) {
      return List.of();
    }
  }

  public ModelInfo info() {
    return info;
  }

  public long version() {
    return version;
  }

  public Path folder() {
    return versionDir;
  }

  /** The SavedModel's signature definitions, for metadata. */
  public Map<String, org.tensorflow.proto.SignatureDef> signatureDefs() {
    return calls.bundle().metaGraphDef().getSignatureDefMap();
  }

  public Encoded encode(float[][] images) {
    Map<String, float[][]> out = run(Signatures.ENCODE, Map.of(Signatures.IMAGES, imagesTensor(images)));
    return new Encoded(out.get(Signatures.MU), out.get(Signatures.LOGVAR));
  }

  /** D(μ(x)) per image. */
  public float[][] reconstruct(float[][] images) {
    return run(Signatures.RECONSTRUCT, Map.of(Signatures.IMAGES, imagesTensor(images))).get(Signatures.RECONSTRUCTIONS);
  }

  public float[][] decode(float[][] z) {
    return run(Signatures.DECODE, Map.of(Signatures.Z, latentTensor(z))).get(Signatures.IMAGES);
  }

  /**
   * D(z) for draws of z ~ N(0, I) (or points between them), with the statistics {@link #sample} uses;
   * models exported before those existed decode as {@link #decode}.
   */
  public float[][] decodePriorDraws(float[][] z) {
    String signature = calls.has(Signatures.DECODE_PRIOR) ? Signatures.DECODE_PRIOR : Signatures.DECODE;
    return run(signature, Map.of(Signatures.Z, latentTensor(z))).get(Signatures.IMAGES);
  }

  /** {@code count} images from z ~ N(0, I); the same seed gives the same images. */
  public float[][] sample(long seed, int count) {
    return sample(seed, count, SampleNormalization.FIXED);
  }

  /**
   * {@code count} images from z ~ N(0, I), batch normalisation as {@code normalization} says; the same
   * seed and count give the same images. With {@link SampleNormalization#BATCH_STATISTICS} each image
   * depends on the whole batch (use a few dozen or more).
   */
  public float[][] sample(long seed, int count, SampleNormalization normalization) {
    if (count < 1 || count > MAX_BATCH) {
      throw new IllegalArgumentException("count must be 1 to " + MAX_BATCH + ", not " + count);
    }
    String signature = normalization.signature();
    if (!calls.has(signature)) {
      throw new IllegalArgumentException(versionDir + " has no '" + signature + "' signature (a model without batch"
          + " norm, or exported before it existed: export it again with Export --from-model)");
    }
    return run(signature, Map.of(Signatures.SEED, TInt64.scalarOf(seed), Signatures.COUNT, TInt32.scalarOf(count)))
        .get(Signatures.IMAGES);
  }

  /** Whether {@link #sample(long, int, SampleNormalization)} takes {@code normalization}. */
  public boolean samples(SampleNormalization normalization) {
    return calls.has(normalization.signature());
  }

  /**
   * Translation models ({@code Train --model translation}): D(z_c(a_i), z_s(b_i)) for each pair, a_i
   * giving the class and b_i the content.
   */
  public float[][] translate(float[][] classImages, float[][] contentImages) {
    if (!calls.has(Signatures.TRANSLATE)) {
      throw new IllegalArgumentException(versionDir + " is not a translation model (no '" + Signatures.TRANSLATE
          + "' signature)");
    }
    if (classImages.length != contentImages.length) {
      throw new IllegalArgumentException(classImages.length + " class images but " + contentImages.length
          + " content images; translation takes pairs");
    }
    return run(Signatures.TRANSLATE, Map.of(Signatures.CLASS_IMAGES, imagesTensor(classImages),
        Signatures.CONTENT_IMAGES, imagesTensor(contentImages))).get(Signatures.IMAGES);
  }

  /**
   * Style-based models: style mixing, each image decoded with the style of {@code coarse[i]} in the first
   * {@code crossover} styled layers (the coarse resolutions) and that of {@code fine[i]} in the others;
   * crossover 0 decodes {@code fine}, one at or above the layer count decodes {@code coarse}.
   */
  public float[][] mixStyles(float[][] coarse, float[][] fine, int crossover) {
    if (!calls.has(Signatures.MIX_STYLES)) {
      throw new IllegalArgumentException(versionDir + " has no '" + Signatures.MIX_STYLES + "' signature (style-based"
          + " models only, exported by this version or later)");
    }
    if (coarse.length != fine.length || crossover < 0) {
      throw new IllegalArgumentException(coarse.length != fine.length ? coarse.length + " coarse codes but "
          + fine.length + " fine codes; mixing takes pairs" : "crossover must be 0 or more, not " + crossover);
    }
    TFloat32 z = latentTensor(coarse);
    TFloat32 zFine;
    try {
      zFine = latentTensor(fine);
    } catch (IllegalArgumentException e) {
      z.close();
      throw e;
    }
    return run(Signatures.MIX_STYLES, Map.of(Signatures.Z, z, Signatures.Z_FINE, zFine, Signatures.CROSSOVER,
        TInt32.scalarOf(crossover))).get(Signatures.IMAGES);
  }

  /** {@code steps} images decoded along the straight line between the two images' μ, endpoints included. */
  public float[][] interpolate(float[] a, float[] b, int steps) {
    if (steps < 2 || steps > MAX_BATCH) {
      throw new IllegalArgumentException("steps must be 2 to " + MAX_BATCH + ", not " + steps);
    }
    float[][] mu = encode(new float[][] {a, b}).mu();
    float[][] z = new float[steps][info.zDim()];
    for (int s = 0; s < steps; s++) {
      float t = s / (float) (steps - 1);
      for (int j = 0; j < info.zDim(); j++) {
        z[s][j] = (1 - t) * mu[0][j] + t * mu[1][j];
      }
    }
    return decode(z);
  }

  /**
   * Runs a signature on raw tensors (taking ownership of the inputs) and returns every output as rows.
   * The server uses this for TF Serving's predict API.
   */
  public Map<String, float[][]> run(String signature, Map<String, Tensor> inputs) {
    return calls.run(signature, inputs);
  }

  private TFloat32 imagesTensor(float[][] images) {
    checkBatch(images.length, "images");
    int n = info.imageValues();
    float[] flat = new float[images.length * n];
    for (int i = 0; i < images.length; i++) {
      float[] image = images[i];
      if (image == null || image.length != n) {
        throw new IllegalArgumentException("image " + i + " has " + (image == null ? 0 : image.length) + " values; the model takes "
            + info.imageSize() + "×" + info.imageSize() + "×" + info.imageChannels() + " = " + n);
      }
      for (int k = 0; k < n; k++) {
        float v = image[k];
        if (!(v >= 0f && v <= 1f)) {
          throw new IllegalArgumentException("image " + i + " has value " + v + " at index " + k
              + "; pixels must be in [0, 1] (divide 8-bit values by 255)");
        }
      }
      System.arraycopy(image, 0, flat, i * n, n);
    }
    return TFloat32.tensorOf(Shape.of(images.length, info.imageSize(), info.imageSize(), info.imageChannels()),
        DataBuffers.of(flat, true, false));
  }

  private TFloat32 latentTensor(float[][] z) {
    return latents(z, info.zDim());
  }

  /** Rows of {@code d} finite values as a [n, d] tensor. */
  static TFloat32 latents(float[][] z, int d) {
    checkBatch(z.length, "latents");
    float[] flat = new float[z.length * d];
    for (int i = 0; i < z.length; i++) {
      if (z[i] == null || z[i].length != d) {
        throw new IllegalArgumentException("z[" + i + "] has " + (z[i] == null ? 0 : z[i].length)
            + " values; the model's latent size is " + d);
      }
      for (int j = 0; j < d; j++) {
        if (!Float.isFinite(z[i][j])) {
          throw new IllegalArgumentException("z[" + i + "][" + j + "] is " + z[i][j]);
        }
      }
      System.arraycopy(z[i], 0, flat, i * d, d);
    }
    return TFloat32.tensorOf(Shape.of(z.length, d), DataBuffers.of(flat, true, false));
  }

  static void checkBatch(int n, String what) {
    if (n < 1 || n > MAX_BATCH) {
      throw new IllegalArgumentException("a call takes 1 to " + MAX_BATCH + " " + what + ", not " + n);
    }
  }

  @Override
  public void close() {
    calls.close();
  }
}
