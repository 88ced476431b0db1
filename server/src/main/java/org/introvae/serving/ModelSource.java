package org.introvae.serving;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.introvae.serving.config.FileSystemStoragePathSourceConfig.ServableVersionPolicy;
import org.introvae.serving.config.ModelConfig;
import org.introvae.serving.config.ModelServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which models the server serves, read again at every scan: a folder whose sub-folders are models
 * (our --models), one model (TF Serving's --model_name/--model_base_path), or TF Serving's model
 * config file (--model_config_file, text format, re-read every poll interval).
 */
abstract class ModelSource {
  private static final Logger LOG = LoggerFactory.getLogger(ModelSource.class);

  /** One model: the folder of its numeric versions, which of them to serve, and its version labels. */
  record Entry(Path basePath, VersionPolicy policy, Map<String, Long> labels) {}

  /** TF Serving's ServableVersionPolicy: the latest N versions (default 1), all of them, or specific ones. */
  record VersionPolicy(int latest, Set<Long> specific) {
    static final VersionPolicy LATEST = new VersionPolicy(1, null);
    static final VersionPolicy ALL = new VersionPolicy(Integer.MAX_VALUE, null);

    /** The versions to serve among those on disk (ascending). */
    List<Long> select(List<Long> onDisk) {
      if (specific != null) {
        return onDisk.stream().filter(specific::contains).toList();
      }
      return onDisk.subList(Math.max(0, onDisk.size() - latest), onDisk.size());
    }

    static VersionPolicy of(ServableVersionPolicy p) {
      return switch (p.getPolicyChoiceCase()) {
        case LATEST -> new VersionPolicy(Math.max(1, p.getLatest().getNumVersions()), null);
        case ALL -> ALL;
        case SPECIFIC -> new VersionPolicy(0, Set.copyOf(p.getSpecific().getVersionsList()));
        default -> LATEST;
      };
    }
  }

  /** The models now; null when they cannot be read (the previous ones stay). */
  abstract Map<String, Entry> models();

  abstract String describe();

  static ModelSource folderOfModels(Path base) {
    return new ModelSource() {
      @Override
      Map<String, Entry> models() {
        try (Stream<Path> list = Files.list(base)) {
          Map<String, Entry> out = new TreeMap<>();
          list.filter(Files::isDirectory).filter(p -> ModelRepository.validName(p.getFileName().toString()))
              .forEach(p -> out.put(p.getFileName().toString(), new Entry(p, VersionPolicy.LATEST, Map.of())));
          return out;
        } catch (IOException e) {
          LOG.warn("cannot list {}: {}", base, e.getMessage());
          return null;
        }
      }

      @Override
      String describe() {
        return base.toAbsolutePath().toString();
      }
    };
  }

  static ModelSource singleModel(String name, Path basePath) {
    if (!ModelRepository.validName(name)) {
      throw new IllegalArgumentException("--model_name: '" + name + "' must be letters, digits, '.', '_' or '-'");
    }
    return constant(Map.of(name, new Entry(basePath, VersionPolicy.LATEST, Map.of())), name + " at " + basePath.toAbsolutePath());
  }

  private static ModelSource constant(Map<String, Entry> models, String description) {
    return new ModelSource() {
      @Override
      Map<String, Entry> models() {
        return models;
      }

      @Override
      String describe() {
        return description;
      }
    };
  }

  /**
   * TF Serving's --model_config_file: read now (a bad file is the caller's error, naming the file),
   * then again every {@code pollWait} (zero: never); a file that turns bad later is logged and the
   * last good configuration stays.
   */
  static ModelSource configFile(Path file, Duration pollWait) {
    Map<String, Entry> first = readConfig(file);
    return new ModelSource() {
      private Map<String, Entry> current = first;
      private long readAt = System.nanoTime();

      @Override
      synchronized Map<String, Entry> models() {
        if (!pollWait.isZero() && System.nanoTime() - readAt >= pollWait.toNanos()) {
          readAt = System.nanoTime();
          try {
            current = readConfig(file);
          } catch (IllegalArgumentException e) {
            LOG.error("keeping the previous model configuration: {}", e.getMessage());
          }
        }
        return current;
      }

      @Override
      String describe() {
        return "the models of " + file.toAbsolutePath();
      }
    };
  }

  /** A configuration given whole (gRPC's HandleReloadConfigRequest), checked as a file's would be. */
  static ModelSource fixed(ModelServerConfig config) {
    return constant(entries(config, "the reloaded configuration"), "the configuration reloaded over gRPC");
  }

  /** Parses a ModelServerConfig in text format; a one-line error naming the file otherwise. */
  static Map<String, Entry> readConfig(Path file) {
    return entries(TextProtoFile.read(file, ModelServerConfig.newBuilder(), "a ModelServerConfig").build(), file.toString());
  }

  private static Map<String, Entry> entries(ModelServerConfig config, String file) {
    Map<String, Entry> out = new LinkedHashMap<>();
    for (ModelConfig model : config.getModelConfigList().getConfigList()) {
      String where = file + ": model '" + model.getName() + "'";
      if (!ModelRepository.validName(model.getName())) {
        throw new IllegalArgumentException(file + ": model name '" + model.getName()
            + "' must be letters, digits, '.', '_' or '-'");
      }
      if (out.containsKey(model.getName())) {
        throw new IllegalArgumentException(where + " is configured twice");
      }
      if (!model.getModelPlatform().isEmpty() && !model.getModelPlatform().equals("tensorflow")) {
        throw new IllegalArgumentException(where + ": model_platform '" + model.getModelPlatform()
            + "' is not served here (only tensorflow)");
      }
      if (model.getBasePath().isEmpty()) {
        throw new IllegalArgumentException(where + " has no base_path");
      }
      String base = model.getBasePath().startsWith("file://") ? model.getBasePath().substring(7) : model.getBasePath();
      out.put(model.getName(), new Entry(Path.of(base), VersionPolicy.of(model.getModelVersionPolicy()),
          Map.copyOf(model.getVersionLabelsMap())));
    }
    return out;
  }
}
