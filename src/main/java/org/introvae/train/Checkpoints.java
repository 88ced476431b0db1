package org.introvae.train;

import org.introvae.serving.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.tensorflow.Session;

/**
 * TensorFlow checkpoints of a run (weights, Adam slots, BN moving statistics) in
 * checkpoints/step-NNNNNNNN/, each written to a temporary folder and renamed into place, then
 * named in checkpoints/latest (also replaced by rename). A crash mid-write leaves the previous
 * checkpoint intact. The two newest are kept.
 */
public final class Checkpoints {
  private static final int KEEP = 2;
  private final Path dir;

  public record Saved(long step, Path dir) {
    String prefix() {
      return dir.resolve("model").toString();
    }
  }

  public Checkpoints(Path dir) {
    this.dir = dir;
  }

  public Saved save(Session session, long step) throws IOException {
    Files.createDirectories(dir);
    Path tmp = dir.resolve(".tmp-step-" + step);
    Folders.deleteTree(tmp);
    Files.createDirectories(tmp);
    session.save(tmp.resolve("model").toString());
    Files.writeString(tmp.resolve("state.json"), Json.writePretty(Map.of("step", step)));
    Path target = dir.resolve(String.format("step-%08d", step));
    Folders.deleteTree(target);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    Path latestTmp = dir.resolve(".latest.tmp");
    Files.writeString(latestTmp, target.getFileName().toString() + "\n", StandardCharsets.UTF_8);
    Files.move(latestTmp, dir.resolve("latest"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    prune(target);
    return new Saved(step, target);
  }

  /** The checkpoint named in latest, or failing that the highest complete step folder. */
  public Optional<Saved> latest() throws IOException {
    Path named = dir.resolve("latest");
    if (Files.isRegularFile(named)) {
      Path target = dir.resolve(Files.readString(named).trim());
      Optional<Saved> saved = read(target);
      if (saved.isPresent()) {
        return saved;
      }
    }
    List<Path> steps = stepFolders();
    for (int i = steps.size() - 1; i >= 0; i--) {
      Optional<Saved> saved = read(steps.get(i));
      if (saved.isPresent()) {
        return saved;
      }
    }
    return Optional.empty();
  }

  public void restore(Session session, Saved saved) {
    session.restore(saved.prefix());
  }

  private Optional<Saved> read(Path target) throws IOException {
    Path state = target.resolve("state.json");
    if (!Files.isRegularFile(state) || !Files.isRegularFile(target.resolve("model.index"))) {
      return Optional.empty();
    }
    return Optional.of(new Saved(Long.parseLong(Json.parseFlat(Files.readString(state)).get("step")), target));
  }

  private List<Path> stepFolders() throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(p -> p.getFileName().toString().startsWith("step-")).sorted().toList();
    }
  }

  private void prune(Path keep) throws IOException {
    List<Path> steps = stepFolders();
    for (int i = 0; i < steps.size() - KEEP; i++) {
      if (!steps.get(i).equals(keep)) {
        Folders.deleteTree(steps.get(i));
      }
    }
  }
}
