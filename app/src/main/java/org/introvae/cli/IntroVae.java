package org.introvae.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Properties;
import org.introvae.eval.EvaluateCommand;
import org.introvae.eval.Sweep;
import org.introvae.export.ExportCommand;
import org.introvae.export.ModelExporter;
import org.introvae.model.TensorFlowRuntime;
import org.introvae.serving.SampleCommand;
import org.introvae.serving.ServeCommand;
import org.introvae.toy.Toy2DCommand;
import org.introvae.train.AverageCommand;
import org.introvae.train.Interruption;
import org.introvae.train.TrainCommand;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The one command line: {@code introvae <tool> [options]}, also {@code java -jar target/introvae.jar}
 * after {@code mvn package}. picocli gives the tool list, {@code --help}, {@code --version} and
 * argument files ({@code introvae train @train.args}); each tool parses and documents its own options
 * ({@code introvae train --help}), exactly as its {@code mvn exec:java -Dexec.mainClass=...} entry point does.
 */
public final class IntroVae {
  /** A tool's own command: its options in, an exit code out (0 done, 1 failed, 2 usage error). */
  interface Tool {
    int run(String[] args, PrintStream out, PrintStream err) throws Exception;
  }

  /** {@code serving}: the tool only runs models, so it takes the serving kernels ({@link TensorFlowRuntime#prepareForServing}). */
  record Entry(String name, String description, Tool tool, boolean serving) {
    Entry(String name, String description, Tool tool) {
      this(name, description, tool, false);
    }
  }

  static final List<Entry> TOOLS = List.of(
      new Entry("train", "train a VAE, IntroVAE or Soft-IntroVAE on images (exports to models/ at the end)",
          (args, out, err) -> TrainCommand.run(args, out, err, (run, models) -> ModelExporter.export(run, models, null))),
      new Entry("average", "average several checkpoints' weights into a new run folder", AverageCommand::run),
      new Entry("export", "export a run as a SavedModel version", ExportCommand::run),
      new Entry("sample", "decode prior samples of a SavedModel to a PNG grid", SampleCommand::run),
      new Entry("serve", "serve SavedModels over TF Serving's REST and gRPC APIs", ServeCommand::run, true),
      new Entry("evaluate", "FD, MSE, ELBO, IWAE and OOD AUROC of a model or run", EvaluateCommand::run),
      new Entry("toy2d", "the Soft-IntroVAE paper's 2-D density experiments", Toy2DCommand::run),
      new Entry("sweep", "train and evaluate a hyper-parameter grid", Sweep::run));

  private IntroVae() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    Interruption.exit(code);
  }

  public static int run(String[] args, PrintStream out, PrintStream err) {
    CommandLine cli = commandLine();
    ParseResult parsed;
    try {
      parsed = cli.parseArgs(args);
    } catch (ParameterException e) {
      err.println("error: " + e.getMessage() + " (see introvae --help)");
      return 2;
    }
    if (cli.isUsageHelpRequested()) {
      cli.usage(new PrintWriter(out, true));
      return 0;
    }
    if (cli.isVersionHelpRequested()) {
      out.println("introvae " + version());
      return 0;
    }
    if (!parsed.hasSubcommand()) {
      cli.usage(new PrintWriter(err, true));
      return 2;
    }
    if (parsed.hasMatchedOption("--verbose")) {
      verbose();
    }
    ParseResult sub = parsed.subcommand();
    Entry entry = TOOLS.stream().filter(e -> e.name().equals(sub.commandSpec().name())).findFirst().orElseThrow();
    List<String> options = sub.hasMatchedPositional(0) ? sub.matchedPositional(0).getValue() : List.of();
    if (entry.serving()) {
      TensorFlowRuntime.prepareForServing();
    } else {
      TensorFlowRuntime.prepare();
    }
    try {
      return entry.tool().run(options.toArray(String[]::new), out, err);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } catch (Exception e) {
      err.println("error: " + entry.name() + ": " + e.getMessage());
      return 1;
    }
  }

  /**
   * --verbose: TensorFlow's native log, this project's debug messages and the access log. Set before any
   * logger or TensorFlow class is made, since SLF4J's simple logger and TensorFlow read their levels once.
   */
  private static void verbose() {
    System.setProperty("org.slf4j.simpleLogger.log.org.introvae", "debug");
    System.setProperty("org.slf4j.simpleLogger.log." + org.introvae.serving.ModelServer.ACCESS_LOG, "info");
    TensorFlowRuntime.verbose();
  }

  /** The top-level command and one pass-through subcommand per tool: everything after the tool's name is its own. */
  static CommandLine commandLine() {
    CommandSpec top = CommandSpec.create().name("introvae").mixinStandardHelpOptions(true).version("introvae " + version());
    top.usageMessage().description("Introspective VAEs in TensorFlow Java. Run 'introvae <tool> --help' for a tool's options.");
    top.addOption(CommandLine.Model.OptionSpec.builder("-v", "--verbose")
        .description("TensorFlow's native log, debug messages and the access log on stderr").build());
    CommandLine cli = new CommandLine(top);
    for (Entry e : TOOLS) {
      CommandSpec spec = CommandSpec.create().name(e.name());
      spec.usageMessage().description(e.description());
      spec.addPositional(PositionalParamSpec.builder().paramLabel("OPTIONS").arity("0..*").type(List.class)
          .auxiliaryTypes(String.class).description("the tool's options; see 'introvae " + e.name() + " --help'").build());
      CommandLine sub = new CommandLine(spec);
      sub.setUnmatchedOptionsArePositionalParams(true);
      cli.addSubcommand(e.name(), sub);
    }
    return cli;
  }

  /** The project version Maven filtered into version.properties. */
  static String version() {
    try (InputStream in = IntroVae.class.getResourceAsStream("version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
