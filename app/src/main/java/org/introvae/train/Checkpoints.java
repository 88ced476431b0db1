package org.introvae.train;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.introvae.serving.Json;
import org.tensorflow.Session;

/**
 * TensorFlow checkpoints of a run (weights, Adam slots, BN moving statistics) in
 * checkpoints/step-NNNNNNNN/, each written to a temporary folder and renamed into place, then
 * named in checkpoints/latest (also replaced by rename). A crash mid-write leaves the previous
 * checkpoint intact. The newest {@code keep} are kept (two unless the run asks for more). state.json records each file's size and CRC-32, so a
 * checkpoint damaged later (truncated, corrupted) is recognised and resuming falls back to an older one.
 */
public final class Checkpoints {
  public static final int DEFAULT_KEEP = 2;
  private final Path dir;
  private final int keep;

  public record Saved(long step, Path dir) {
    String prefix() {
      return dir.resolve("model").toString();
    }
  }

  public Checkpoints(Path dir) {
    this(dir, DEFAULT_KEEP);
  }

  public Checkpoints(Path dir, int keep) {
    this.dir = dir;
    this.keep = keep;
  }

  /** The checkpoint in step folder {@code folder}, checked as resuming checks it. */
  public static Saved at(Path folder) throws IOException, UserError {
    String problem = problem(folder);
    if (problem != null) {
      throw new UserError(folder + ": not an intact checkpoint (" + problem + ")");
    }
    return read(folder).orElseThrow();
  }

  /** Writes a checkpoint; a failed write (full disk, read-only folder) leaves no temporary folder behind. */
  public Saved save(Session session, long step) throws IOException {
    Path tmp = dir.resolve(".tmp-step-" + step);
    Path target = dir.resolve(String.format("step-%08d", step));
    try {
      Files.createDirectories(dir);
      Folders.deleteTree(tmp);
      Files.createDirectories(tmp);
      session.save(tmp.resolve("model").toString());
      Map<String, Object> state = new LinkedHashMap<>();
      state.put("step", step);
      state.put("files", fileDigests(tmp));
      Files.writeString(tmp.resolve("state.json"), Json.writePretty(state));
      Folders.deleteTree(target);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      Path latestTmp = dir.resolve(".latest.tmp");
      Files.writeString(latestTmp, target.getFileName().toString() + "\n", StandardCharsets.UTF_8);
      Files.move(latestTmp, dir.resolve("latest"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      try {
        Folders.deleteTree(tmp);
      } catch (IOException ignored) {
        // the original failure is the one to report
      }
      throw StorageError.of(dir, "write the checkpoint of step " + step, e);
    }
    prune(target);
    return new Saved(step, target);
  }

  /** The newest intact checkpoint: the one named in latest, or failing that the highest intact step folder. */
  public Optional<Saved> latest() throws IOException {
    for (Path candidate : candidates()) {
      if (problem(candidate) == null) {
        return read(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * Restores the newest checkpoint that is intact and restores; each one skipped is reported on
   * {@code out} with its reason. Empty when none can be restored.
   */
  public Optional<Saved> restoreLatest(Session session, PrintStream out) throws IOException {
    for (Path candidate : candidates()) {
      String problem = problem(candidate);
      if (problem == null) {
        Saved saved = read(candidate).orElseThrow();
        try {
          session.restore(saved.prefix());
          return Optional.of(saved);
        } catch (RuntimeException e) {
          problem = "TensorFlow cannot restore it (" + StorageError.reason(e) + ")";
        }
      }
      out.printf("checkpoint %s is unusable: %s; trying an older one%n", candidate, problem);
    }
    return Optional.empty();
  }

  public void restore(Session session, Saved saved) {
    session.restore(saved.prefix());
  }

  /** The step folders, newest first, with the one named in latest ahead of the rest. */
  private List<Path> candidates() throws IOException {
    List<Path> steps = new java.util.ArrayList<>(stepFolders());
    java.util.Collections.reverse(steps);
    Path named = dir.resolve("latest");
    if (Files.isRegularFile(named)) {
      Path target = dir.resolve(Files.readString(named).trim());
      steps.remove(target);
      steps.add(0, target);
    }
    return steps;
  }

  /** Why a checkpoint folder cannot be used, or null when it looks intact. */
  private static String problem(Path target) {
    Path state = target.resolve("state.json");
    if (!Files.isRegularFile(state) || !Files.isRegularFile(target.resolve("model.index"))) {
      return "state.json or model.index is missing";
    }
    try {
      Object parsed = Json.parse(Files.readString(state));
      if (!(parsed instanceof Map<?, ?> map) || !(map.get("step") instanceof Number)) {
        return "state.json has no step";
      }
      if (map.get("files") instanceof Map<?, ?> files) { // absent in checkpoints written before it was recorded
        for (Map.Entry<?, ?> e : files.entrySet()) {
          Path file = target.resolve(String.valueOf(e.getKey()));
          Map<?, ?> expected = (Map<?, ?>) e.getValue();
          if (!Files.isRegularFile(file)) {
            return file.getFileName() + " is missing";
          }
          if (Files.size(file) != ((Number) expected.get("bytes")).longValue()) {
            return file.getFileName() + " has " + Files.size(file) + " bytes, " + expected.get("bytes") + " were written";
          }
          if (crc32(file) != ((Number) expected.get("crc32")).longValue()) {
            return file.getFileName() + " has changed since it was written (CRC-32 differs)";
          }
        }
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return "state.json is unreadable (" + e.getMessage() + ")";
    }
  }

  private static Map<String, Object> fileDigests(Path folder) throws IOException {
    Map<String, Object> files = new LinkedHashMap<>();
    try (Stream<Path> list = Files.list(folder)) {
      for (Path f : list.filter(p -> p.getFileName().toString().startsWith("model.")).sorted().toList()) {
        files.put(f.getFileName().toString(), Map.of("bytes", Files.size(f), "crc32", crc32(f)));
      }
    }
    return files;
  }

  private static long crc32(Path file) throws IOException {
    CRC32 crc = new CRC32();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        crc.update(buffer, 0, n);
      }
    }
    return crc.getValue();
  }

  private static Optional<Saved> read(Path target) throws IOException {
    Object step = ((Map<?, ?>) Json.parse(Files.readString(target.resolve("state.json")))).get("step");
    return Optional.of(new Saved(((Number) step).longValue(), target));
  }

  /** The step folders, oldest first. */
  public List<Path> stepFolders() throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(p -> p.getFileName().toString().startsWith("step-")).sorted().toList();
    }
  }

  private void prune(Path newest) throws IOException {
    List<Path> steps = stepFolders();
    for (int i = 0; i < steps.size() - keep; i++) {
      if (!steps.get(i).equals(newest)) {
        Folders.deleteTree(steps.get(i));
      }
    }
  }
}
