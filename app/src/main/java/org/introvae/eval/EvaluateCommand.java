package org.introvae.eval;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.introvae.data.DataException;
import org.introvae.data.ImageSet;
import org.introvae.export.ModelExporter;
import org.introvae.model.TensorFlowRuntime;
import org.introvae.serving.CommandLine;
import org.introvae.serving.IntroVaeModel;
import org.introvae.serving.Json;
import org.introvae.train.Folders;
import org.introvae.train.RunFolder;
import org.introvae.train.UserError;

/**
 * Evaluate's command line. With --run, the run's checkpoint is exported to a temporary SavedModel and
 * evaluated on the run's held-out images (unless --data says otherwise); with --model, an exported
 * model is evaluated on --data (default: the bundled Fashion-MNIST test split).
 */
public final class EvaluateCommand {
  private EvaluateCommand() {}

  static final String USAGE = """
      usage: Evaluate (--run runs/<name> | --model models/<name>) [--data DATA] [--ood DATA] [--images N]
                      [--decoder-variance V] [--seed N] [--out DIR]
             Evaluate --samples IMAGES [--data DATA] [--fd-images N] [--out DIR]
        Reconstruction error, ELBO and importance-weighted log p(x) (K = 1, 10, 100) in nats per image
        and bits per dimension, OOD AUROC against --ood, and pictures, into DIR (default <run>/eval or
        runs/eval-<model>). --images defaults to 500; the decoder variance to 1. With the shipped
        classifier (--classifier, default models/fmnist-classifier) also FD-FMNIST-classifier: the
        Fréchet distance of its features between --fd-images real images (default 10,000; 0 = skip)
        and 10,000 samples.
        --samples IMAGES: only the Fréchet distance between any set of images (a folder of PNGs, e.g.
        another implementation's samples, or an IDX file such as the training split for the floor)
        and --data.
      """;

  public static int run(String[] args, PrintStream out, PrintStream err) {
    TensorFlowRuntime.prepare();
    Map<String, String> d = new HashMap<>();
    for (String k : new String[] {"run", "model", "data", "ood", "out", "classifier", "samples"}) {
      d.put(k, null);
    }
    d.put("images", "500");
    d.put("decoder-variance", "1");
    d.put("seed", "1");
    d.put("fd-images", "10000");
    Path temp = null;
    try {
      CommandLine c = CommandLine.parse(args, d);
      if (c == null) {
        out.print(USAGE);
        return 0;
      }
      if (c.get("samples") != null) {
        return frechetOfSamples(c, out);
      }
      if ((c.get("run") == null) == (c.get("model") == null)) {
        throw new IllegalArgumentException("give exactly one of --run or --model (see --help)");
      }
      int limit = (int) c.whole("images", 1, 100_000);
      int fdImages = (int) c.whole("fd-images", 0, 100_000);
      double variance = Double.parseDouble(c.required("decoder-variance"));
      if (!(variance > 0)) {
        throw new IllegalArgumentException("--decoder-variance must be > 0");
      }
      Path modelDir;
      Path outDir;
      org.introvae.train.TrainConfig runConfig = null;
      if (c.get("run") != null) {
        Path run = Path.of(c.get("run"));
        runConfig = new RunFolder(run).readParams().config();
        temp = Files.createTempDirectory("introvae-eval");
        modelDir = ModelExporter.export(run, temp.resolve("model"), 1);
        outDir = c.get("out") != null ? Path.of(c.get("out")) : run.resolve("eval");
      } else {
        modelDir = Path.of(c.get("model"));
        outDir = c.get("out") != null ? Path.of(c.get("out")) : Path.of("runs", "eval-" + modelDir.getFileName());
      }
      try (IntroVaeModel model = IntroVaeModel.load(modelDir)) {
        int size = model.info().imageSize();
        int channels = model.info().imageChannels();
        float[][] all;
        String source;
        int wanted = Math.max(limit, fdImages);
        if (c.get("data") == null && runConfig != null) {
          ImageSet heldOut = SampleQuality.runHeldOut(runConfig, size, channels);
          all = SampleQuality.spread(heldOut, wanted);
          source = heldOut.source();
        } else {
          Path data = Path.of(c.get("data") != null ? c.get("data") : "data/fashion-mnist/t10k-images-idx3-ubyte.gz");
          all = SampleQuality.spread(SampleQuality.open(data, size, channels), wanted);
          source = data.toString();
        }
        float[][] images = java.util.Arrays.copyOf(all, Math.min(limit, all.length));
        float[][] ood = c.get("ood") == null ? null
            : SampleQuality.spread(SampleQuality.open(Path.of(c.get("ood")), size, channels), limit);
        Evaluation evaluation = new Evaluation(model, variance, c.whole("seed", Long.MIN_VALUE, Long.MAX_VALUE));
        Map<String, Object> fd = null;
        Path classifier = c.get("classifier") != null ? Path.of(c.get("classifier")) : SampleQuality.SHIPPED_CLASSIFIER;
        if (fdImages > 0 && Files.isDirectory(classifier)) {
          try (FeatureExtractor features = new FeatureExtractor(classifier)) {
            if (features.accepts(size, channels)) {
              fd = evaluation.frechet(features, java.util.Arrays.copyOf(all, Math.min(fdImages, all.length)), 10_000);
            } else {
              err.println("note: the classifier in " + classifier + " does not take " + size + "×" + size + "×" + channels
                  + " images; no Fréchet distance");
            }
          }
        } else if (c.get("classifier") != null) {
          throw new IllegalArgumentException("--classifier: " + classifier + " is not a folder");
        }
        Map<String, Object> metrics = evaluation.run(images, source, ood, c.get("ood"), fd, outDir);
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
  private static int frechetOfSamples(CommandLine c, PrintStream out) throws DataException, IOException {
    Path samples = Path.of(c.get("samples"));
    Path data = Path.of(c.get("data") != null ? c.get("data") : "data/fashion-mnist/t10k-images-idx3-ubyte.gz");
    int limit = (int) c.whole("fd-images", 1, 100_000);
    Path classifier = c.get("classifier") != null ? Path.of(c.get("classifier")) : SampleQuality.SHIPPED_CLASSIFIER;
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
      Path outDir = c.get("out") != null ? Path.of(c.get("out")) : Path.of("runs", "eval-samples-" + samples.getFileName());
      Files.createDirectories(outDir);
      Files.writeString(outDir.resolve("metrics.json"), Json.writePretty(Map.of("sample_quality", fd)));
      out.println(Json.writePretty(fd));
      out.println("wrote " + outDir.resolve("metrics.json"));
      return 0;
    }
  }
}
