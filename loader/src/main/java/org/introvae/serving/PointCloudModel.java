package org.introvae.serving;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * An exported point-cloud model ({@code Train --model points --export DIR}), loaded for use from any JVM
 * application. A cloud is float[points][3] (x, y, z); the training clouds lie in the unit sphere and
 * outputs are not clipped. Safe for concurrent callers; {@link #close()} waits for calls in flight.
 *
 * <pre>{@code
 * try (PointCloudModel model = PointCloudModel.load(Path.of("models/points"))) {
 *   float[][][] clouds = model.sample(1, 4);   // 4 clouds of model.points() points
 * }
 * }</pre>
 */
public final class PointCloudModel implements AutoCloseable {
  /** The facts the exporter writes next to the SavedModel. */
  public static final String ASSET = "introvae-points.json";
  private static final List<String> REQUIRED =
      List.of(Signatures.RECONSTRUCT, Signatures.ENCODE, Signatures.DECODE, Signatures.SAMPLE);

  private final Path versionDir;
  private final Map<String, Object> facts;
  private final int points;
  private final int zDim;
  private final SignatureCalls calls;

  private PointCloudModel(Path versionDir, Map<String, Object> facts, SignatureCalls calls) {
    this.versionDir = versionDir;
    this.facts = facts;
    this.points = whole(facts, "points");
    this.zDim = whole(facts, "z");
    this.calls = calls;
  }

  /** Loads a version folder, or the highest numeric version inside a model folder. */
  public static PointCloudModel load(Path path) {
    Path versionDir = IntroVaeModel.resolveVersion(path);
    Map<String, Object> facts = facts(versionDir);
    SignatureCalls calls = SignatureCalls.load(versionDir, REQUIRED, List.of());
    try {
      return new PointCloudModel(versionDir, facts, calls);
    } catch (RuntimeException e) {
      calls.close();
      throw e;
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> facts(Path versionDir) {
    Path file = versionDir.resolve("assets").resolve(ASSET);
    try {
      Object parsed = Json.parse(Files.readString(file));
      if (parsed instanceof Map<?, ?> map && "points".equals(map.get("model"))) {
        return (Map<String, Object>) map;
      }
      throw new IllegalArgumentException(file + ": not the facts of a point-cloud model");
    } catch (IOException e) {
      throw new IllegalArgumentException(versionDir + ": not a point-cloud model (no assets/" + ASSET + ")");
    }
  }

  private static int whole(Map<String, Object> facts, String key) {
    if (!(facts.get(key) instanceof Long n) || n < 1 || n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(ASSET + ": '" + key + "' must be a positive whole number, not " + facts.get(key));
    }
    return n.intValue();
  }

  /** Points per cloud, in and out. */
  public int points() {
    return points;
  }

  public int zDim() {
    return zDim;
  }

  /** Everything the exporter recorded: objective, weights, training figures. */
  public Map<String, Object> facts() {
    return facts;
  }

  public long version() {
    return IntroVaeModel.versionOf(versionDir);
  }

  /** (μ, log σ²) of q(z|cloud), one row per cloud. */
  public IntroVaeModel.Encoded encode(float[][][] clouds) {
    Map<String, float[][]> out = calls.run(Signatures.ENCODE, Map.of(Signatures.CLOUDS, cloudsTensor(clouds)));
    return new IntroVaeModel.Encoded(out.get(Signatures.MU), out.get(Signatures.LOGVAR));
  }

  /** D(μ(cloud)) per cloud. */
  public float[][][] reconstruct(float[][][] clouds) {
    return clouds(calls.run(Signatures.RECONSTRUCT, Map.of(Signatures.CLOUDS, cloudsTensor(clouds))));
  }

  public float[][][] decode(float[][] z) {
    return clouds(calls.run(Signatures.DECODE, Map.of(Signatures.Z, IntroVaeModel.latents(z, zDim))));
  }

  /** {@code count} clouds from z ~ N(0, I); the same seed gives the same clouds. */
  public float[][][] sample(long seed, int count) {
    IntroVaeModel.checkBatch(count, "clouds");
    return clouds(calls.run(Signatures.SAMPLE,
        Map.of(Signatures.SEED, TInt64.scalarOf(seed), Signatures.COUNT, TInt32.scalarOf(count))));
  }

  private TFloat32 cloudsTensor(float[][][] clouds) {
    IntroVaeModel.checkBatch(clouds.length, "clouds");
    float[] flat = new float[clouds.length * points * 3];
    for (int i = 0; i < clouds.length; i++) {
      if (clouds[i] == null || clouds[i].length != points) {
        throw new IllegalArgumentException("cloud " + i + " has " + (clouds[i] == null ? 0 : clouds[i].length)
            + " points; the model takes " + points);
      }
      for (int p = 0; p < points; p++) {
        float[] xyz = clouds[i][p];
        if (xyz == null || xyz.length != 3 || !Float.isFinite(xyz[0]) || !Float.isFinite(xyz[1]) || !Float.isFinite(xyz[2])) {
          throw new IllegalArgumentException("cloud " + i + ", point " + p + ": three finite coordinates expected");
        }
        System.arraycopy(xyz, 0, flat, (i * points + p) * 3, 3);
      }
    }
    return TFloat32.tensorOf(Shape.of(clouds.length, points, 3), DataBuffers.of(flat, true, false));
  }

  /** The one output of a cloud signature, as [n][points][3]. */
  private float[][][] clouds(Map<String, float[][]> out) {
    float[][] rows = out.get(Signatures.CLOUDS);
    float[][][] clouds = new float[rows.length][points][3];
    for (int i = 0; i < rows.length; i++) {
      for (int p = 0; p < points; p++) {
        System.arraycopy(rows[i], p * 3, clouds[i][p], 0, 3);
      }
    }
    return clouds;
  }

  @Override
  public void close() {
    calls.close();
  }
}
