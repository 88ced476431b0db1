package org.introvae.serving;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import org.introvae.commandline.ToolOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Sample's command line: a PNG grid of samples from an exported model, and optionally the
 * reconstruction of an image, using only the loader.
 */
public final class SampleCommand {
  private SampleCommand() {}

  @Command(name = "sample", showDefaultValues = true, sortOptions = false,
      description = {"Writes a grid of --count samples (z ~ N(0, I), seeded) from an exported model to --out;",
          "with --reconstruct, also IMAGE | its reconstruction to <out>-reconstruction.png."})
  static final class Options {
    @Option(names = "--model", paramLabel = "DIR", description = "the model folder (its latest version)")
    Path model = Path.of("models/fashion-mnist");
    @Option(names = "--out", paramLabel = "FILE", description = "the PNG grid to write")
    Path out = Path.of("samples.png");
    @Option(names = "--count", paramLabel = "N", description = "samples, 1 to " + IntroVaeModel.MAX_BATCH)
    int count = 64;
    @Option(names = "--seed", paramLabel = "N", description = "the prior draw's seed")
    long seed = 1;
    @Option(names = "--batch-norm", paramLabel = "fixed|batch", description = "decode with the model's fixed statistics"
        + " (measured on prior draws at export), or with those of the --count samples themselves (as the authors'"
        + " FID code samples)")
    String batchNorm = SampleNormalization.FIXED.label();
    @Option(names = "--reconstruct", paramLabel = "IMAGE", description = "an image file to reconstruct as well")
    Path reconstruct;
    @Option(names = "--mix", paramLabel = "K", description = "style-based models: also a style-mixing grid to"
        + " <out>-mixing.png, row i taking the styles of the first K layers (the coarse ones) from draw i, column j"
        + " the rest from draw j; the first row and column show the draws themselves")
    Integer mix;
    @Mixin
    ToolOptions.Help help;
  }

  /** Draws per side of the style-mixing grid. */
  static final int MIXING_DRAWS = 6;

  /** {@code file} without ".png", with {@code suffix}. */
  private static Path sibling(Path file, String suffix) {
    return file.resolveSibling(file.getFileName().toString().replaceFirst("\\.png$", "") + suffix);
  }

  /** A blank corner, the fine-style draws along the top, the coarse-style draws down the side, their mixes inside. */
  static float[][] mixingGrid(IntroVaeModel model, long seed, int crossover) {
    java.util.Random random = new java.util.Random(seed);
    int d = model.info().zDim();
    float[][] coarse = new float[MIXING_DRAWS][d];
    float[][] fine = new float[MIXING_DRAWS][d];
    for (float[][] draws : new float[][][] {coarse, fine}) {
      for (float[] z : draws) {
        for (int j = 0; j < d; j++) {
          z[j] = (float) random.nextGaussian();
        }
      }
    }
    // One call: the 36 mixes, then each draw paired with itself (a pair of equal codes decodes that code).
    int n = MIXING_DRAWS;
    float[][] first = new float[n * n + 2 * n][];
    float[][] second = new float[n * n + 2 * n][];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        first[i * n + j] = coarse[i];
        second[i * n + j] = fine[j];
      }
      first[n * n + i] = second[n * n + i] = coarse[i];
      first[n * n + n + i] = second[n * n + n + i] = fine[i];
    }
    float[][] images = model.mixStyles(first, second, crossover);
    float[][] grid = new float[(n + 1) * (n + 1)][];
    grid[0] = new float[model.info().imageValues()];
    System.arraycopy(images, n * n + n, grid, 1, n);
    for (int i = 0; i < n; i++) {
      grid[(i + 1) * (n + 1)] = images[n * n + i];
      System.arraycopy(images, i * n, grid, (i + 1) * (n + 1) + 1, n);
    }
    return grid;
  }

  public static int run(String[] args, PrintStream out, PrintStream err) {
    try {
      Options o = new Options();
      if (!new ToolOptions(o).parse(args, out)) {
        return 0;
      }
      int count = ToolOptions.whole("--count", o.count, 1, IntroVaeModel.MAX_BATCH);
      long seed = o.seed;
      SampleNormalization normalization = SampleNormalization.of(o.batchNorm);
      Path file = o.out;
      try (IntroVaeModel model = IntroVaeModel.load(o.model)) {
        ModelInfo info = model.info();
        int scale = Math.max(1, 56 / info.imageSize());
        // The mixing grid first: a model without mix_styles then fails before anything is written.
        if (o.mix != null) {
          Path grid = sibling(file, "-mixing.png");
          Png.write(grid, mixingGrid(model, seed, ToolOptions.whole("--mix", o.mix, 0, 1024)), info.imageSize(),
              info.imageChannels(), MIXING_DRAWS + 1, scale);
          out.println("wrote the style-mixing grid (crossover " + o.mix + ") to " + grid);
        }
        Png.write(file, model.sample(seed, count, normalization), info.imageSize(), info.imageChannels(),
            (int) Math.ceil(Math.sqrt(count)), scale);
        out.printf("wrote %d samples of %s (version %d, seed %d, batch norm: %s) to %s%n", count, o.model,
            model.version(), seed, normalization.label(), file);
        if (o.reconstruct != null) {
          float[] image = Png.read(o.reconstruct, info.imageSize(), info.imageChannels());
          Path pair = sibling(file, "-reconstruction.png");
          Png.write(pair, new float[][] {image, model.reconstruct(new float[][] {image})[0]}, info.imageSize(),
              info.imageChannels(), 2, scale);
          out.println("wrote " + o.reconstruct + " | reconstruction to " + pair);
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
