package org.introvae.train;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.introvae.model.IntroVaeObjective;
import org.introvae.model.Objectives;
import org.introvae.model.Objective;
import org.introvae.model.ModelConfig;
import org.introvae.model.Preset;
import org.introvae.model.UpdateOrder;

/**
 * Train's command line. Every model and training value defaults to the chosen preset's and can be
 * overridden; --help prints each option with its default.
 */
public final class TrainOptions {
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
      new Spec("objective", "NAME", "training objective: " + Objectives.names(), p -> IntroVaeObjective.NAME),
      new Spec("updates", "ORDER", "alternating (the papers' order: the decoder's loss sees the updated encoder) or"
          + " simultaneous (both gradients on the same weights)", p -> UpdateOrder.ALTERNATING.label()),
      new Spec("lr", "RATE", "Adam learning rate of both optimizers", p -> str(p.learningRate())),
      new Spec("batch", "N", "images per step [default: the preset's for the objective]", p -> null),
      new Spec("epochs", "N", "passes over the training images", p -> str(p.epochs())),
      new Spec("steps", "N", "stop after N steps in total (0 = no limit)", p -> "0"),
      new Spec("vae-epochs", "N", "first N epochs train the plain VAE objective (α = 0)", p -> str(p.vaeEpochs())),
      new Spec("seed", "N", "seed of weights, data order and noise; the same seed gives the same losses", p -> "1"),
      new Spec("threads", "N", "TensorFlow's intra- and inter-op threads (0 = TensorFlow's default: all cores)", p -> "0"),
      new Spec("run", "NAME", "run name; output goes to <runs>/<name>/", p -> null),
      new Spec("runs", "DIR", "folder that holds the runs", p -> "runs"),
      new Spec("export", "DIR", "after training, export the model to DIR/<next version> (TF Serving layout)", p -> null),
      new Spec("resume", null, "continue the run named by --run from its last checkpoint", p -> "false"),
      new Spec("held-out", "FRACTION", "fraction of images kept out of training (shown in the grids)", p -> "0.1"),
      new Spec("no-resize", null, "require images to be exactly --image-size instead of resizing", p -> "false"),
      new Spec("log-every", "N", "steps between rows of metrics.csv", p -> "10"),
      new Spec("image-every", "N", "steps between picture grids", p -> "200"),
      new Spec("checkpoint-every", "N", "steps between checkpoints", p -> "200"),
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
      "image-every", "checkpoint-every", "data", "threads");

  private final Map<String, String> explicit;
  private final Preset preset;

  private TrainOptions(Map<String, String> explicit) throws UserError {
    this.explicit = explicit;
    try {
      this.preset = Preset.byName(explicit.getOrDefault("preset", Preset.DEFAULT.label()));
    } catch (IllegalArgumentException e) {
      throw new UserError("--preset: " + e.getMessage());
    }
    validate();
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

  /** The options stored in a run's params.json, with any changes a resume may make. */
  public TrainOptions resumedFrom(Map<String, String> stored) throws UserError {
    Map<String, String> merged = new LinkedHashMap<>();
    for (Spec s : SPECS) {
      if (stored.containsKey(s.name())) {
        merged.put(s.name(), stored.get(s.name()));
      }
    }
    // Runs from before --updates existed took both gradients on the same weights.
    merged.putIfAbsent("updates", UpdateOrder.SIMULTANEOUS.label());
    for (Map.Entry<String, String> e : explicit.entrySet()) {
      String before = merged.get(e.getKey());
      if (!RESUMABLE.contains(e.getKey()) && before != null && !before.equals(get(e.getKey()))) {
        throw new UserError("--" + e.getKey() + " " + e.getValue() + " differs from the run's params.json ("
            + before + "); a resumed run keeps its hyper-parameters");
      }
      merged.put(e.getKey(), e.getValue());
    }
    merged.put("resume", "true");
    return new TrainOptions(merged);
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

  private void validate() throws UserError {
    imageSize();
    imageChannels();
    modelConfig(1);
    objective();
    updateOrder();
    learningRate();
    batch();
    nonNegative("epochs");
    nonNegative("steps");
    nonNegative("vae-epochs");
    seed();
    threads();
    heldOut();
    positive("log-every");
    positive("image-every");
    positive("checkpoint-every");
    if (resume() && !explicit.containsKey("run")) {
      throw new UserError("--resume needs --run NAME (the run to continue)");
    }
    String run = runName();
    if (run.isEmpty() || run.contains("/") || run.contains("\\") || run.startsWith(".")) {
      throw new UserError("--run: '" + run + "' is not a plain folder name");
    }
  }

  public boolean help() {
    return explicit.containsKey("help");
  }

  public Path data() {
    return Path.of(get("data"));
  }

  public Preset preset() {
    return preset;
  }

  /** Largest image side: beyond the 1024 preset's, and what one decoded image can hold. */
  public static final int MAX_IMAGE_SIZE = 4096;

  public int imageSize() throws UserError {
    int size = whole("image-size");
    if (size < 4 || size > MAX_IMAGE_SIZE) {
      throw new UserError("--image-size: must be from 4 to " + MAX_IMAGE_SIZE + ", not " + get("image-size"));
    }
    return size;
  }

  /** 0 = keep the data's channels. */
  public int imageChannels() throws UserError {
    String v = get("channels");
    return switch (v) {
      case "auto" -> 0;
      case "1" -> 1;
      case "3" -> 3;
      default -> throw new UserError("--channels: '" + v + "' must be auto, 1 or 3");
    };
  }

  /** The network for images with the given channel count. */
  public ModelConfig modelConfig(int dataChannels) throws UserError {
    String text = get("widths");
    List<Integer> widths = new ArrayList<>();
    for (String part : text.split(",")) {
      try {
        int w = Integer.parseInt(part.trim());
        if (w < 1) {
          throw new NumberFormatException();
        }
        widths.add(w);
      } catch (NumberFormatException e) {
        throw new UserError("--widths: '" + text + "' must be positive whole numbers separated by commas");
      }
    }
    try {
      return new ModelConfig(imageSize(), dataChannels, widths.stream().mapToInt(Integer::intValue).toArray(), positive("z"));
    } catch (IllegalArgumentException e) {
      throw new UserError("--image-size/--widths: " + e.getMessage());
    }
  }

  /** The objective with its weights, each read from its option and checked once here. */
  public Objective objective() throws UserError {
    Objective.Kind kind;
    try {
      kind = Objectives.byName(get("objective"));
    } catch (IllegalArgumentException e) {
      throw new UserError("--objective: " + e.getMessage());
    }
    float[] values = new float[kind.weights().size()];
    for (int i = 0; i < values.length; i++) {
      Objective.Weight w = kind.weights().get(i);
      values[i] = number(w.option());
      if (w.problem(values[i]) != null) {
        throw new UserError("--" + w.option() + ": must be " + w.bound() + ", not " + get(w.option()));
      }
    }
    return kind.of(values);
  }

  public UpdateOrder updateOrder() throws UserError {
    try {
      return UpdateOrder.byLabel(get("updates"));
    } catch (IllegalArgumentException e) {
      throw new UserError("--updates: " + e.getMessage());
    }
  }

  public float learningRate() throws UserError {
    float lr = number("lr");
    if (lr <= 0) {
      throw new UserError("--lr: must be > 0, not " + get("lr"));
    }
    return lr;
  }

  public int batch() throws UserError {
    return explicit.containsKey("batch") ? positive("batch") : preset.batch(get("objective"));
  }

  public int epochs() throws UserError {
    return nonNegative("epochs");
  }

  /** 0 = no limit. */
  public int steps() throws UserError {
    return nonNegative("steps");
  }

  public int vaeEpochs() throws UserError {
    return nonNegative("vae-epochs");
  }

  /** 0 = TensorFlow's default. */
  public int threads() throws UserError {
    return nonNegative("threads");
  }

  public long seed() throws UserError {
    try {
      return Long.parseLong(get("seed"));
    } catch (NumberFormatException e) {
      throw new UserError("--seed: '" + get("seed") + "' is not a whole number");
    }
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

  public double heldOut() throws UserError {
    float f = number("held-out");
    if (f < 0 || f >= 1) {
      throw new UserError("--held-out: must be in [0, 1), not " + get("held-out"));
    }
    return f;
  }

  public boolean resize() {
    return !Boolean.parseBoolean(get("no-resize"));
  }

  public int logEvery() throws UserError {
    return positive("log-every");
  }

  public int imageEvery() throws UserError {
    return positive("image-every");
  }

  public int checkpointEvery() throws UserError {
    return positive("checkpoint-every");
  }

  /** Every option's effective value, for params.json. */
  public Map<String, Object> asParams() {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Spec s : SPECS) {
      if (!s.name().equals("help") && !s.name().equals("resume") && !s.name().equals("export")) {
        out.put(s.name(), s.name().equals("run") ? runName() : s.name().equals("batch") ? batchText() : get(s.name()));
      }
    }
    return out;
  }

  private String batchText() {
    return explicit.containsKey("batch") ? explicit.get("batch") : String.valueOf(preset.batch(get("objective")));
  }

  private float number(String name) throws UserError {
    String v = get(name);
    try {
      float f = Float.parseFloat(v);
      if (!Float.isFinite(f)) {
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
        .append("; another preset changes the model and training defaults.\n\n");
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
