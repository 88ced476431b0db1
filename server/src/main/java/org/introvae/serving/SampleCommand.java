package org.introvae.serving;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sample's command line: a PNG grid of samples from an exported model, and optionally the
 * reconstruction of an image, using only the loader.
 */
public final class SampleCommand {
  private SampleCommand() {}

  static final String USAGE = "usage: Sample [--model DIR] [--out FILE] [--count N] [--seed N] [--reconstruct IMAGE]\n"
      + "  Writes a grid of --count samples (z ~ N(0, I), seeded) from the exported model to --out;\n"
      + "  with --reconstruct, also IMAGE | its reconstruction to <out>-reconstruction.png.\n"
      + "  Defaults: --model models/fashion-mnist --out samples.png --count 64 --seed 1\n";

  public static int run(String[] args, PrintStream out, PrintStream err) {
    try {
      Map<String, String> defaults = new LinkedHashMap<>(Map.of("model", "models/fashion-mnist", "out", "samples.png",
          "count", "64", "seed", "1"));
      defaults.put("reconstruct", null);
      CommandLine o = CommandLine.parse(args, defaults);
      if (o == null) {
        out.print(USAGE);
        return 0;
      }
      int count = (int) o.whole("count", 1, IntroVaeModel.MAX_BATCH);
      long seed = o.whole("seed", Long.MIN_VALUE, Long.MAX_VALUE);
      Path file = Path.of(o.get("out"));
      try (IntroVaeModel model = IntroVaeModel.load(Path.of(o.get("model")))) {
        ModelInfo info = model.info();
        int scale = Math.max(1, 56 / info.imageSize());
        Png.write(file, model.sample(seed, count), info.imageSize(), info.imageChannels(),
            (int) Math.ceil(Math.sqrt(count)), scale);
        out.printf("wrote %d samples of %s (version %d, seed %d) to %s%n", count, o.get("model"), model.version(), seed, file);
        if (o.get("reconstruct") != null) {
          float[] image = Png.read(Path.of(o.get("reconstruct")), info.imageSize(), info.imageChannels());
          String name = file.getFileName().toString().replaceFirst("\\.png$", "") + "-reconstruction.png";
          Path pair = file.resolveSibling(name);
          Png.write(pair, new float[][] {image, model.reconstruct(new float[][] {image})[0]}, info.imageSize(),
              info.imageChannels(), 2, scale);
          out.println("wrote " + o.get("reconstruct") + " | reconstruction to " + pair);
        }
      }
      return 0;
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
  }
}
