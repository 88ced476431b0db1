package org.introvae.train;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.introvae.commandline.ToolOptions;
import org.introvae.model.Cluster;
import org.introvae.model.ImageArchitecture;
import org.introvae.model.StyleMixing;
import org.introvae.model.IntroVaeObjective;
import org.introvae.model.Objectives;
import org.introvae.model.Objective;
import org.introvae.model.Placement;
import org.introvae.model.Preset;
import org.introvae.model.SoftIntroVaeObjective;
import org.introvae.model.UpdateOrder;

/**
 * Train's command line. Every model and training value defaults to the chosen preset's and can be
 * overridden; --help prints each option with its default.
 */
public final class TrainOptions {
  /** Checkpoints the run's model averages by default (see the README's Averaging checkpoints). */
  static final int DEFAULT_AVERAGE_LAST = 3;

  public static final String DEFAULT_DATA = "data/fashion-mnist/t10k-images-idx3-ubyte.gz";

  private record Spec(String name, String argument, String help, Function<Preset, String> defaultValue) {
    boolean isFlag() {
      return argument == null;
    }
  }

  private static final List<Spec> SPECS = specs(List.of(
      new Spec("data", "PATH", "IDX file (.gz or raw) or folder of images", p -> DEFAULT_DATA),
      new Spec("preset", "NAME", "model preset: " + Preset.names(), p -> Preset.DEFAULT.label()),
      new Spec("image-size", "N", "image side in pixels (images are centre-cropped and resized)", p -> str(p.config().imageSize())),
      new Spec("channels", "auto|1|3", "image channels; auto keeps the data's, 1 or 3 converts", p -> "auto"),
      new Spec("widths", "LIST", "channel counts of the residual stages, e.g. 64,128", p -> p.config().widthsText()),
      new Spec("z", "N", "latent dimensions", p -> str(p.config().zDim())),
      new Spec("architecture", "NAME", "residual (both papers' networks), style (the style-based networks of"
          + " Soft-IntroVAE's FFHQ model: mapping network, AdaIN, noise inputs) or style-alae (those trained as the"
          + " official code: equalised learning rates, blur, Adam β 0/0.99)", p -> ImageArchitecture.RESIDUAL.label()),
      new Spec("style-mixing", "P", "style: probability that a training batch of prior samples takes a second draw's"
          + " style from a random layer on [default: " + StyleMixing.OFFICIAL_PROBABILITY + " for style, as the"
          + " authors; 0 for residual]", p -> null),
      new Spec("epochs-per-level", "E", "style, style-alae: grow progressively (ALAE's schedule): start at the smallest"
          + " map and add a resolution every E epochs, fading it in over the first E // 2 (0 = every resolution from"
          + " the start)", p -> "0"),
      new Spec("objective", "NAME", "training objective: " + Objectives.names(), p -> IntroVaeObjective.NAME),
      new Spec("updates", "ORDER", "alternating (the papers' order: the decoder's loss sees the updated encoder) or"
          + " simultaneous (both gradients on the same weights)", p -> UpdateOrder.ALTERNATING.label()),
      new Spec("bootstrap", null, "soft, alternating: a target decoder, a copy of the decoder refreshed every"
          + " --target-every epochs and never trained, decodes the re-encoded generated images", p -> "false"),
      new Spec("target-every", "N", "with --bootstrap: epochs between copies of the decoder into the target", p -> "1"),
      new Spec("lr", "RATE", "Adam learning rate of both optimizers", p -> str(p.learningRate())),
      new Spec("batch", "N", "images per step [default: the preset's for the objective]", p -> null),
      new Spec("epochs", "N", "passes over the training images", p -> str(p.epochs())),
      new Spec("steps", "N", "stop after N steps in total (0 = no limit)", p -> "0"),
      new Spec("vae-epochs", "N", "first N epochs train the plain VAE objective (α = 0) [default: the preset's for the"
          + " objective, 0 for soft]", p -> null),
      new Spec("seed", "N", "seed of weights, data order and noise; the same seed gives the same losses", p -> "1"),
      new Spec("threads", "N", "TensorFlow's intra- and inter-op threads (0 = TensorFlow's default: all cores)", p -> "0"),
      new Spec("device", "cpu|gpu|gpu:N", "where the step runs; without a GPU, gpu falls back to the CPU", p -> "cpu"),
      new Spec("replicas", "N", "split each batch over N devices (gpu:N, gpu:N+1, … or N CPU devices),"
          + " average the gradients, one update", p -> "1"),
      new Spec("cluster", "worker=HOST:PORT,…", "train on several machines with TensorFlow's distributed runtime:"
          + " one replica per worker task, each on its --device; start every task with the same list", p -> null),
      new Spec("task", "N", "this process's task in --cluster: 0, the chief, trains and writes the run;"
          + " the others serve their device until the chief's run ends", p -> "0"),
      new Spec("run", "NAME", "run name; output goes to <runs>/<name>/", p -> null),
      new Spec("runs", "DIR", "folder that holds the runs", p -> "runs"),
      new Spec("export", "DIR", "after training, export the model to DIR/<next version> (TF Serving layout)", p -> null),
      new Spec("resume", null, "continue the run named by --run from its last checkpoint", p -> "false"),
      new Spec("held-out", "FRACTION", "fraction of images kept out of training (shown in the grids)", p -> "0.1"),
      new Spec("no-resize", null, "require images to be exactly --image-size instead of resizing", p -> "false"),
      new Spec("log-every", "N", "steps between rows of metrics.csv", p -> "10"),
      new Spec("image-every", "N", "steps between picture grids", p -> "200"),
      new Spec("checkpoint-every", "N", "steps between checkpoints", p -> String.valueOf(p.checkpointEvery())),
      new Spec("keep-checkpoints", "N", "how many of the newest checkpoints are kept [2, or --average-last if more]",
          p -> null),
      new Spec("average-last", "K", "at the end, the run's model is the mean of the newest K checkpoints' weights,"
          + " written to <run>/average; final.png and --export show it (1: the last step's weights)",
          p -> String.valueOf(DEFAULT_AVERAGE_LAST)),
      new Spec("help", null, "print this help", p -> "false")));

