package org.introvae.translation;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.introvae.data.ImageSet;
import org.introvae.data.Split;
import org.introvae.eval.FeatureExtractor;
import org.introvae.export.ModelExporter;
import org.introvae.model.ModelConfig;
import org.introvae.model.Objective;
import org.introvae.model.TrainingSession;
import org.introvae.model.TranslationNetworks;
import org.introvae.model.UpdateOrder;
import org.introvae.serving.Json;
import org.introvae.serving.Png;
import org.introvae.train.Checkpoints;
import org.introvae.train.Interruption;
import org.introvae.train.MetricsLog;
import org.introvae.train.Progress;
import org.introvae.train.StepRecorder;
import org.introvae.train.UserError;

/**
 * Unsupervised image translation: the two-encoder model of {@link TranslationNetworks} trained on
 * images alone, then measured on held-out images with their labels and the shipped classifier — how
 * often D(z_c(a), z_s(b)) keeps a's class, and how well a nearest-neighbour classifier on content codes
 * can tell the class (the less, the better the codes are separated) — and drawn as a translation grid.
 */
public final class TranslationTraining {
  /** Everything one run needs; {@code heldOut} images chosen by the seed are held out (their labels only measure). */
  public record Settings(ModelConfig config, TranslationNetworks.Split split, float classJitter, Partners partners,
      Objective objective,
      UpdateOrder order, int steps, int batch, float lr, long seed, int logEvery, int threads, int heldOut, Path exportDir) {
    public int classZ() {
      return split.classZ();
    }

    /** How the class encoder reads training images. */
    public TranslationNetworks.ClassView view() {
      return new TranslationNetworks.ClassView(classJitter, partners.paired());
    }
  }

  private final Settings settings;
  private final ImageSet images;
  private final int[] labels;
  private final Path classifier;
  private final Path folder;
  private final PrintStream out;

  public TranslationTraining(Settings settings, ImageSet images, int[] labels, Path classifier, Path folder, PrintStream out) {
    this.settings = settings;
    this.images = images;
    this.labels = labels;
    this.classifier = classifier;
    this.folder = folder;
    this.out = out;
  }

  public Map<String, Object> run() throws IOException {
    Settings st = settings;
    Files.createDirectories(folder.resolve("images"));
    MetricsLog log = new MetricsLog(folder.resolve("metrics.csv"));
    log.open(0);
    // Digits come sorted by class: hold out a random subset.
    int[] shuffled = Split.permutation(images.count(), new Random(st.seed() ^ 0x5eedL));
    int[] held = java.util.Arrays.copyOfRange(shuffled, 0, st.heldOut());
    int[] training = java.util.Arrays.copyOfRange(shuffled, st.heldOut(), shuffled.length);
    int train = training.length;
    int per = images.imageBytes();
    out.printf(Locale.ROOT, "translation: %s, class code %d (KL weight %s%s) + content code %d dimensions (variance ≥ %s)%s%s;"
        + " %d training and %d held-out images from %s%n", st.config(), st.classZ(), st.split().classKlWeight(),
        st.split().classModulates() ? ", read by the decoder as modulation" : "",
        st.config().zDim() - st.classZ(), st.split().contentNoise(), st.classJitter() > 0
        ? String.format(Locale.ROOT, ", the class encoder seeing crops of jitter %.2f", st.classJitter()) : "",
        st.partners().paired() ? ", real images reconstructed from the class code of " + st.partners().label() : "",
        train, st.heldOut(), images.source());
    ClassPairs pairs = null;
    if (st.partners().paired()) {
      long started = System.nanoTime();
      pairs = new ClassPairs(st.partners().sameLabel() ? ClassPairs.sameLabel(labels, training)
          : ClassPairs.nearest(images, training, st.partners().neighbours(), st.threads()), st.seed());
      out.printf(Locale.ROOT, "paired each training image with %s in %.1f s%n", st.partners().label(),
          (System.nanoTime() - started) / 1e9);
    }
    try (TrainingSession session = TrainingSession.withThreads(TranslationNetworks.trainingGraph(st.config(), st.split(),
        st.view(), st.objective(), st.order(), st.lr(), st.batch(), st.seed(), org.introvae.model.Placement.CPU),
        st.threads())) {
      session.initialize();
      Random order = new Random(st.seed());
      int[] permutation = {};  // drawn at the first step
      int next = train;
      float[] batch = new float[st.batch() * per];
      StepRecorder recorder = new StepRecorder("step", log,
          new Progress(out, System.console() != null, 0, st.steps(), st.batch()));
      for (int step = 0; step < st.steps(); step++) {
        if (Interruption.requested()) {
          throw Interruption.stopped(step, null);  // translation runs do not resume
        }
        if (pairs != null) {
          pairs.fill(images, training, batch, per);
        } else {
          for (int i = 0; i < st.batch(); i++) {
            if (next == train) {
              permutation = Split.permutation(train, order);
              next = 0;
            }
            images.copyTo(training[permutation[next++]], batch, i * per);
          }
        }
        boolean logStep = (step + 1) % st.logEvery() == 0 || step + 1 == st.steps();
        recorder.record(step, session.step(batch, st.seed(), step, st.lr(), false, logStep), false, logStep);
      }
      Map<String, Object> m = measure(session, held, recorder.finish());
      Files.writeString(folder.resolve("metrics.json"), Json.writePretty(m));
      out.printf(Locale.ROOT, "held out: translations keep the class source's class %.1f %% of the time (the content"
              + " source's: %.1f %%; reconstructions keep their class %.1f %%); a 5-NN classifier tells the class from"
              + " content codes %.1f %%, from class codes %.1f %% (chance %.1f %%); re-encoded, a translation's content"
              + " code is nearer its content source's than another image's %.1f %% of the time, its class code its"
              + " class source's %.1f %% (chance 50 %%); pictures in %s%n",
          100 * (double) m.get("translation_keeps_class_source"), 100 * (double) m.get("translation_takes_content_source_class"),
          100 * (double) m.get("reconstruction_keeps_class"), 100 * (double) m.get("content_code_class_accuracy"),
          100 * (double) m.get("class_code_class_accuracy"), 100 * (double) m.get("chance"),
          100 * (double) m.get("translation_content_source_nearer"), 100 * (double) m.get("translation_class_source_nearer"),
          folder.resolve("images"));
      Checkpoints.Saved saved = new Checkpoints(folder.resolve("checkpoints")).save(session.session(), st.steps());
      if (st.exportDir() != null) {
        out.println("exported " + export(saved, m));
      }
      return m;
    }
  }

