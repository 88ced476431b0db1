package org.introvae.train;

import org.introvae.serving.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/** runs/<name>/: params.json, train.log, metrics.csv, images/, loss-curves.png, checkpoints/. */
public final class RunFolder {
  private final Path root;

  public RunFolder(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
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
    return new Checkpoints(root.resolve("checkpoints"));
  }

  public boolean exists() {
    return Files.isRegularFile(params());
  }

  public Map<String, String> readParams() throws UserError {
    try {
      return Json.parseFlat(Files.readString(params()));
    } catch (IOException | RuntimeException e) {
      throw new UserError(params() + ": cannot be read (" + e.getMessage() + ")");
    }
  }

  public void writeParams(Map<String, ?> params) throws IOException {
    Files.createDirectories(root);
    Path tmp = root.resolve(".params.json.tmp");
    Files.writeString(tmp, Json.writePretty(params));
    Files.move(tmp, params(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