  /** The options above with every objective's weights (from the registry) after --updates. */
  private static List<Spec> specs(List<Spec> general) {
    List<Spec> all = new java.util.ArrayList<>();
    for (Spec s : general) {
      all.add(s);
      if (s.name().equals("updates")) {
        Objectives.weightOptions().forEach((w, users) -> all.add(new Spec(w.option(), w.symbol(),
            String.join(", ", users) + ": " + w.help(), p -> str(weightDefault(p, w.option())))));
      }
    }
    return List.copyOf(all);
  }

  /** A weight's default under preset {@code p}: that of the first objective that takes it. */
  private static float weightDefault(Preset p, String option) {
    for (Objective.Kind k : Objectives.ALL) {
      for (int i = 0; i < k.weights().size(); i++) {
        if (k.weights().get(i).option().equals(option)) {
          return k.presetDefaults().apply(p).weightValues()[i];
        }
      }
    }
    throw new IllegalArgumentException(option);
  }

  /** Options a resumed run may change; everything else must stay as the run was started. */
  private static final List<String> RESUMABLE = List.of("run", "runs", "resume", "steps", "epochs", "lr", "export", "log-every",
      "image-every", "checkpoint-every", "keep-checkpoints", "average-last", "data", "threads", "device", "replicas", "cluster", "task");

  private final Map<String, String> explicit;
  private final Preset preset;
  private final TrainConfig config;
  private final Cluster cluster;

