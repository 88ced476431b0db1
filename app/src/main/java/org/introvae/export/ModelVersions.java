package org.introvae.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.introvae.train.Folders;
import org.introvae.train.StorageError;
import org.introvae.train.UserError;

/**
 * New versions of a model in TF Serving's layout {@code <model>/<version>/}: each is written into a
 * temporary sibling folder and renamed into place, so a server polling the model folder never sees half
 * a model, and an existing version is never overwritten.
 */
public final class ModelVersions {
  private ModelVersions() {}

  /** What goes into a version folder. */
  public interface Contents {
    void writeTo(Path folder) throws UserError, IOException;
  }

  /** Writes version {@code version} (null: one above the highest present) and returns its folder. */
  public static Path write(Path modelDir, Integer version, Contents contents) throws UserError, IOException {
    checkWritable(modelDir);
    int v = version != null ? version : nextVersion(modelDir);
    if (v < 1) {
      throw new UserError("--version must be at least 1, not " + v);
    }
    Path target = modelDir.resolve(String.valueOf(v));
    if (Files.exists(target)) {
      throw new UserError(target + ": version " + v + " exists; versions are never overwritten");
    }
    Path tmp = modelDir.resolve(".tmp-" + v + "-" + System.nanoTime());
    try {
      contents.writeTo(tmp);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw StorageError.of(modelDir, "write the SavedModel", e);
      }
    } finally {
      if (Files.exists(tmp)) {
        Folders.deleteTree(tmp);
      }
    }
    return target;
  }

  /** Creates the model folder if needed and proves it takes a file, so a read-only one is named up front. */
  private static void checkWritable(Path modelDir) throws IOException {
    try {
      Files.createDirectories(modelDir);
      Files.delete(Files.createTempFile(modelDir, ".probe-", ""));
    } catch (IOException e) {
      throw StorageError.of(modelDir, "write into the model folder", e);
    }
  }

  private static int nextVersion(Path modelDir) throws IOException {
    try (Stream<Path> list = Files.list(modelDir)) {
      return list.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+"))
          .mapToInt(Integer::parseInt).max().orElse(0) + 1;
    }
  }
}
