package org.introvae.points;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.introvae.testing.TrainCli;
import org.introvae.testing.TrainCli.Outcome;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.introvae.data.mesh.TestMeshes;
import org.introvae.serving.Json;
import org.introvae.serving.PointCloudModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code Train --model points} end to end on the real test meshes, and its one-line errors. */
class PointsRunTest {
  /** Points per cloud, not a square: clouds travel as [N, 1, 3]. */
  private static final int POINTS = 50;

  @TempDir
  Path runs;

  private static Outcome train(String... args) {
    return TrainCli.train(List.of(), args);
  }

  @Test
  void trains_measures_and_draws_soft_introvae_on_point_clouds() throws Exception {
    Outcome o = train("--model", "points", "--meshes", TestMeshes.folder().toString(), "--steps", "4", "--batch", "4",
        "--points", String.valueOf(POINTS), "--widths", "8,16", "--z", "4", "--threads", "1", "--log-every", "2", "--runs", runs.toString(),
        "--run", "p", "--export", runs.resolve("models/points").toString());
    assertEquals(0, o.code(), o.err());
    assertTrue(o.out().contains("11 shapes from"), o.out());
    assertTrue(o.out().contains("skipped 1: 4OFF is not 3-D"), o.out());
    Path run = runs.resolve("p");
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) Json.parse(Files.readString(run.resolve("metrics.json")));
    assertEquals("soft", m.get("objective"));
    double chamfer = ((Number) m.get("chamfer_held_out")).doubleValue();
    // POINTS points within the unit sphere each way: a squared nearest distance is at most 4.
    assertTrue(chamfer > 0 && chamfer < 2 * POINTS * 4, "held-out Chamfer " + chamfer);
    double jsd = ((Number) m.get("jsd_samples")).doubleValue();
    assertTrue(jsd > 0 && jsd <= Math.log(2) + 1e-9, "JSD " + jsd);
    assertEquals(3, Files.readAllLines(run.resolve("metrics.csv")).size(), "header and steps 2 and 4");
    for (String picture : new String[] {"reconstructions", "samples", "interpolation"}) {
      BufferedImage img = ImageIO.read(run.resolve("images/" + picture + ".png").toFile());
      assertTrue(img.getWidth() > 3 * CloudPictures.VIEW && img.getHeight() > CloudPictures.VIEW, picture);
      assertTrue(darkPixels(img) > 200, picture + " shows points");
    }
    assertTrue(Files.isRegularFile(run.resolve("checkpoints/step-00000004/model.index")), "the final checkpoint");
    assertTrue(o.out().contains("exported " + runs.resolve("models/points/1")), o.out());
    checkExport(runs.resolve("models/points/1"));
    checkLoader(runs.resolve("models/points/1"));
  }

  /** The exported SavedModel: clouds in and out as [n, N, 3], reconstruct = decode(encode's μ), sample repeatable. */
  private static void checkExport(Path version) {
    assertTrue(Files.isRegularFile(version.resolve("assets/introvae-points.json")));
    try (SavedModelBundle m = SavedModelBundle.load(version.toString(), "serve")) {
      float[] cloud = new float[2 * POINTS * 3];
      for (int i = 0; i < cloud.length; i++) {
        cloud[i] = (float) Math.sin(i * 0.37);
      }
      try (TFloat32 clouds = TFloat32.tensorOf(Shape.of(2, POINTS, 3), DataBuffers.of(cloud, true, false));
          Result enc = m.function("encode").call(Map.of("clouds", clouds));
          Result rec = m.function("reconstruct").call(Map.of("clouds", clouds));
          Result dec = m.function("decode").call(Map.of("z", enc.get("mu").orElseThrow()))) {
        TFloat32 r = (TFloat32) rec.get("clouds").orElseThrow();
        assertEquals(Shape.of(2, POINTS, 3), r.shape());
        assertEquals(Shape.of(2, 4), enc.get("mu").orElseThrow().shape());
        // The same dense layers on the same μ at the same batch size: equal up to float rounding.
        assertArrayEquals(values(r), values((TFloat32) dec.get("clouds").orElseThrow()), 1e-6f);
      }
      try (TInt64 seed = TInt64.scalarOf(7); TInt32 count = TInt32.scalarOf(3);
          Result a = m.function("sample").call(Map.of("seed", seed, "count", count));
          Result b = m.function("sample").call(Map.of("seed", seed, "count", count))) {
        TFloat32 x = (TFloat32) a.get("clouds").orElseThrow();
        assertEquals(Shape.of(3, POINTS, 3), x.shape());
        assertArrayEquals(values(x), values((TFloat32) b.get("clouds").orElseThrow()), 0f, "the same seed, the same clouds");
      }
    }
  }

  /** The loader's typed API over the same export answers as the raw SavedModel does, and refuses wrong input in one line. */
  private static void checkLoader(Path version) {
    float[][][] clouds = new float[2][POINTS][3];
    float[] flat = new float[2 * POINTS * 3];
    for (int i = 0; i < flat.length; i++) {
      flat[i] = (float) Math.sin(i * 0.37);
      clouds[i / (3 * POINTS)][(i % (3 * POINTS)) / 3][i % 3] = flat[i];
    }
    try (PointCloudModel model = PointCloudModel.load(version.getParent());
        SavedModelBundle raw = SavedModelBundle.load(version.toString(), "serve");
        TFloat32 rawClouds = TFloat32.tensorOf(Shape.of(2, POINTS, 3), DataBuffers.of(flat, true, false));
        Result rec = raw.function("reconstruct").call(Map.of("clouds", rawClouds));
        TInt64 seed = TInt64.scalarOf(7); TInt32 count = TInt32.scalarOf(3);
        Result sampled = raw.function("sample").call(Map.of("seed", seed, "count", count))) {
      assertEquals(POINTS, model.points());
      assertEquals(4, model.zDim());
      assertEquals(1, model.version());
      // The same graph, batch and threads in two sessions: equal bit for bit.
      assertArrayEquals(values((TFloat32) rec.get("clouds").orElseThrow()), flatten(model.reconstruct(clouds)), 0f);
      assertArrayEquals(values((TFloat32) sampled.get("clouds").orElseThrow()), flatten(model.sample(7, 3)), 0f);
      // decode(μ) is reconstruct's graph after the encoder: float rounding only, as in the raw check.
      assertArrayEquals(flatten(model.reconstruct(clouds)), flatten(model.decode(model.encode(clouds).mu())), 1e-6f);
      IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
          () -> model.reconstruct(new float[1][10][3]));
      assertEquals("cloud 0 has 10 points; the model takes " + POINTS, wrong.getMessage());
    }
    IllegalArgumentException images = assertThrows(IllegalArgumentException.class,
        () -> PointCloudModel.load(Path.of("models/fashion-mnist")));
    assertTrue(images.getMessage().contains("not a point-cloud model"), images.getMessage());
  }

  private static float[] flatten(float[][][] clouds) {
    float[] out = new float[clouds.length * clouds[0].length * 3];
    for (int i = 0; i < clouds.length; i++) {
      for (int p = 0; p < clouds[i].length; p++) {
        System.arraycopy(clouds[i][p], 0, out, (i * clouds[i].length + p) * 3, 3);
      }
    }
    return out;
  }

  private static float[] values(TFloat32 t) {
    float[] v = new float[(int) t.size()];
    t.copyTo(DataBuffers.of(v, false, false));
    return v;
  }

  private static int darkPixels(BufferedImage img) {
    int dark = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y);
        if (((rgb >> 16) & 0xff) < 120 && (rgb & 0xff) > 100) {  // point blue, not the grey captions
          dark++;
        }
      }
    }
    return dark;
  }

  /** A tiny soft run on the test meshes in {@code run}, one metrics row per step. */
  private Outcome tiny(String run, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("--model", "points", "--meshes", TestMeshes.folder().toString(),
        "--batch", "4", "--points", "16", "--widths", "8", "--z", "4", "--threads", "1", "--log-every", "1",
        "--checkpoint-every", "3", "--runs", runs.toString(), "--run", run));
    args.addAll(List.of(more));
    return train(args.toArray(String[]::new));
  }

  /** metrics.csv's rows without their last column (the seconds since the start, which differ between runs). */
  private List<String> lossRows(String run) throws Exception {
    return Files.readAllLines(runs.resolve(run).resolve("metrics.csv")).stream()
        .map(line -> line.substring(0, line.lastIndexOf(','))).toList();
  }

  @Test
  void a_resumed_run_continues_exactly_as_an_unbroken_one() throws Exception {
    Outcome whole = tiny("whole", "--steps", "6");
    assertEquals(0, whole.code(), whole.err());
    Outcome first = tiny("broken", "--steps", "4");
    assertEquals(0, first.code(), first.err());
    Outcome resumed = tiny("broken", "--steps", "6", "--resume");
    assertEquals(0, resumed.code(), resumed.err());
    assertTrue(resumed.out().contains("(step 4)"), resumed.out());
    // Same graph, batch, threads and seed, the data replayed to step 4 and the Adam slots restored: the
    // losses of steps 5 and 6 are the unbroken run's bit for bit.
    assertEquals(7, lossRows("whole").size(), "header and six steps");
    assertEquals(lossRows("whole"), lossRows("broken"));

    Outcome changed = tiny("broken", "--steps", "8", "--resume", "--rotate");
    assertEquals(2, changed.code());
    assertEquals("error: --resume: " + runs.resolve("broken") + " was trained with rotate false, not true; a resumed run keeps its"
        + " settings (give the same options and a larger --steps)\n", changed.err());
    Outcome done = tiny("broken", "--steps", "6", "--resume");
    assertEquals(2, done.code());
    assertEquals("error: --resume: " + runs.resolve("broken") + " is at step 6 already; give --steps above it\n",
        done.err());
    Outcome none = tiny("none", "--steps", "6", "--resume");
    assertEquals(2, none.code());
    assertEquals("error: --resume: " + runs.resolve("none") + " holds no points run to continue (no settings.json)\n",
        none.err());
  }

  @Test
  void user_mistakes_are_one_line_errors() {
    Outcome noFolder = train("--model", "points", "--meshes", runs.resolve("none").toString());
    assertEquals(2, noFolder.code());
    assertEquals("error: " + runs.resolve("none") + ": not a folder of meshes (off, ply, stl, obj, wrl)\n", noFolder.err());
    Outcome points = train("--model", "points", "--points", "1");
    assertEquals(2, points.code());
    assertEquals("error: --points: '1' must be a whole number from 2 to 65536\n", points.err());
    Outcome objective = train("--model=points", "--objective", "introvae");
    assertEquals(2, objective.code());
    assertEquals("error: --objective: 'introvae' is not one of [soft, vae] for point clouds\n", objective.err());
    Outcome model = train("--model", "cubes");
    assertEquals(2, model.code());
    assertEquals("error: --model: 'cubes' is not images, points or translation\n", model.err());
  }
}