  private TrainOptions(Map<String, String> explicit) throws UserError {
    this.explicit = explicit;
    try {
      this.preset = Preset.byName(explicit.getOrDefault("preset", Preset.DEFAULT.label()));
    } catch (IllegalArgumentException e) {
      throw new UserError("--preset: " + e.getMessage());
    }
    this.cluster = cluster();
    this.config = build();
    if (resume() && !explicit.containsKey("run")) {
      throw new UserError("--resume needs --run NAME (the run to continue)");
    }
    String run = runName();
    if (run.isEmpty() || run.contains("/") || run.contains("\\") || run.startsWith(".")) {
      throw new UserError("--run: '" + run + "' is not a plain folder name");
    }
  }

  public static TrainOptions parse(String... args) throws UserError {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new UserError("unexpected argument '" + arg + "' (options start with --; see --help)");
      }
      String name = arg.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      Spec spec = spec(name);
      if (spec == null) {
        throw new UserError("unknown option --" + name + " (see --help)");
      }
      if (spec.isFlag()) {
        if (value != null) {
          throw new UserError("--" + name + " takes no value");
        }
        value = "true";
      } else if (value == null) {
        // "--lr --steps 2": the next word is another option, not this one's value.
        if (i + 1 >= args.length || (args[i + 1].startsWith("--") && spec(optionName(args[i + 1])) != null)) {
          throw new UserError("--" + name + " needs a value (" + spec.argument() + ")");
        }
        value = args[++i];
      }
      values.put(name, value);
    }
    return new TrainOptions(values);
  }

  /** The options of a params.json from before it held typed records (a flat map of option values). */
  static TrainOptions fromStored(Map<String, String> stored) throws UserError {
    Map<String, String> known = new LinkedHashMap<>();
    SPECS.stream().filter(s -> stored.containsKey(s.name())).forEach(s -> known.put(s.name(), stored.get(s.name())));
    // Runs from before --updates existed took both gradients on the same weights.
    known.putIfAbsent("updates", UpdateOrder.SIMULTANEOUS.label());
    return new TrainOptions(known);
  }

  /** The stored configuration with the changes a resume may make; any other explicit option must match it. */
  public TrainOptions resumedFrom(TrainConfig stored) throws UserError {
    Map<String, String> merged = optionsOf(stored);
    Map<String, String> given = optionsOf(config);
    for (Map.Entry<String, String> e : explicit.entrySet()) {
      String before = merged.get(e.getKey());
      if (!RESUMABLE.contains(e.getKey()) && before != null && !before.equals(given.get(e.getKey()))) {
        throw new UserError("--" + e.getKey() + " " + e.getValue() + " differs from the run's params.json ("
            + before + "); a resumed run keeps its hyper-parameters");
      }
      merged.put(e.getKey(), e.getValue());
    }
    if (explicit.containsKey("cluster") && !explicit.containsKey("replicas")) {
      merged.remove("replicas");  // the cluster's workers set the replicas
    }
    merged.put("resume", "true");
    return new TrainOptions(merged);
  }

  /** The option values that parse to {@code c} (the inverse of {@link #config()}). */
  static Map<String, String> optionsOf(TrainConfig c) {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("data", c.data().source());
    o.put("preset", c.network().preset());
    o.put("image-size", str(c.network().imageSize()));
    o.put("channels", c.data().channels() == 0 ? "auto" : str(c.data().channels()));
    o.put("widths", c.network().widths().stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")));
    o.put("z", str(c.network().z()));
    o.put("architecture", c.network().architecture().label());
    o.put("style-mixing", str(c.network().styleMixing()));
    o.put("epochs-per-level", str(c.network().epochsPerLevel()));
    o.put("objective", c.objective().name());
    o.put("updates", c.objective().updates().label());
    c.objective().weights().forEach((w, v) -> o.put(w, str(v)));
    o.put("bootstrap", str(c.objective().bootstrapped()));
    if (c.objective().bootstrapped()) {
      o.put("target-every", str(c.objective().bootstrapEvery()));
    }
    o.put("lr", str(c.schedule().lr()));
    o.put("batch", str(c.schedule().batch()));
    o.put("epochs", str(c.schedule().epochs()));
    o.put("steps", str(c.schedule().steps()));
    o.put("vae-epochs", str(c.schedule().vaeEpochs()));
    o.put("seed", str(c.schedule().seed()));
    o.put("threads", str(c.schedule().threads()));
    o.put("device", c.schedule().device());
    o.put("replicas", str(c.schedule().replicas()));
    o.put("held-out", str(c.data().heldOut()));
    o.put("no-resize", str(!c.data().resize()));
    o.put("log-every", str(c.logging().logEvery()));
    o.put("image-every", str(c.logging().imageEvery()));
    o.put("checkpoint-every", str(c.logging().checkpointEvery()));
    o.put("keep-checkpoints", str(c.logging().keepCheckpoints()));
    o.put("average-last", str(c.logging().averageLast()));
    return o;
  }

  private static String optionName(String arg) {
    String name = arg.substring(2);
    int eq = name.indexOf('=');
    return eq >= 0 ? name.substring(0, eq) : name;
  }

  private static Spec spec(String name) {
    return SPECS.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
  }

  private String get(String name) {
    return explicit.containsKey(name) ? explicit.get(name) : spec(name).defaultValue().apply(preset);
  }

  /** Every value parsed and checked, once. */
  private TrainConfig build() throws UserError {
    int imageSize = whole("image-size");
    if (imageSize < 4 || imageSize > MAX_IMAGE_SIZE) {
      throw new UserError("--image-size: must be from 4 to " + MAX_IMAGE_SIZE + ", not " + get("image-size"));
    }
    ImageArchitecture architecture;
    try {
      architecture = ImageArchitecture.byLabel(get("architecture"));
    } catch (IllegalArgumentException e) {
      throw new UserError("--architecture: " + e.getMessage());
    }
    TrainConfig.Network network = new TrainConfig.Network(preset.label(), imageSize, widths(), positive("z"), architecture,
        styleMixing(architecture), epochsPerLevel(architecture));
    try {
      network.forChannels(1);
    } catch (IllegalArgumentException e) {
      throw new UserError("--image-size/--widths: " + e.getMessage());
    }
    double heldOut = number("held-out");
    if (heldOut < 0 || heldOut >= 1) {
      throw new UserError("--held-out: must be in [0, 1), not " + get("held-out"));
    }
    TrainConfig.Data data = new TrainConfig.Data(get("data"), imageChannels(), heldOut,
        !Boolean.parseBoolean(get("no-resize")));
    float lr = single("lr");
    if (lr <= 0) {
      throw new UserError("--lr: must be > 0, not " + get("lr"));
    }
    long seed;
    try {
      seed = Long.parseLong(get("seed"));
    } catch (NumberFormatException e) {
      throw new UserError("--seed: '" + get("seed") + "' is not a whole number");
    }
    int batch = batch();
    Placement placement = placement(batch);
    TrainConfig.Schedule schedule = new TrainConfig.Schedule(lr, batch, nonNegative("epochs"), nonNegative("steps"),
        vaeEpochs(), seed, nonNegative("threads"), placement.device(), placement.replicas());
    int averageLast = positive("average-last");
    int keep = explicit.containsKey("keep-checkpoints") ? positive("keep-checkpoints")
        : Math.max(Checkpoints.DEFAULT_KEEP, averageLast);
    if (keep < averageLast) {
      throw new UserError("--keep-checkpoints " + keep + " keeps fewer checkpoints than --average-last " + averageLast
          + " averages");
    }
    TrainConfig.Logging logging = new TrainConfig.Logging(positive("log-every"), positive("image-every"),
        positive("checkpoint-every"), keep, averageLast);
    return new TrainConfig(data, network, objective(), schedule, logging);
  }

  /** The run's configuration, parsed and checked when the options were. */
  public TrainConfig config() {
    return config;
  }

  public boolean help() {
    return explicit.containsKey("help");
  }

  /** Largest image side: beyond the 1024 preset's, and what one decoded image can hold. */
  public static final int MAX_IMAGE_SIZE = 4096;

  /** 0 = keep the data's channels. */
  private int imageChannels() throws UserError {
    String v = get("channels");
    return switch (v) {
      case "auto" -> 0;
      case "1" -> 1;
      case "3" -> 3;
      default -> throw new UserError("--channels: '" + v + "' must be auto, 1 or 3");
    };
  }

  private List<Integer> widths() throws UserError {
    try {
      return java.util.Arrays.stream(ToolOptions.wholes("--widths", get("widths"), 1, 8192)).boxed().toList();
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
  }

  /** The objective's name, order and weights, each read from its option and checked once here. */
  private TrainConfig.ObjectiveSetting objective() throws UserError {
    Objective.Kind kind;
    try {
      kind = Objectives.byName(get("objective"));
    } catch (IllegalArgumentException e) {
      throw new UserError("--objective: " + e.getMessage());
    }
    Map<String, Float> weights = new LinkedHashMap<>();
    for (Objective.Weight w : kind.weights()) {
      float v = single(w.option());
      if (w.problem(v) != null) {
        throw new UserError("--" + w.option() + ": must be " + w.bound() + ", not " + get(w.option()));
      }
      weights.put(w.option(), v);
    }
    UpdateOrder updates;
    try {
      updates = UpdateOrder.byLabel(get("updates"));
    } catch (IllegalArgumentException e) {
      throw new UserError("--updates: " + e.getMessage());
    }
    int targetEvery = positive("target-every");
    boolean bootstrap = Boolean.parseBoolean(get("bootstrap"));
    if (bootstrap && (!kind.name().equals(SoftIntroVaeObjective.NAME) || updates != UpdateOrder.ALTERNATING)) {
      throw new UserError("--bootstrap: the bootstrap is Soft-IntroVAE's (--objective soft) in the alternating order");
    }
    if (!bootstrap && explicit.containsKey("target-every")) {
      throw new UserError("--target-every needs --bootstrap");
    }
    return new TrainConfig.ObjectiveSetting(kind.name(), updates, weights, bootstrap ? targetEvery : 0);
  }

  private Placement placement(int batch) throws UserError {
    int replicas = positive("replicas");
    if (cluster != null) {
      if (explicit.containsKey("replicas") && replicas != cluster.size()) {
        throw new UserError("--replicas: with --cluster each of the " + cluster.size()
            + " workers runs one replica; leave --replicas out");
      }
      replicas = cluster.size();
    }
    if (batch % replicas != 0) {
      throw new UserError((cluster == null ? "--replicas" : "--batch/--cluster") + ": a batch of " + batch
          + " does not split into " + replicas + " equal shards" + (cluster == null ? "" : ", one per worker"));
    }
    try {
      return Placement.parse(get("device"), replicas);
    } catch (IllegalArgumentException e) {
      throw new UserError("--device: " + e.getMessage());
    }
  }

  private Cluster cluster() throws UserError {
    int task = nonNegative("task");
    if (!explicit.containsKey("cluster")) {
      if (explicit.containsKey("task")) {
        throw new UserError("--task needs --cluster (the tasks it is one of)");
      }
      return null;
    }
    try {
      return Cluster.parse(get("cluster"), task);
    } catch (IllegalArgumentException e) {
      throw new UserError("--cluster/--task: " + e.getMessage());
    }
  }

  /** The machines of a distributed run, and which task this process is, if --cluster was given. */
  public java.util.Optional<Cluster> clusterTask() {
    return java.util.Optional.ofNullable(cluster);
  }

  private int batch() throws UserError {
    return explicit.containsKey("batch") ? positive("batch") : preset.batch(get("objective"));
  }

  private int vaeEpochs() throws UserError {
    return explicit.containsKey("vae-epochs") ? nonNegative("vae-epochs") : preset.vaeEpochs(get("objective"));
  }

  public String runName() {
    String run = get("run");
    return run != null ? run : "introvae-" + STARTED;
  }

  private static final String STARTED = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));

  public Path runsDir() {
    return Path.of(get("runs"));
  }

  /** Where to export the model after training, if anywhere. */
  public java.util.Optional<Path> exportDir() {
    return java.util.Optional.ofNullable(get("export")).map(Path::of);
  }

  public boolean resume() {
    return Boolean.parseBoolean(get("resume"));
  }

  /** --style-mixing, checked against the architecture: only the style-based decoder has styles to mix. */
  private float styleMixing(ImageArchitecture architecture) throws UserError {
    if (!explicit.containsKey("style-mixing")) {
      return architecture.styleBased() ? StyleMixing.OFFICIAL_PROBABILITY : 0f;
    }
    float p = single("style-mixing");
    if (!(p >= 0f && p <= 1f)) {
      throw new UserError("--style-mixing: must be a probability in [0, 1], not " + get("style-mixing"));
    }
    if (p > 0f && !architecture.styleBased()) {
      throw new UserError("--style-mixing: the " + architecture.label() + " networks have no styles to mix"
          + " (--architecture style has)");
    }
    return p;
  }

  /** --epochs-per-level, checked against the architecture: the style-based networks grow. */
  private int epochsPerLevel(ImageArchitecture architecture) throws UserError {
    int e = nonNegative("epochs-per-level");
    if (e > 0 && !architecture.styleBased()) {
      throw new UserError("--epochs-per-level: the " + architecture.label() + " networks do not grow"
          + " (--architecture style and style-alae do)");
    }
    return e;
  }

  /** A value the graph holds as a 32-bit float: beyond its range is no number either. */
  private float single(String name) throws UserError {
    float f = (float) number(name);
    if (!Float.isFinite(f)) {
      throw new UserError("--" + name + ": '" + get(name) + "' is not a number");
    }
    return f;
  }

  private double number(String name) throws UserError {
    String v = get(name);
    try {
      double f = Double.parseDouble(v);
      if (!Double.isFinite(f)) {
        throw new NumberFormatException();
      }
      return f;
    } catch (NumberFormatException e) {
      throw new UserError("--" + name + ": '" + v + "' is not a number");
    }
  }

  private int whole(String name) throws UserError {
    String v = get(name);
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new UserError("--" + name + ": '" + v + "' is not a whole number");
    }
  }

  private int positive(String name) throws UserError {
    int v = whole(name);
    if (v < 1) {
      throw new UserError("--" + name + ": must be at least 1, not " + v);
    }
    return v;
  }

  private int nonNegative(String name) throws UserError {
    int v = whole(name);
    if (v < 0) {
      throw new UserError("--" + name + ": must be 0 or more, not " + v);
    }
    return v;
  }

  private static String str(Object o) {
    return String.valueOf(o);
  }

  public static String helpText() {
    StringBuilder s = new StringBuilder();
    s.append("Train an IntroVAE (Huang et al., NeurIPS 2018) with TensorFlow Java.\n\n");
    s.append("usage: mvn compile exec:java -Dexec.mainClass=Train -Dexec.args=\"[options]\"\n\n");
    s.append("Defaults below are those of --preset ").append(Preset.DEFAULT.label())
        .append("; another preset changes the model and training defaults.\n")
        .append("--model points trains on 3-D point clouds instead, --model translation the two-encoder translation\n")
        .append("model (see --model points --help, --model translation --help).\n\n");
    for (Spec spec : SPECS) {
      String left = "  --" + spec.name() + (spec.isFlag() ? "" : " " + spec.argument());
      String def = spec.defaultValue().apply(Preset.DEFAULT);
      String right = spec.help() + (spec.isFlag() || def == null ? "" : " [default: " + def + "]");
      if (spec.name().equals("run")) {
        right += " [default: introvae-<date>-<time>]";
      }
      s.append(String.format("%-26s %s%n", left, right));
    }
    return s.toString();
  }
}
