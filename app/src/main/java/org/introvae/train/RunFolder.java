package org.introvae.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** runs/<name>/: params.json, train.log, metrics.csv, images/, loss-curves.png, checkpoints/, average/. */
public final class RunFolder {
  private final Path root;

  public RunFolder(Path root) {
    this.root = root;
  }

  /** The run folder at {@code root}, which must hold a params.json. */
  public static RunFolder existing(Path root) throws UserError {
    RunFolder run = new RunFolder(root);
    if (!run.exists()) {
      throw new UserError(root + ": not a run folder (params.json is missing)");
    }
    return run;
  }

  public Path root() {
    return root;
  }

  /**
   * The run folder whose checkpoint is this run's model: average/, the mean of its last checkpoints,
   * when training made one (Train --average-last), else this folder.
   */
  public RunFolder model() {
    RunFolder average = new RunFolder(root.resolve(CheckpointAverage.RUN_FOLDER));
    return average.exists() ? average : this;
  }

  /** The steps of the checkpoints this folder's checkpoint averages; absent in a folder of training checkpoints. */
  public Path averagedSteps() {
    return root.resolve("averaged-steps.json");
  }

  public Path params() {
    return root.resolve("params.json");
  }

  /** Everything the run printed. */
  public Path log() {
    return root.resolve("train.log");
  }

  public Path metrics() {
    return root.resolve("metrics.csv");
  }

  public Path images() {
    return root.resolve("images");
  }

  public Path tensorBoard() {
    return root.resolve("tensorboard");
  }

  public Path lossCurves() {
    return root.resolve("loss-curves.png");
  }

  public Checkpoints checkpoints() {
    return checkpoints(Checkpoints.DEFAULT_KEEP);
  }

  /** The checkpoints, of which saving keeps the newest {@code keep}. */
  public Checkpoints checkpoints(int keep) {
    return new Checkpoints(root.resolve("checkpoints"), keep);
  }

  public boolean exists() {
    return Files.isRegularFile(params());
  }

  public RunParams readParams() throws UserError {
    try {
      return RunParams.fromJson(Files.readString(params()));
    } catch (UserError e) {
      throw new UserError(params() + ": " + e.getMessage());
    } catch (IOException | RuntimeException e) {
      throw new UserError(params() + ": cannot be read (" + e.getMessage().lines().findFirst().orElse("") + ")");
    }
  }

  public void writeParams(RunParams params) throws IOException {
    Files.createDirectories(root);
    Path tmp = root.resolve(".params.json.tmp");
    Files.writeString(tmp, params.toJson());
    Files.move(tmp, params(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
