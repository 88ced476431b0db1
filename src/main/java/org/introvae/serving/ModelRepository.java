package org.introvae.serving;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models under a base folder in TF Serving's layout {@code <base>/<name>/<version>/}. Version
 * folders are listed on every lookup, so a version exported while the server runs is served at once
 * (exports appear atomically); loaded versions are kept until they disappear or the repository closes.
 */
final class ModelRepository implements AutoCloseable {
  private final Path base;
  private final Map<Path, IntroVaeModel> loaded = new ConcurrentHashMap<>();

  /** A model or version that does not exist: HTTP 404. */
  static final class NotFound extends RuntimeException {
    NotFound(String message) {
      super(message);
    }
  }

  ModelRepository(Path base) {
    this.base = base;
  }

  /** Folders whose latest version is one of our models (other SavedModels, e.g. the classifier, are not offered). */
  List<String> names() {
    try (var list = Files.list(base)) {
      return list.filter(p -> {
        List<Long> v = versions(p);
        return !v.isEmpty() && Files.isRegularFile(p.resolve(v.get(v.size() - 1) + "/assets/" + ModelInfo.ASSET));
      }).map(p -> p.getFileName().toString()).sorted().toList();
    } catch (java.io.IOException e) {
      return List.of();
    }
  }

  /** Available versions, ascending. */
  List<Long> versions(String name) {
    return versions(folder(name));
  }

  private static List<Long> versions(Path folder) {
    return Files.isDirectory(folder) ? IntroVaeModel.versions(folder) : List.of();
  }

  /** The model's given version, or its latest when {@code version} is null. */
  IntroVaeModel get(String name, Long version) {
    Path folder = folder(name);
    List<Long> versions = versions(folder);
    if (versions.isEmpty()) {
      throw new NotFound("Servable not found for request: " + (version == null ? "Latest(" + name + ")"
          : "Specific(" + name + ", " + version + ")"));
    }
    long v = version == null ? versions.get(versions.size() - 1) : version;
    if (!versions.contains(v)) {
      throw new NotFound("Servable not found for request: Specific(" + name + ", " + v + ")");
    }
    Path dir = folder.resolve(String.valueOf(v));
    return loaded.computeIfAbsent(dir, IntroVaeModel::load);
  }

  private Path folder(String name) {
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
      throw new NotFound("Servable not found for request: Latest(" + name + ")");
    }
    return base.resolve(name);
  }

  @Override
  public void close() {
    loaded.values().forEach(IntroVaeModel::close);
    loaded.clear();
  }
}
