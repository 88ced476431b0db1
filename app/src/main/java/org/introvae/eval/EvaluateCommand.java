package org.introvae.eval;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.introvae.commandline.ToolOptions;
import org.introvae.data.DataException;
import org.introvae.data.ImageSet;
import org.introvae.export.ModelExporter;
import org.introvae.model.TensorFlowRuntime;
import org.introvae.serving.IntroVaeModel;
import org.introvae.serving.Json;
import org.introvae.serving.SampleNormalization;
import org.introvae.train.Folders;
import org.introvae.train.RunFolder;
import org.introvae.train.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Evaluate's command line. With --run, the run's checkpoint is exported to a temporary SavedModel and
 * evaluated on the run's held-out images (unless --data says otherwise); with --model, an exported
 * model is evaluated on --data (default: the bundled Fashion-MNIST test split).
 */
public final class EvaluateCommand {
  private static final Path DEFAULT_DATA = Path.of(org.introvae.train.TrainOptions.DEFAULT_DATA);

  private EvaluateCommand() {}

  @Command(name = "evaluate", showDefaultValues = true, sortOptions = false, description = {
      "Reconstruction error, ELBO and importance-weighted log p(x) (K = 1, 10, 100) in nats per image and bits per",
      "dimension, OOD AUROC against --ood, and pictures, into --out. With the classifier also its Fréchet distance",
      "(FD-FMNIST-classifier) between --fd-images real images and 10,000 samples. Give --run or --model; or",
      "--samples IMAGES for only the Fréchet distance between any set of images (a folder of PNGs, e.g. another",
      "implementation's samples, or an IDX file such as the training split for the floor) and --data."})
  static final class Options {
    @Option(names = "--run", paramLabel = "DIR", description = "a run: its checkpoint, evaluated on its held-out images"
        + " unless --data says otherwise")
    Path run;
    @Option(names = "--model", paramLabel = "DIR", description = "an exported model, evaluated on --data")
    Path model;
    @Option(names = "--samples", paramLabel = "IMAGES", description = "only the FD of these images against --data")
    Path samples;
    @Option(names = "--data", paramLabel = "DATA", description = "images to evaluate on [the run's held-out images, or"
        + " the bundled Fashion-MNIST test split]")
    Path data;
    @Option(names = "--ood", paramLabel = "DATA", description = "out-of-distribution images for the AUROC")
    Path ood;
    @Option(names = "--images", paramLabel = "N", description = "images for the likelihoods")
    int images = 500;
    @Option(names = "--fd-images", paramLabel = "N", description = "real images for the FD (0 = skip)")
    int fdImages = 10_000;
    @Option(names = "--decoder-variance", paramLabel = "V", description = "the Gaussian decoder's variance")
    double decoderVariance = 1;
    @Option(names = "--seed", paramLabel = "N")
    long seed = 1;
    @Option(names = "--classifier", paramLabel = "DIR", description = "the classifier behind the FD [models/fmnist-classifier]")
    Path classifier;
    @Option(names = "--out", paramLabel = "DIR", description = "[<run>/eval, runs/eval-<model> or runs/eval-samples-<name>]")
    Path out;
    @Mixin
    ToolOptions.Help help;
  }

