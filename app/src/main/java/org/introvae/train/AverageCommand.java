package org.introvae.train;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.introvae.commandline.ToolOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Average's command line: a new run folder whose checkpoint is the mean of several checkpoints' weights. */
public final class AverageCommand {
  private AverageCommand() {}

  @Command(name = "average", showDefaultValues = true, sortOptions = false, description = {
      "Averages the networks' weights of several checkpoints of one run (by default all it keeps; train with",
      "--keep-checkpoints N to keep more) into a new run folder, which Export and Evaluate take as --run.",
      "Adam's moments are not averaged: the new folder is for export and evaluation, not for resuming."})
  static final class Options {
    @Option(names = "--run", required = true, paramLabel = "DIR", description = "the run the checkpoints belong to")
    Path run;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the new run folder (must not exist)")
    Path out;
    @Parameters(paramLabel = "CHECKPOINT", arity = "0..*", description = "step folders to average [every checkpoint"
        + " in <run>/checkpoints]")
    List<Path> checkpoints = new ArrayList<>();
    @Mixin
    ToolOptions.Help help;
  }

  public static int run(String[] args, PrintStream out, PrintStream err) {
    return CommandRun.run(new Options(), args, out, err, o -> {
      RunFolder source = RunFolder.existing(o.run);
      if (Files.exists(o.out)) {
        throw new UserError("--out " + o.out + ": already exists; give a new folder");
      }
      RunParams params = source.readParams();
      List<Path> folders = o.checkpoints.isEmpty() ? source.checkpoints().stepFolders() : o.checkpoints;
      List<Checkpoints.Saved> saved = new ArrayList<>();
      for (Path folder : folders) {
        saved.add(Checkpoints.at(folder));
      }
      if (saved.size() < 2) {
        throw new UserError("give at least two checkpoints to average (found " + saved.size() + ")");
      }
      CheckpointAverage.writeNetworksRun(new RunParams(params.format(), o.out.getFileName().toString(), params.config(),
          params.model(), params.data()), saved, o.out);
      out.printf("averaged %d checkpoints (steps %s) into %s%n", saved.size(),
          String.join(", ", saved.stream().map(s -> String.valueOf(s.step())).toList()), o.out);
    });
  }
}
