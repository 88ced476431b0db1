package org.introvae.points;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.introvae.data.mesh.ShapeSet;
import org.introvae.data.mesh.SurfaceSampler;
import org.introvae.model.Objective;
import org.introvae.model.Placement;
import org.introvae.model.PointNetworks;
import org.introvae.model.TrainingSession;
import org.introvae.model.UpdateOrder;
import org.introvae.serving.Json;
import org.introvae.train.Checkpoints;
import org.introvae.train.Folders;
import org.introvae.train.Interruption;
import org.introvae.train.MetricsLog;
import org.introvae.train.Progress;
import org.introvae.train.StepRecorder;
import org.introvae.train.UserError;

/**
 * Soft-IntroVAE (or the VAE) on 3-D point clouds sampled from real meshes: every step draws fresh surface
 * points for a batch of training shapes, so the model sees each shape as a distribution of clouds. At the
 * end it measures the Chamfer distance of held-out shapes' reconstructions, the voxel JSD of samples
 * against the shapes, and draws reconstructions, samples and an interpolation.
 */
public final class PointCloudTraining {
  /**
   * Everything one run needs; {@code resume} continues the folder's latest checkpoint, which the run
   * writes every {@code checkpointEvery} steps and at the end.
   */
  public record Settings(Objective objective, UpdateOrder order, int steps, int vaeSteps, int batch, float lr,
      int points, int[] widths, int zDim, float priorStd, long seed, int logEvery, int threads, Placement placement, boolean rotate,
      Path exportDir, int checkpointEvery, boolean resume) {

    /** What decides the weights and the data a step sees: a resumed run must keep all of it. */
    Map<String, Object> trajectory(ShapeSet shapes) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("objective", objective.toString());
      m.put("updates", order.label());
      m.put("vae_steps", vaeSteps);
      m.put("batch", batch);
      m.put("lr", (double) lr);
      m.put("points", points);
      m.put("widths", java.util.Arrays.toString(widths));
      m.put("z", zDim);
      m.put("prior_std", (double) priorStd);
      m.put("seed", seed);
      m.put("rotate", rotate);
      m.put("shapes", shapes.summary());
      return m;
    }
  }

  private final Settings settings;
  private final ShapeSet shapes;
  private final Path folder;
  private final PrintStream out;

  public PointCloudTraining(Settings settings, ShapeSet shapes, Path folder, PrintStream out) {
    this.settings = settings;
    this.shapes = shapes;
    this.folder = folder;
    this.out = out;
  }

  public Map<String, Object> run() throws IOException {
    Settings st = settings;
    Path trajectoryFile = folder.resolve("settings.json");
    Checkpoints checkpoints = new Checkpoints(folder.resolve("checkpoints"));
    if (st.resume()) {
      checkResumable(trajectoryFile);
    } else {
      Folders.deleteTree(folder.resolve("checkpoints"));  // a new run in an old folder: none of its checkpoints
    }
    Files.createDirectories(folder.resolve("images"));
    Files.writeString(trajectoryFile, Json.writePretty(st.trajectory(shapes)));
    out.println(shapes.summary());
    shapes.skippedByReason().forEach((reason, n) -> out.printf("  skipped %d: %s%n", n, reason));
    try (TrainingSession session = TrainingSession.withThreads(PointNetworks.trainingGraph(st.points(), st.widths(),
        st.zDim(), st.priorStd(), st.objective(), st.order(), st.lr(), st.batch(), st.seed(), st.placement(), false), st.threads())) {
      session.initialize();
      int start = st.resume() ? resumedStep(checkpoints, session) : 0;
      MetricsLog log = new MetricsLog(folder.resolve("metrics.csv"));
      log.open(start);
      CloudStream data = new CloudStream();
      for (int step = 0; step < start; step++) {
        data.next();  // the clouds the checkpoint's steps saw, so the rest of the run sees what an unbroken one would
      }
      StepRecorder recorder = new StepRecorder("step", log,
          new Progress(out, System.console() != null, start, st.steps(), st.batch()));
      for (int step = start; step < st.steps(); step++) {
        if (Interruption.requested()) {
          if (step > start && step % st.checkpointEvery() != 0) {
            checkpoints.save(session.session(), step);
          }
          throw Interruption.stopped(step, step == 0 ? null : folder.resolve("checkpoints"));
        }
        boolean warmUp = step < st.vaeSteps();
        boolean logStep = (step + 1) % st.logEvery() == 0 || step + 1 == st.steps();
        recorder.record(step, session.step(data.next(), st.seed(), step, st.lr(), warmUp, logStep), warmUp, logStep);
        if ((step + 1) % st.checkpointEvery() == 0 && step + 1 < st.steps()) {
          checkpoints.save(session.session(), step + 1);
        }
      }
      Map<String, Object> m = measure(session, recorder.finish());
      Files.writeString(folder.resolve("metrics.json"), Json.writePretty(m));
      out.printf(Locale.ROOT, "%s (%s): held-out Chamfer %.2f (training shapes %.2f), voxel JSD of samples %.4f"
              + " (held-out vs training shapes %.4f); %.2f s per step; pictures in %s%n", st.objective().name(),
          st.order().label(), m.get("chamfer_held_out"), m.get("chamfer_training"), m.get("jsd_samples"),
          m.get("jsd_held_out_vs_training"), m.get("seconds_per_step"), folder.resolve("images"));
      Checkpoints.Saved saved = checkpoints.save(session.session(), st.steps());
      if (st.exportDir() != null) {
        out.println("exported " + export(saved, m));
      }
      return m;
    }
  }

  /** A resumed run's folder must hold a points run trained with the same settings. */
  private void checkResumable(Path trajectoryFile) throws IOException {
    if (!Files.isRegularFile(trajectoryFile)) {
      throw new IllegalArgumentException("--resume: " + folder + " holds no points run to continue (no settings.json)");
    }
    Object stored = Json.parse(Files.readString(trajectoryFile));
    Map<?, ?> now = (Map<?, ?>) Json.parse(Json.write(settings.trajectory(shapes)));  // as the file holds it
    if (!(stored instanceof Map<?, ?> before)) {
      throw new IllegalArgumentException("--resume: " + trajectoryFile + " is not a JSON object");
    }
    for (Map.Entry<?, ?> e : now.entrySet()) {
      Object was = before.get(e.getKey());
      if (was == null || !String.valueOf(was).equals(String.valueOf(e.getValue()))) {
        throw new IllegalArgumentException("--resume: " + folder + " was trained with " + e.getKey() + " " + was
            + ", not " + e.getValue() + "; a resumed run keeps its settings (give the same options and a larger --steps)");
      }
    }
  }

  /** Restores the newest intact checkpoint; its step, which must be below --steps. */
  private int resumedStep(Checkpoints checkpoints, TrainingSession session) throws IOException {
    Checkpoints.Saved saved = checkpoints.restoreLatest(session.session(), out).orElseThrow(() ->
        new IllegalArgumentException("--resume: " + folder.resolve("checkpoints") + " holds no usable checkpoint"));
    if (saved.step() >= settings.steps()) {
      throw new IllegalArgumentException("--resume: " + folder + " is at step " + saved.step() + " already; give --steps"
          + " above it");
    }
    out.printf("resumed from %s (step %d)%n", saved.dir(), saved.step());
    return (int) saved.step();
  }

  /**
   * The training clouds, batch after batch: shapes in a shuffled order, reshuffled after each pass, fresh
   * surface points every time, one random stream from the seed.
   */
  private final class CloudStream {
    private final Random random = new Random(settings.seed());
    private final List<Integer> order = new ArrayList<>();
    private final float[] batch = new float[settings.batch() * settings.points() * 3];

    float[] next() {
      for (int i = 0; i < settings.batch(); i++) {
        if (order.isEmpty()) {
          for (int s = 0; s < shapes.training().size(); s++) {
            order.add(s);
          }
          Collections.shuffle(order, random);
        }
        float[] cloud = shapes.training().get(order.remove(order.size() - 1)).sample(settings.points(), random);
        if (settings.rotate()) {
          rotateAboutY(cloud, random.nextDouble() * 2 * Math.PI);
        }
        System.arraycopy(cloud, 0, batch, i * cloud.length, cloud.length);
      }
      return batch;
    }
  }

  /** The SavedModel of the final weights, with the run's facts and figures. */
  private Path export(Checkpoints.Saved saved, Map<String, Object> measured) throws IOException {
    Settings st = settings;
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("format", "introvae-points-savedmodel/1");
    facts.put("model", "points");
    facts.put("objective", st.objective().name());
    facts.put("updates", st.order().label());
    facts.put("weights", st.objective().toString());
    facts.put("points", st.points());
    facts.put("z", st.zDim());
    facts.put("prior_std", st.priorStd());
    facts.put("latents", "standardised: z/prior_std, so encode, decode and sample work with N(0, I)");
    facts.put("widths", java.util.Arrays.toString(st.widths()));
    facts.put("lr", st.lr());
    facts.put("batch", st.batch());
    facts.put("seed", st.seed());
    facts.put("training_shapes", shapes.training().size());
    facts.put("step", saved.step());
    facts.put("measured", measured);
    facts.put("output", "clouds [n, points, 3], unclipped; training clouds lie in the unit sphere");
    try {
      return PointCloudExport.write(st, saved.dir().resolve("model"), facts, st.exportDir());
    } catch (UserError e) {
      throw new IllegalArgumentException("--export: " + e.getMessage());
    }
  }

  /** Rotates a cloud in place about the vertical (y) axis. */
  static void rotateAboutY(float[] cloud, double angle) {
    float c = (float) Math.cos(angle);
    float s = (float) Math.sin(angle);
    for (int i = 0; i < cloud.length; i += 3) {
      float x = cloud[i];
      float z = cloud[i + 2];
      cloud[i] = c * x + s * z;
      cloud[i + 2] = -s * x + c * z;
    }
  }

  /** Fixed clouds of some shapes (the same points every time for the same seed). */
  private List<float[]> clouds(List<SurfaceSampler> of, int limit, long seed) {
    Random r = new Random(seed);
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < Math.min(limit, of.size()); i++) {
      out.add(of.get(i).sample(settings.points(), r));
    }
    return out;
  }

  private List<float[]> reconstructions(TrainingSession session, List<float[]> clouds) {
    List<float[]> out = new ArrayList<>();
    for (float[] c : clouds) {
      out.add(session.reconstruct(c, 1).images());
    }
    return out;
  }

  private static double meanChamfer(List<float[]> a, List<float[]> b) {
    double sum = 0;
    for (int i = 0; i < a.size(); i++) {
      sum += CloudMetrics.chamfer(a.get(i), b.get(i));
    }
    return sum / Math.max(1, a.size());
  }

  private Map<String, Object> measure(TrainingSession session, double seconds) throws IOException {
    Settings st = settings;
    List<float[]> heldOut = clouds(shapes.heldOut(), Integer.MAX_VALUE, st.seed() + 1);
    List<float[]> training = clouds(shapes.training(), 64, st.seed() + 1);
    List<float[]> heldOutRec = reconstructions(session, heldOut);
    List<float[]> trainingRec = reconstructions(session, training);
    List<float[]> allShapes = clouds(shapes.training(), Integer.MAX_VALUE, st.seed() + 2);
    allShapes.addAll(heldOut);
    int sampleCount = 3 * allShapes.size();
    float[] decoded = session.sample(sampleCount, st.seed() + 3);
    List<float[]> samples = split(decoded, sampleCount);

    Map<String, Object> m = new LinkedHashMap<>();
    m.put("objective", st.objective().name());
    m.put("weights", st.objective().toString());
    m.put("updates", st.order().label());
    m.put("steps", st.steps());
    m.put("vae_steps", st.vaeSteps());
    m.put("batch", st.batch());
    m.put("points", st.points());
    m.put("z", st.zDim());
    m.put("prior_std", st.priorStd());
    m.put("seed", st.seed());
    m.put("shapes_training", shapes.training().size());
    m.put("shapes_held_out", shapes.heldOut().size());
    m.put("chamfer_held_out", meanChamfer(heldOut, heldOutRec));
    m.put("chamfer_training", meanChamfer(training, trainingRec));
    m.put("jsd_samples", CloudMetrics.voxelJsd(allShapes, samples));
    m.put("jsd_held_out_vs_training", CloudMetrics.voxelJsd(heldOut, clouds(shapes.training(), Integer.MAX_VALUE, st.seed() + 4)));
    m.put("seconds", seconds);
    m.put("seconds_per_step", seconds / Math.max(1, st.steps()));

    int shown = Math.min(6, heldOut.size());
    List<CloudPictures.Row> rec = new ArrayList<>();
    for (int i = 0; i < shown; i++) {
      rec.add(new CloudPictures.Row(String.format(Locale.ROOT, "%s   (left: held-out shape; right: its reconstruction, Chamfer %.2f)",
          Path.of(shapes.heldOut().get(i).mesh().name()).getFileName(), CloudMetrics.chamfer(heldOut.get(i), heldOutRec.get(i))),
          List.of(heldOut.get(i), heldOutRec.get(i))));
    }
    CloudPictures.write(CloudPictures.sheet("reconstructions of held-out shapes (front, side, top)", rec, 2),
        folder.resolve("images/reconstructions.png"));
    List<CloudPictures.Row> sampleRows = new ArrayList<>();
    for (int r = 0; r < 4; r++) {
      sampleRows.add(new CloudPictures.Row("samples D(z), z ~ N(0, I)", samples.subList(2 * r, 2 * r + 2)));
    }
    CloudPictures.write(CloudPictures.sheet("samples (front, side, top)", sampleRows, 2), folder.resolve("images/samples.png"));
    CloudPictures.write(CloudPictures.sheet("interpolation between the latent means of two held-out shapes",
        interpolation(session, heldOut.get(0), heldOut.get(Math.min(1, heldOut.size() - 1))), 2),
        folder.resolve("images/interpolation.png"));
    return m;
  }

  private List<CloudPictures.Row> interpolation(TrainingSession session, float[] from, float[] to) {
    float[] a = session.reconstruct(from, 1).mu();
    float[] b = session.reconstruct(to, 1).mu();
    int steps = 8;
    float[] z = new float[steps * a.length];
    for (int s = 0; s < steps; s++) {
      float t = s / (float) (steps - 1);
      for (int k = 0; k < a.length; k++) {
        z[s * a.length + k] = (1 - t) * a[k] + t * b[k];
      }
    }
    List<float[]> decoded = split(session.decode(z), steps);
    List<CloudPictures.Row> rows = new ArrayList<>();
    for (int r = 0; r < steps / 2; r++) {
      rows.add(new CloudPictures.Row(String.format(Locale.ROOT, "t = %d/7, %d/7", 2 * r, 2 * r + 1),
          decoded.subList(2 * r, 2 * r + 2)));
    }
    return rows;
  }

  private static List<float[]> split(float[] values, int n) {
    int each = values.length / n;
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(java.util.Arrays.copyOfRange(values, i * each, (i + 1) * each));
    }
    return out;
  }
}