  /** The SavedModel of the final weights, with the translate signature and the run's facts and figures. */
  private Path export(Checkpoints.Saved saved, Map<String, Object> measured) throws IOException {
    Settings st = settings;
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("format", "introvae-savedmodel/1");
    facts.put("model", "translation");
    facts.put("objective", st.objective().name());
    facts.put("updates", st.order().label());
    facts.put("image_size", st.config().imageSize());
    facts.put("image_channels", st.config().imageChannels());
    facts.put("z", st.config().zDim());
    facts.put("class_z", st.classZ());
    facts.put("content_z", st.config().zDim() - st.classZ());
    facts.put("content_noise", st.split().contentNoise());
    facts.put("class_kl_weight", st.split().classKlWeight());
    facts.put("class_modulation", st.split().classModulates());
    facts.put("class_jitter", st.classJitter());
    facts.put("class_partners", st.partners().label());
    facts.put("widths", st.config().widthsText());
    facts.put("weights", st.objective().toString());
    facts.put("lr", st.lr());
    facts.put("batch", st.batch());
    facts.put("seed", st.seed());
    facts.put("training_data", images.source());
    facts.put("step", saved.step());
    facts.put("held_out_translation", measured);
    facts.put("batch_norm", ModelExporter.batchNormFact(st.config()));
    facts.put("output_range", "[0, 1], clipped");
    try {
      return ModelExporter.write(st.config(), st.split(), saved.dir().resolve("model"), facts, st.exportDir(), null, null, 1f);
    } catch (UserError e) {
      throw new IllegalArgumentException("--export: " + e.getMessage());
    }
  }

