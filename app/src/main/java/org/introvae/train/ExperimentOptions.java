package org.introvae.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.introvae.commandline.ToolOptions;
import org.introvae.data.DataException;
import org.introvae.model.Objective;
import org.introvae.model.Objectives;
import org.introvae.model.Placement;
import org.introvae.model.UpdateOrder;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/** The options the experiment commands (2-D densities, point clouds, translation) share, each checked with a one-line error. */
public final class ExperimentOptions {
  private ExperimentOptions() {}

  /** A command's work, which may fail on the user's input or on I/O. */
  public interface Work {
    void run() throws IOException, DataException;
  }

  /** Runs {@code work}, returning the exit code: 0 done, 2 bad input (one line on {@code err}), 1 I/O failure or divergence. */
  public static int exitCode(PrintStream err, Work work) {
    try {
      work.run();
      return 0;
    } catch (IllegalArgumentException | DataException e) {
      err.println("error: " + e.getMessage());
      return 2;
    } catch (IllegalStateException | IOException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
  }

  /** The parser of {@code options} with an option for every registered objective's weights (they default to the objective's). */
  public static ToolOptions withWeights(Object options) {
    ToolOptions parser = new ToolOptions(options);
    for (Map.Entry<Objective.Weight, List<String>> e : Objectives.weightOptions().entrySet()) {
      Objective.Weight w = e.getKey();
      parser.add(OptionSpec.builder("--" + w.option()).paramLabel(w.symbol()).type(Float.class)
          .description(w.help() + " (" + String.join(", ", e.getValue()) + ") [the objective's default]").build());
    }
    return parser;
  }

  /** {@code base}'s weights, with any given on the command line instead. */
  public static Objective objective(ToolOptions parsed, Objective base) {
    float[] values = base.weightValues();
    for (int i = 0; i < values.length; i++) {
      String option = "--" + base.kind().weights().get(i).option();
      Float given = parsed.given(option);
      values[i] = given == null ? values[i] : ToolOptions.nonNegative(option, given);
    }
    return base.kind().of(values);
  }

  /** --seed, --run, --runs and --log-every, with the experiment's own defaults. */
  public static final class Output {
    @Option(names = "--seed", paramLabel = "N", description = "seed of data, weights and noise")
    public long seed;
    @Option(names = "--run", paramLabel = "NAME", description = "output folder under --runs [<experiment>-<objective>]")
    String run;
    @Option(names = "--runs", paramLabel = "DIR")
    Path runs = Path.of("runs");
    @Option(names = "--log-every", paramLabel = "N", description = "steps between progress lines")
    int logEvery;

    /** picocli needs a no-argument constructor; the hosts set their defaults with the other one. */
    public Output() {
      this(1, 100);
    }

    public Output(long seed, int logEvery) {
      this.seed = seed;
      this.logEvery = logEvery;
    }

    /** The run's folder: --run, or {@code name} when it was not given, under --runs. */
    public Path folder(String name) {
      return runs.resolve(run != null ? run : name);
    }

    public int logEvery() {
      return ToolOptions.whole("--log-every", logEvery, 1, 1 << 30);
    }
  }

  /** --updates and --threads, as for image training. */
  public static final class Execution {
    @Option(names = "--updates", paramLabel = "ORDER", description = "alternating (the papers' order) or simultaneous")
    String updates = UpdateOrder.ALTERNATING.label();
    @Option(names = "--threads", paramLabel = "N", description = "TensorFlow's intra- and inter-op threads (0 = TF's default)")
    int threads = 0;
    public UpdateOrder order() {
      try {
        return UpdateOrder.byLabel(updates);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--updates: " + e.getMessage());
      }
    }

    public int threads() {
      return ToolOptions.whole("--threads", threads, 0, 256);
    }
  }

  /** --device and --replicas, as for image training. */
  public static final class Devices {
    @Option(names = "--device", paramLabel = "cpu|gpu|gpu:N", description = "where the step runs; without a GPU, the CPU")
    String device = "cpu";
    @Option(names = "--replicas", paramLabel = "N", description = "split each batch over N devices, average the gradients")
    int replicas = 1;

    /** The devices, the batch split into equal shards. */
    public Placement placement(int batch) {
      int n = ToolOptions.whole("--replicas", replicas, 1, 1024);
      if (batch % n != 0) {
        throw new IllegalArgumentException("--replicas: a batch of " + batch + " does not split into " + n
            + " equal shards");
      }
      try {
        return Placement.parse(device, n);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--device: " + e.getMessage());
      }
    }
  }
}
