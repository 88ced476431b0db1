package org.introvae.commandline;

import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * A tool's options, parsed by picocli from an object whose fields carry {@code @Option}: every tool has
 * the same syntax ({@code --name value} or {@code --name=value}), a generated {@code --help} that shows
 * the defaults, and one-line errors. Range checks picocli has no annotation for are the helpers below,
 * with the same wording everywhere.
 */
public final class ToolOptions {
  private final CommandLine cli;

  /** {@code annotated} is a {@code @Command} class with {@code @Option} fields (and may mix in {@link Help}). */
  public ToolOptions(Object annotated) {
    cli = new CommandLine(annotated);
    cli.setUsageHelpWidth(100);
  }

  /** An option known only at run time (e.g. the registered objectives' weights). */
  public ToolOptions add(OptionSpec option) {
    cli.getCommandSpec().addOption(option);
    return this;
  }

  /**
   * Parses {@code args} into the annotated object. Returns false when --help was asked for (the help
   * went to {@code out}); throws IllegalArgumentException with one line on a bad option.
   */
  public boolean parse(String[] args, PrintStream out) {
    try {
      cli.parseArgs(args);
    } catch (ParameterException e) {
      throw new IllegalArgumentException(e.getMessage() + " (see --help)");
    }
    if (cli.isUsageHelpRequested()) {
      cli.usage(new PrintWriter(out, true));
      return false;
    }
    return true;
  }

  /** The value given for a run-time option, or null when it was not given. */
  public <T> T given(String name) {
    OptionSpec option = cli.getCommandSpec().findOption(name);
    return cli.getParseResult().hasMatchedOption(option) ? option.getValue() : null;
  }

  /** {@code value} if it lies in [min, max], else "--name: 'value' must be a whole number from min to max". */
  public static long whole(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + ": '" + value + "' must be a whole number from " + min + " to " + max);
    }
    return value;
  }

  /** {@link #whole} for int options. */
  public static int whole(String name, int value, int min, int max) {
    return (int) whole(name, (long) value, min, max);
  }

  /**
   * A comma-separated list of whole numbers, each in [min, max] (e.g. --widths 64,128), else
   * "--name: 'text' must be whole numbers from min to max separated by commas".
   */
  public static int[] wholes(String name, String text, int min, int max) {
    String problem = name + ": '" + text + "' must be whole numbers from " + min + " to " + max + " separated by commas";
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(problem);
    }
    String[] parts = text.split(",", -1);
    int[] values = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        values[i] = Integer.parseInt(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(problem);
      }
      if (values[i] < min || values[i] > max) {
        throw new IllegalArgumentException(problem);
      }
    }
    return values;
  }

  /** {@code value} if it is a finite number ≥ 0. */
  public static float nonNegative(String name, float value) {
    if (!(value >= 0) || Float.isInfinite(value)) {
      throw new IllegalArgumentException(name + ": '" + value + "' is not a non-negative number");
    }
    return value;
  }

  /** --help, mixed into every tool's options. */
  public static final class Help {
    @CommandLine.Option(names = "--help", usageHelp = true, description = "print this help and exit")
    boolean help;
  }
}
