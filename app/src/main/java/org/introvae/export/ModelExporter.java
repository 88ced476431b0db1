package org.introvae.export;

import static org.introvae.serving.Signatures.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.introvae.data.DataException;
import org.introvae.data.Datasets;
import org.introvae.data.ImageFolderReader;
import org.introvae.data.ImageSet;
import org.introvae.eval.SampleQuality;
import org.introvae.model.Architecture;
import org.introvae.model.ImageArchitecture;
import org.introvae.model.InferenceGraph;
import org.introvae.model.PriorCalibration;
import org.introvae.model.StyleTruncation;
import org.introvae.model.TranslationNetworks;
import org.introvae.model.ModelConfig;
import org.introvae.serving.IntroVaeModel;
import org.introvae.serving.Json;
import org.introvae.serving.ModelInfo;
import org.introvae.train.Checkpoints;
import org.introvae.train.MetricsLog;
import org.introvae.train.RunFolder;
import org.introvae.train.RunParams;
import org.introvae.train.StorageError;
import org.introvae.train.TrainConfig;
import org.introvae.train.UserError;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;

/**
 * Exports a run's latest checkpoint as a SavedModel in TF Serving's layout {@code <model>/<version>/},
 * through {@link ModelVersions} (a temporary folder renamed into place, never overwriting).
 */
public final class ModelExporter {
  public static final String PREDICT = "tensorflow/serving/predict";

  private ModelExporter() {}

  /** Exports and returns the new version folder. {@code version} null means one above the highest present. */
  public static Path export(Path runDir, Path modelDir, Integer version) throws UserError, IOException {
    return export(runDir, modelDir, version, null);
  }

  /**
   * Images not used for training, and the classifier whose features give the FD of the model's samples
   * against them (Export --eval, --classifier).
   */
  public record EvalData(Path images, Path classifier) {
    /** In place of a path: the run's own held-out images (Export --eval held-out). */
    public static final Path RUN_HELD_OUT = Path.of("held-out");

    /** With the shipped Fashion-MNIST classifier. */
    public EvalData(Path images) {
      this(images, SampleQuality.SHIPPED_CLASSIFIER);
    }

    /**
     * The images, read at the model's size and channels; the run's held-out split for {@link #RUN_HELD_OUT}
     * ({@code run} null when there is no run).
     */
    EvalImages open(RunParams run, ModelConfig model) throws UserError {
      try {
        if (images.equals(RUN_HELD_OUT)) {
          if (run == null) {
            throw new UserError("--eval " + RUN_HELD_OUT + " needs a run (--run); give an image file or folder");
          }
          return new EvalImages(SampleQuality.runHeldOut(run.config(), model.imageSize(), model.imageChannels()),
              classifier);
        }
        return new EvalImages(Datasets.open(images,
            new ImageFolderReader.Options(model.imageSize(), model.imageChannels(), true)), classifier);
      } catch (DataException e) {
        throw new UserError("--eval: " + e.getMessage());
      }
    }
  }

  /** Evaluation images already read, and the classifier for the FD. */
  public record EvalImages(ImageSet images, Path classifier) {}

  /** As {@link #export(Path, Path, Integer)}, also measuring the exported graph on {@code evalData} (up to 10,000 images). */
  public static Path export(Path runDir, Path modelDir, Integer version, EvalData evalData) throws UserError, IOException {
    return export(runDir, modelDir, version, evalData, 1f);
  }

  /** As above, a style model's samples truncated by {@code truncationPsi} (1: none; see {@link StyleTruncation}). */
  public static Path export(Path runDir, Path modelDir, Integer version, EvalData evalData, float truncationPsi)
      throws UserError, IOException {
    RunFolder run = RunFolder.existing(runDir);
    RunFolder model = run.model();
    RunParams params = model.readParams();
    Checkpoints.Saved checkpoint = model.checkpoints().latest()
        .orElseThrow(() -> new UserError(model.root() + ": has no checkpoint to export"));
    ModelConfig config = params.model();
    Map<String, Object> facts = facts(params, config, checkpoint, run);
    if (Files.isRegularFile(model.averagedSteps())) {
      facts.put("averaged_steps", Json.parse(Files.readString(model.averagedSteps())));
    }
    return write(config, TranslationNetworks.Split.NONE, checkpoint.dir().resolve("model"), facts, modelDir, version,
        evalData == null ? null : evalData.open(params, config), truncationPsi);
  }