  private Map<String, Object> measure(TrainingSession session, int[] heldIndex, double seconds) throws IOException {
    Settings st = settings;
    int n = heldIndex.length;
    int per = images.imageBytes();
    int z = st.config().zDim();
    int c = st.classZ();
    float[] held = new float[n * per];
    int[] heldLabels = new int[n];
    for (int i = 0; i < n; i++) {
      images.copyTo(heldIndex[i], held, i * per);
      heldLabels[i] = labels[heldIndex[i]];
    }
    TrainingSession.Reconstruction r = session.reconstruct(held, n);
    // Pair each held-out image a_i (class source) with another, b_i (content source).
    int[] partner = Split.permutation(n, new Random(st.seed() + 1));
    float[] latents = new float[n * z];
    for (int i = 0; i < n; i++) {
      System.arraycopy(r.mu(), i * z, latents, i * z, c);
      System.arraycopy(r.mu(), partner[i] * z + c, latents, i * z + c, z - c);
    }
    float[] translatedPixels = session.decode(latents);
    float[][] translated = rows(translatedPixels, n);
    float[][] reconstructed = rows(r.images(), n);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("objective", st.objective().name());
    m.put("weights", st.objective().toString());
    m.put("updates", st.order().label());
    m.put("model", st.config().toString());
    m.put("class_z", c);
    m.put("class_jitter", st.classJitter());
    m.put("class_partners", st.partners().label());
    m.put("content_z", z - c);
    m.put("content_noise", st.split().contentNoise());
    m.put("class_kl_weight", st.split().classKlWeight());
    m.put("class_modulation", st.split().classModulates());
    m.put("steps", st.steps());
    m.put("batch", st.batch());
    m.put("held_out", n);
    try (FeatureExtractor classify = new FeatureExtractor(classifier)) {
      int[] ofTranslated = classify.classes(translated);
      int[] ofReconstructed = classify.classes(reconstructed);
      int keep = 0;
      int take = 0;
      int rec = 0;
      for (int i = 0; i < n; i++) {
        keep += ofTranslated[i] == heldLabels[i] ? 1 : 0;
        take += ofTranslated[i] == heldLabels[partner[i]] ? 1 : 0;
        rec += ofReconstructed[i] == heldLabels[i] ? 1 : 0;
      }
      m.put("translation_keeps_class_source", keep / (double) n);
      m.put("translation_takes_content_source_class", take / (double) n);
      m.put("reconstruction_keeps_class", rec / (double) n);
    }
    float[][] contentCodes = codes(r.mu(), n, z, c, z);
    float[][] classCodes = codes(r.mu(), n, z, 0, c);
    m.put("content_code_class_accuracy", NearestNeighbours.accuracy(contentCodes, heldLabels, 5));
    m.put("class_code_class_accuracy", NearestNeighbours.accuracy(classCodes, heldLabels, 5));
    m.put("chance", NearestNeighbours.majorityShare(heldLabels));
    // Whether a translation carries both sources: re-encoded, is each of its codes nearer its own
    // source's than another held-out image's? A decoder that ignores one code leaves that one at 0.5.
    float[] again = session.reconstruct(translatedPixels, n).mu();
    float[][] contentSources = new float[n][];
    for (int i = 0; i < n; i++) {
      contentSources[i] = contentCodes[partner[i]];
    }
    m.put("translation_content_source_nearer", NearestNeighbours.ownNearer(codes(again, n, z, c, z), contentSources));
    m.put("translation_class_source_nearer", NearestNeighbours.ownNearer(codes(again, n, z, 0, c), classCodes));
    m.put("seconds", seconds);
    writeGrid(session, held, heldLabels);
    Png.write(folder.resolve("images/samples.png"), rows(session.sample(64, st.seed() + 2), 64),
        st.config().imageSize(), st.config().imageChannels(), 8, 3);
    return m;
  }

  /**
   * The translation grid: the top row holds content sources, the left column class sources (one of
   * each class where the held-out images have it), each cell D(z_c(row), z_s(column)).
   */
  private void writeGrid(TrainingSession session, float[] held, int[] heldLabels) throws IOException {
    int per = images.imageBytes();
    int z = settings.config().zDim();
    int c = settings.classZ();
    int k = 8;
    int[] pick = new int[k];
    boolean[] seen = new boolean[256];
    int found = 0;
    for (int i = 0; i < heldLabels.length && found < k; i++) {
      if (!seen[heldLabels[i]]) {
        seen[heldLabels[i]] = true;
        pick[found++] = i;
      }
    }
    for (int i = 0; found < k; i++) {
      pick[found++] = i;
    }
    float[] sources = new float[k * per];
    for (int i = 0; i < k; i++) {
      System.arraycopy(held, pick[i] * per, sources, i * per, per);
    }
    float[] mu = session.reconstruct(sources, k).mu();
    float[] latents = new float[k * k * z];
    for (int row = 0; row < k; row++) {
      for (int col = 0; col < k; col++) {
        int at = (row * k + col) * z;
        System.arraycopy(mu, row * z, latents, at, c);
        System.arraycopy(mu, col * z + c, latents, at + c, z - c);
      }
    }
    float[][] cells = rows(session.decode(latents), k * k);
    float[][] heads = rows(sources, k);
    Png.write(folder.resolve("images/translation.png"), Png.table(heads, heads, cells), settings.config().imageSize(),
        settings.config().imageChannels(), k + 1, 3);
  }

  private static float[][] codes(float[] mu, int n, int z, int from, int to) {
    float[][] out = new float[n][];
    for (int i = 0; i < n; i++) {
      out[i] = java.util.Arrays.copyOfRange(mu, i * z + from, i * z + to);
    }
    return out;
  }

  private static float[][] rows(float[] values, int n) {
    int each = values.length / n;
    float[][] out = new float[n][];
    for (int i = 0; i < n; i++) {
      out[i] = java.util.Arrays.copyOfRange(values, i * each, (i + 1) * each);
    }
    return out;
  }
}
