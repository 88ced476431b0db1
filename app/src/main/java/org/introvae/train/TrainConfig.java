package org.introvae.train;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.introvae.model.Growth;
import org.introvae.model.ImageArchitecture;
import org.introvae.model.ModelConfig;
import org.introvae.model.Objective;
import org.introvae.model.Objectives;
import org.introvae.model.Placement;
import org.introvae.model.StyleMixing;
import org.introvae.model.UpdateOrder;

/**
 * One run's configuration, parsed and checked once from Train's options ({@link TrainOptions#config()}),
 * stored in params.json ({@link RunParams}) and read back by resume, export and evaluate.
 */
public record TrainConfig(Data data, Network network, ObjectiveSetting objective, Schedule schedule, Logging logging) {

  /** Where the images come from and how they are fitted (channels 0 = keep the data's) and split. */
  public record Data(String source, int channels, double heldOut, boolean resize) {
    public Path file() {
      return Path.of(source);
    }
  }

  /**
   * The network's shape before the data fixes its channel count, the probability that a training
   * batch of prior samples mixes two styles ({@link StyleMixing}; 0 for the residual networks), and the
   * epochs per resolution of progressive growing ({@link Growth}; 0: none).
   */
  public record Network(String preset, int imageSize, List<Integer> widths, int z, ImageArchitecture architecture,
      float styleMixing, int epochsPerLevel) {
    public Network {
      widths = List.copyOf(widths);
    }

    public ModelConfig forChannels(int imageChannels) {
      return new ModelConfig(imageSize, imageChannels, widths.stream().mapToInt(Integer::intValue).toArray(), z,
          architecture, epochsPerLevel > 0);
    }

    /** The growth schedule of a growing network, else empty. */
    public java.util.Optional<Growth> growth() {
      return epochsPerLevel > 0 ? java.util.Optional.of(new Growth(epochsPerLevel, widths.size()))
          : java.util.Optional.empty();
    }

    public StyleMixing mixing() {
      return new StyleMixing(styleMixing);
    }
  }

  /**
   * The objective's name, the update order, its weights by option name (β_kl as "beta-kl"), and for the
   * bootstrapped Soft-IntroVAE the epochs between refreshes of the target decoder (0: no bootstrap; runs
   * from before it read 0).
   */
  public record ObjectiveSetting(String name, UpdateOrder updates, Map<String, Float> weights, int bootstrapEvery) {
    public boolean bootstrapped() {
      return bootstrapEvery > 0;
    }

    public ObjectiveSetting {
      weights = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    }

    /** The objective these weights configure; the values were checked when the options were parsed. */
    public Objective build() {
      Objective.Kind kind = Objectives.byName(name);
      float[] values = new float[kind.weights().size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = weights.get(kind.weights().get(i).option());
      }
      return kind.of(values);
    }
  }

  /**
   * Optimisation: Adam's rate, the batch, how long, the VAE warm-up, the seed, TensorFlow's threads and
   * where the step runs (device cpu, gpu or gpu:N; replicas splitting each batch).
   */
  public record Schedule(float lr, int batch, int epochs, int steps, int vaeEpochs, long seed, int threads,
      String device, int replicas) {
    /** The device and replicas, checked when the options were parsed. */
    public Placement placement() {
      return Placement.parse(device, replicas);
    }
  }

  /**
   * Steps between metrics rows, picture grids and checkpoints; how many of the newest checkpoints are
   * kept, and how many of them the run's model averages at the end (1: the last step's weights).
   */
  public record Logging(int logEvery, int imageEvery, int checkpointEvery, int keepCheckpoints, int averageLast) {}
}