  /**
   * Writes the inference graph of {@code config} (with two encoders when {@code split} has them) with the
   * variables of {@code checkpoint} and {@code facts} as a new version of {@code modelDir}, through a
   * temporary folder and a rename; returns the version folder.
   */
  public static Path write(ModelConfig config, TranslationNetworks.Split split, Path checkpoint, Map<String, Object> facts, Path modelDir,
      Integer version, EvalImages evalData, float truncationPsi) throws UserError, IOException {
    StyleTruncation truncation = truncation(config, checkpoint, truncationPsi);
    Map<String, Architecture.Moments> priorStatistics = config.architecture().batchNormalized()
        ? PriorCalibration.of(config, split, checkpoint) : null;
    facts.remove(TRUNCATION_FACT);  // a re-export's source may carry another ψ
    if (truncation != null) {
      Map<String, Object> fact = new LinkedHashMap<>();
      fact.put("psi", truncationPsi);
      fact.put("applies_to", SAMPLE + " (w = w̄ + ψ (F(z) − w̄); " + DECODE + " and reconstructions are not truncated)");
      fact.put("average_style", "w̄: the mean of F(z) over " + StyleTruncation.DRAWS + " prior draws, measured at export");
      facts.put(TRUNCATION_FACT, fact);
    }
    return ModelVersions.write(modelDir, version, tmp -> {
      try (InferenceGraph g = new InferenceGraph(config, split, priorStatistics, truncation);
          Session session = new Session(g.graph)) {
        session.restore(checkpoint.toString());
        try {
          SavedModelBundle.exporter(tmp.toString())
              .withSession(session)
              .withSignatures(signatures(g))
              .withTags(SavedModelBundle.DEFAULT_TAG)
              .export();
        } catch (RuntimeException e) {
          throw StorageError.of(modelDir, "write the SavedModel", e);
        }
        facts.put("signatures", java.util.Arrays.stream(signatures(g)).map(Signature::key).toList());
        if (evalData != null) {
          facts.put("held_out_metrics", HeldOutMetrics.measure(g, session, evalData.images(), 10_000));
        }
        try {
          Path assets = tmp.resolve("assets");
          Files.createDirectories(assets);
          Files.writeString(assets.resolve(ModelInfo.ASSET), Json.writePretty(facts));
          if (evalData != null && addSampleQuality(facts, tmp, evalData)) {
            Files.writeString(assets.resolve(ModelInfo.ASSET), Json.writePretty(facts));
          }
        } catch (IOException e) {
          throw StorageError.of(modelDir, "write the SavedModel", e);
        }
      }
    });
  }

  /**
   * Puts the FD of the exported model's samples (read back from {@code version}, as a user loads it)
   * against the evaluation images into the facts, when the classifier takes the model's images.
   */
  private static boolean addSampleQuality(Map<String, Object> facts, Path version, EvalImages evalData) throws UserError {
    try (IntroVaeModel model = IntroVaeModel.load(version)) {
      Map<String, Map<String, Object>> measured = SampleQuality.measure(model, evalData.images(), evalData.classifier(),
          10_000);
      if (measured == null) {
        return false;
      }
      measured.forEach((key, fd) -> {
        fd.put("real", evalData.images().source());
        fd.put("classifier", evalData.classifier().toString());
        facts.put(key, fd);
      });
      return true;
    } catch (IOException e) {
      throw new UserError(evalData.classifier() + ": could not read the classifier (" + e.getMessage() + ")");
    }
  }

  /** The facts' key for a style model's truncation. */
  public static final String TRUNCATION_FACT = "truncation";