  public static int run(String[] args, PrintStream out, PrintStream err) {
    TensorFlowRuntime.prepare();
    Path temp = null;
    try {
      Options c = new Options();
      if (!new ToolOptions(c).parse(args, out)) {
        return 0;
      }
      if (c.samples != null) {
        return frechetOfSamples(c, out);
      }
      if ((c.run == null) == (c.model == null)) {
        throw new IllegalArgumentException("give exactly one of --run or --model (see --help)");
      }
      int limit = ToolOptions.whole("--images", c.images, 1, 100_000);
      int fdImages = ToolOptions.whole("--fd-images", c.fdImages, 0, 100_000);
      double variance = c.decoderVariance;
      if (!(variance > 0)) {
        throw new IllegalArgumentException("--decoder-variance must be > 0");
      }
      Path modelDir;
      Path outDir;
      org.introvae.train.TrainConfig runConfig = null;
      if (c.run != null) {
        Path run = c.run;
        runConfig = RunFolder.existing(run).readParams().config();
        temp = Files.createTempDirectory("introvae-eval");
        modelDir = ModelExporter.export(run, temp.resolve("model"), 1);
        outDir = c.out != null ? c.out : run.resolve("eval");
      } else {
        modelDir = c.model;
        outDir = c.out != null ? c.out : Path.of("runs", "eval-" + modelDir.getFileName());
      }
      try (IntroVaeModel model = IntroVaeModel.load(modelDir)) {
        int size = model.info().imageSize();
        int channels = model.info().imageChannels();
        float[][] all;
        String source;
        int wanted = Math.max(limit, fdImages);
        if (c.data == null && runConfig != null) {
          ImageSet heldOut = SampleQuality.runHeldOut(runConfig, size, channels);
          all = SampleQuality.spread(heldOut, wanted);
          source = heldOut.source();
        } else {
          Path data = c.data != null ? c.data : DEFAULT_DATA;
          all = SampleQuality.spread(SampleQuality.open(data, size, channels), wanted);
          source = data.toString();
        }
        float[][] images = java.util.Arrays.copyOf(all, Math.min(limit, all.length));
        float[][] ood = c.ood == null ? null : SampleQuality.spread(SampleQuality.open(c.ood, size, channels), limit);
        Evaluation evaluation = new Evaluation(model, variance, c.seed);
        Map<String, Map<String, Object>> fd = null;
        Path classifier = c.classifier != null ? c.classifier : SampleQuality.SHIPPED_CLASSIFIER;
        if (fdImages > 0 && Files.isDirectory(classifier)) {
          try (FeatureExtractor features = new FeatureExtractor(classifier)) {
            if (features.accepts(size, channels)) {
              fd = SampleQuality.measure(evaluation, features, java.util.Arrays.copyOf(all, Math.min(fdImages, all.length)));
            } else {
              err.println("note: the classifier in " + classifier + " does not take " + size + "×" + size + "×" + channels
                  + " images; no Fréchet distance");
            }
          }
        } else if (c.classifier != null) {
          throw new IllegalArgumentException("--classifier: " + classifier + " is not a folder");
        } else if (fdImages > 0) {
          err.println("note: no classifier at " + classifier.toAbsolutePath() + " (run from the project's folder or give"
              + " --classifier); no Fréchet distance");
        }
        Map<String, Object> metrics = evaluation.run(images, source, ood, c.ood == null ? null : c.ood.toString(), fd, outDir);
        out.println(Json.writePretty(metrics));
        out.println("wrote " + outDir.resolve("metrics.json") + " and pictures");
      }
      return 0;
    } catch (UserError | DataException | IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("error: " + e.getMessage());
      return 1;
    } finally {
      if (temp != null) {
        try {
          Folders.deleteTree(temp);
        } catch (IOException ignored) {
          // a temporary folder left behind is harmless
        }
      }
    }
  }

  /** FD-FMNIST-classifier between the images of --samples and --data, written to --out/metrics.json. */
  private static int frechetOfSamples(Options c, PrintStream out) throws DataException, IOException {
    Path samples = c.samples;
    Path data = c.data != null ? c.data : DEFAULT_DATA;
    int limit = ToolOptions.whole("--fd-images", c.fdImages, 1, 100_000);
    Path classifier = c.classifier != null ? c.classifier : SampleQuality.SHIPPED_CLASSIFIER;
    try (FeatureExtractor features = new FeatureExtractor(classifier)) {
      int size = ((Number) features.facts().get("image_size")).intValue();
      int channels = ((Number) features.facts().get("image_channels")).intValue();
      float[][] real = SampleQuality.spread(SampleQuality.open(data, size, channels), limit);
      float[][] generated = SampleQuality.spread(SampleQuality.open(samples, size, channels), limit);
      Map<String, Object> fd = new java.util.LinkedHashMap<>();
      fd.put("name", features.fdName());
      fd.put("value", FrechetDistance.between(features.of(real), features.of(generated)));
      fd.put("real", data.toString());
      fd.put("real_images", real.length);
      fd.put("samples", samples.toString());
      fd.put("sample_images", generated.length);
      Path outDir = c.out != null ? c.out : Path.of("runs", "eval-samples-" + samples.getFileName());
      Files.createDirectories(outDir);
      Files.writeString(outDir.resolve("metrics.json"), Json.writePretty(Map.of(SampleQuality.key(SampleNormalization.FIXED), fd)));
      out.println(Json.writePretty(fd));
      out.println("wrote " + outDir.resolve("metrics.json"));
      return 0;
    }
  }
}
