package org.introvae.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.introvae.model.InferenceGraph;
import org.introvae.serving.Json;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/**
 * The mean of several checkpoints' weights (Polyak averaging of the training trajectory; for GAN
 * generators it smooths the oscillation of adversarial training, see Yazıcı et al., ICLR 2019). BN
 * moving statistics are averaged like the weights; sampling is unaffected by that, since export
 * measures the decoder's statistics for prior draws on the averaged weights.
 */
public final class CheckpointAverage {
  /** The folder inside a run that holds the mean of its last checkpoints (Train --average-last). */
  public static final String RUN_FOLDER = "average";

  private CheckpointAverage() {}

  /**
   * Restores each of {@code checkpoints} (step folders, oldest first) into {@code session} and leaves
   * every float variable of {@code graph} at its mean over them; any other variable keeps the newest's value.
   */
  public static void assignMean(Graph graph, Session session, List<Path> checkpoints) throws UserError {
    if (checkpoints.isEmpty()) {
      throw new UserError("no checkpoints to average");
    }
    WeightMean mean = new WeightMean(graph);
    for (Path checkpoint : checkpoints) {
      if (!Files.isRegularFile(checkpoint.resolve("model.index"))) {
        throw new UserError(checkpoint + ": not a checkpoint folder (model.index is missing)");
      }
      try {
        session.restore(checkpoint.resolve("model").toString());
      } catch (RuntimeException e) {
        throw new UserError(checkpoint + ": does not restore into this run's networks (" + StorageError.reason(e) + ")");
      }
      mean.add(session);
    }
    mean.assign(session);
  }

  /**
   * Writes a run folder {@code out} (replacing one there) with {@code params} and, as checkpoint of the
   * newest of {@code steps}, the variables {@code session} holds (their mean over those steps);
   * through a temporary folder and a rename.
   */
  public static RunFolder writeRun(Session session, RunParams params, Path out, List<Long> steps) throws IOException {
    Path tmp = out.toAbsolutePath().resolveSibling("." + out.getFileName() + ".tmp");
    Folders.deleteTree(tmp);
    RunFolder target = new RunFolder(tmp);
    target.writeParams(new RunParams(RunParams.FORMAT, params.run(), params.config(), params.model(), params.data()));
    Files.writeString(target.averagedSteps(), Json.write(steps) + "\n");
    target.checkpoints().save(session, steps.stream().mapToLong(Long::longValue).max().orElseThrow());
    Folders.deleteTree(out);
    Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
    return new RunFolder(out);
  }

  /**
   * The networks' mean over {@code checkpoints} as run folder {@code out}: only the inference graph's
   * variables, so it exports and evaluates but does not resume.
   */
  public static RunFolder writeNetworksRun(RunParams params, List<Checkpoints.Saved> checkpoints, Path out)
      throws IOException, UserError {
    try (InferenceGraph g = new InferenceGraph(params.model()); Session session = new Session(g.graph)) {
      assignMean(g.graph, session, checkpoints.stream().map(Checkpoints.Saved::dir).toList());
      return writeRun(session, params, out, checkpoints.stream().map(Checkpoints.Saved::step).toList());
    }
  }

}