  private static StyleTruncation truncation(ModelConfig config, Path checkpoint, float psi) throws UserError {
    try {
      StyleTruncation.psi("--truncation", psi);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
    if (psi == 1f) {
      return null;
    }
    if (!config.architecture().styleBased()) {
      throw new UserError("--truncation: only the style-based networks (--architecture style) map z to a style;"
          + " this model's networks are " + config.architecture().label());
    }
    return StyleTruncation.measure(config, checkpoint, psi);
  }

  /** How the exported graph normalises, for the facts. */
  public static String batchNormFact(ModelConfig config) {
    return config.architecture().batchNormalized()
        ? "inference mode: moving averages from real-data passes; " + SAMPLE + ": the decoder's statistics over "
            + PriorCalibration.BATCHES * PriorCalibration.batch(config.imageSize())
            + " decodes of z ~ N(0, I) measured at export (also "
            + DECODE_PRIOR + "); "
            + SAMPLE_BATCH_STATISTICS + ": the statistics of each batch of samples"
        : "none: instance normalisation; noise inputs use one fixed map per layer";
  }

  static Signature[] signatures(InferenceGraph g) {
    Signature[] always = {
        Signature.builder().key(SERVING_DEFAULT).methodName(PREDICT)
            .input(IMAGES, g.images).output(RECONSTRUCTIONS, g.reconstructions).build(),
        Signature.builder().key(RECONSTRUCT).methodName(PREDICT)
            .input(IMAGES, g.images).output(RECONSTRUCTIONS, g.reconstructions).build(),
        Signature.builder().key(ENCODE).methodName(PREDICT)
            .input(IMAGES, g.images).output(MU, g.mu).output(LOGVAR, g.logvar).build(),
        Signature.builder().key(DECODE).methodName(PREDICT)
            .input(Z, g.latents).output(IMAGES, g.decoded).build(),
        Signature.builder().key(SAMPLE).methodName(PREDICT)
            .input(SEED, g.sampleSeed).input(COUNT, g.sampleCount).output(IMAGES, g.samples).build(),
        Signature.builder().key(RECONSTRUCT_IMAGE).methodName(PREDICT).input(IMAGE_BYTES, g.imageBytes)
            .output(RECONSTRUCTIONS, g.imageReconstructions).output(MU, g.imageMu).output(LOGVAR, g.imageLogvar)
            .build()};
    List<Signature> all = new java.util.ArrayList<>(List.of(always));
    if (g.samplesBatchStatistics != null) {
      all.add(Signature.builder().key(SAMPLE_BATCH_STATISTICS).methodName(PREDICT)
          .input(SEED, g.sampleSeed).input(COUNT, g.sampleCount).output(IMAGES, g.samplesBatchStatistics).build());
    }
    if (g.decodedPrior != null) {
      all.add(Signature.builder().key(DECODE_PRIOR).methodName(PREDICT).input(Z, g.latents)
          .output(IMAGES, g.decodedPrior).build());
    }
    if (g.mixed != null) {
      all.add(Signature.builder().key(MIX_STYLES).methodName(PREDICT).input(Z, g.latents).input(Z_FINE, g.fineLatents)
          .input(CROSSOVER, g.crossover).output(IMAGES, g.mixed).build());
    }
    if (g.translations != null) {
      all.add(Signature.builder().key(TRANSLATE).methodName(PREDICT).input(CLASS_IMAGES, g.classImages)
          .input(CONTENT_IMAGES, g.contentImages).output(IMAGES, g.translations).build());
    }
    return all.toArray(Signature[]::new);
  }

  private static Map<String, Object> facts(RunParams params, ModelConfig config, Checkpoints.Saved checkpoint,
      RunFolder run) throws IOException {
    TrainConfig c = params.config();
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("format", "introvae-savedmodel/1");
    f.put("objective", c.objective().name());
    f.put("updates", c.objective().updates().label());
    f.put("image_size", config.imageSize());
    f.put("image_channels", config.imageChannels());
    f.put("z", config.zDim());
    f.put("widths", config.widthsText());
    f.put("architecture", config.architecture().label());
    if (config.progressive()) {
      f.put("progressive", true);  // the networks have an image layer per resolution (ModelReExport rebuilds them)
    }
    f.put("preset", c.network().preset());
    c.objective().weights().forEach((option, v) -> f.put(option.replace('-', '_'), v));
    f.put("lr", c.schedule().lr());
    f.put("batch", c.schedule().batch());
    f.put("seed", c.schedule().seed());
    f.put("training_data", params.data().source());
    f.put("training_images", params.data().trainImages());
    f.put("step", checkpoint.step());
    f.put("batch_norm", batchNormFact(config));
    f.put("output_range", "[0, 1], clipped");
    f.put("exported_at", Instant.now().toString());
    if (Files.exists(run.metrics())) {
      Map<String, Double> last = MetricsLog.lastRow(run.metrics());
      if (!last.isEmpty()) {
        f.put("final_training_metrics", last);
      }
    }
    return f;
  }
}
