package org.introvae.serving;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models under a base folder in TF Serving's layout {@code <base>/<name>/<version>/}, loaded by a
 * background scan (every {@code poll} interval, as TF Serving polls its file system). A version is
 * served only after it has loaded and run once; until then it is LOADING, and a version that fails
 * to load is reported with its error (state END) while older versions keep serving. A failed version
 * is tried again when its folder changes (e.g. a copy completes) or after a back-off. Versions whose
 * folders disappear are unloaded.
 */
final class ModelRepository implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelRepository.class);
  private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

  private volatile ModelSource source;
  private final RequestBatcher batcher;
  private final SessionThreads threads;
  /** name → version → state; written by the scan only. */
  private final Map<String, NavigableMap<Long, Version>> models = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scanner;
  /** name → label → version: replaced only by a configuration whose labels all pass {@link #checkedLabels}. */
  private volatile Map<String, Map<String, Long>> labels = Map.of();
  /** TF Serving's --allow_version_labels_for_unavailable_models. */
  private final boolean labelsForUnavailable;
  /** The last refusal of a polled configuration's labels, logged once rather than at every poll. */
  private String refusedLabels;

  /** A version label pointing at a version that is not available: TF Serving's FAILED_PRECONDITION. */
  static final class LabelUnavailable extends RuntimeException {
    LabelUnavailable(String message) {
      super(message);
    }
  }

  /** A model or version that does not exist: HTTP 404. */
  static final class NotFound extends RuntimeException {
    NotFound(String message) {
      super(message);
    }
  }

  /** One version's load state: the model once AVAILABLE, the error once it failed. */
  record Version(long number, String state, ServableModel model, String error, String fingerprint, long retryAtNanos,
      Duration backoff) {
    boolean available() {
      return model != null;
    }
  }

  ModelRepository(ModelSource source, Duration poll) {
    this(source, poll, null, SessionThreads.AUTO, false);
  }

  /**
   * Loads what {@code source} names before it returns; throws {@link LabelUnavailable} (having unloaded
   * everything) when a label points at a version that did not load, as TF Serving refuses to start.
   * {@code batcher}: batches the models' requests; null runs them one by one. {@code threads}: the
   * sessions' thread pools.
   */
  ModelRepository(ModelSource source, Duration poll, RequestBatcher batcher, SessionThreads threads,
      boolean labelsForUnavailable) {
    this.source = source;
    this.batcher = batcher;
    this.threads = threads;
    this.labelsForUnavailable = labelsForUnavailable;
    String refused = scan();
    if (refused != null) {
      models.values().forEach(versions -> versions.values().forEach(ModelRepository::unload));
      throw new LabelUnavailable(refused);
    }
    scanner = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "model-scan");
      t.setDaemon(true);
      return t;
    });
    scanner.scheduleWithFixedDelay(this::scanQuietly, poll.toMillis(), poll.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void scanQuietly() {
    try {
      String refused = scan();
      if (refused != null && !refused.equals(refusedLabels)) {
        LOG.error("{}: the configuration's labels were refused, the ones in force stay: {}", source.describe(), refused);
      }
      refusedLabels = refused;
    } catch (RuntimeException e) {
      LOG.error("scanning {} failed", source.describe(), e);
    }
  }

  /**
   * Loads new versions, retries failed ones that are due, unloads removed ones, then takes the
   * configuration's labels. Returns null, or why the labels were refused (the ones in force stay).
   */
  synchronized String scan() {
    Map<String, ModelSource.Entry> present = source.models();
    if (present == null) {
      return null;
    }
    present.forEach(this::scanModel);
    for (String name : List.copyOf(models.keySet())) {
      if (!present.containsKey(name)) {
        NavigableMap<Long, Version> gone = models.remove(name);
        gone.values().forEach(ModelRepository::unload);
      }
    }
    try {
      labels = checkedLabels(present);
      return null;
    } catch (LabelUnavailable e) {
      return e.getMessage();
    }
  }

  /**
   * TF Serving's rule for a new configuration's labels: each must point at an AVAILABLE version; with
   * --allow_version_labels_for_unavailable_models a new label, or one that keeps its version, may point
   * at any. One refused label refuses them all.
   */
  private Map<String, Map<String, Long>> checkedLabels(Map<String, ModelSource.Entry> present) {
    Map<String, Map<String, Long>> next = new java.util.HashMap<>();
    present.forEach((name, entry) -> entry.labels().forEach((label, version) -> {
      Long before = labels.getOrDefault(name, Map.of()).get(label);
      boolean mayBeUnavailable = labelsForUnavailable && (before == null || before.equals(version));
      Version known = models.containsKey(name) ? models.get(name).get(version) : null;
      if (!mayBeUnavailable && (known == null || !known.available())) {
        throw new LabelUnavailable("Request to assign label to version " + version + " of model " + name
            + ", which is not currently available for inference");
      }
      next.computeIfAbsent(name, n -> new java.util.HashMap<>()).put(label, version);
    }));
    return Map.copyOf(next);
  }

  private void scanModel(String name, ModelSource.Entry entry) {
    Path folder = entry.basePath();
    NavigableMap<Long, Version> versions = models.computeIfAbsent(name, n -> new ConcurrentSkipListMap<>());
    List<Long> onDisk = IntroVaeModel.versions(folder);
    List<Long> wanted = entry.policy().select(onDisk);
    for (long v : wanted) {
      Path dir = folder.resolve(String.valueOf(v));
      Version known = versions.get(v);
      String fingerprint = fingerprint(dir);
      boolean due = known == null
          || (!known.available() && (!fingerprint.equals(known.fingerprint()) || System.nanoTime() >= known.retryAtNanos()));
      if (!due) {
        continue;
      }
      if (known == null) {
        versions.put(v, new Version(v, "LOADING", null, null, fingerprint, 0, Duration.ZERO));
      }
      try {
        long started = System.nanoTime();
        LOG.debug("loading {} version {} from {}", name, v, dir);
        ServableModel model = ServableModel.load(dir, v, batcher, threads);
        versions.put(v, new Version(v, "AVAILABLE", model, null, fingerprint, 0, Duration.ZERO));
        LOG.debug("{} version {} loaded in {} ms", name, v, (System.nanoTime() - started) / 1_000_000);
        LOG.info("serving {} version {}", name, v);
      } catch (RuntimeException e) {
        Duration backoff = known == null || known.backoff().isZero() ? Duration.ofSeconds(1)
            : known.backoff().multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : known.backoff().multipliedBy(2);
        versions.put(v, new Version(v, "END", null, e.getMessage(), fingerprint, System.nanoTime() + backoff.toNanos(), backoff));
        LOG.warn("{} version {} did not load: {}", name, v, e.getMessage());
      }
    }
    // Availability first, as TF Serving's default: a version the policy no longer wants keeps serving
    // until a wanted one is available (unless its folder is gone).
    boolean wantedServing = wanted.stream().anyMatch(v -> versions.containsKey(v) && versions.get(v).available());
    for (Long v : List.copyOf(versions.keySet())) {
      if (!onDisk.contains(v) || (!wanted.contains(v) && (wantedServing || !versions.get(v).available()))) {
        unload(versions.remove(v));
      }
    }
  }

  /** The files of a version folder with their sizes and times: changes while a copy is under way. */
  private static String fingerprint(Path dir) {
    StringBuilder s = new StringBuilder();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted().toList()) {
        if (Files.isRegularFile(p)) {
          s.append(dir.relativize(p)).append(':').append(Files.size(p)).append(':')
              .append(Files.getLastModifiedTime(p).toMillis()).append(';');
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      s.append("unreadable:").append(e.getMessage());
    }
    return s.toString();
  }

  private static void unload(Version v) {
    if (v != null && v.model() != null) {
      LOG.debug("unloading version {}", v.number());
      v.model().close();
    }
  }

  static boolean validName(String name) {
    return name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  }

  /** Models whose latest available version is one of our IntroVAE exports, sorted: the page shows them. */
  List<String> introVaeNames() {
    return models.keySet().stream().sorted().filter(name -> {
      try {
        return get(name, null).introVae() != null;
      } catch (NotFound e) {
        return false;
      }
    }).toList();
  }

  /**
   * Serves the models {@code replacement} names from now on, loading them before it returns; throws
   * {@link LabelUnavailable} when its labels are refused (the models follow it, the labels in force stay).
   */
  synchronized void replaceSource(ModelSource replacement) {
    source = replacement;
    String refused = scan();
    if (refused != null) {
      throw new LabelUnavailable(refused);
    }
  }

  /** Every model the repository knows, sorted. */
  List<String> modelNames() {
    return models.keySet().stream().sorted().toList();
  }

  /** Every version known for a model, newest first (empty if the model is unknown). */
  List<Version> versions(String name) {
    NavigableMap<Long, Version> versions = models.get(name);
    return versions == null ? List.of() : List.copyOf(versions.descendingMap().values());
  }

  /** The version a label of the model's configuration points at; TF Serving's INVALID_ARGUMENT otherwise. */
  long versionOfLabel(String name, String label) {
    Long version = labels.getOrDefault(name, Map.of()).get(label);
    if (version == null) {
      throw new InvalidInput("Unrecognized servable version label: " + label);
    }
    return version;
  }

  /** The model's given version, or its latest available one when {@code version} is null. */
  ServableModel get(String name, Long version) {
    NavigableMap<Long, Version> versions = validName(name) ? models.get(name) : null;
    if (version == null) {
      if (versions != null) {
        for (Version v : versions.descendingMap().values()) {
          if (v.available()) {
            return v.model();
          }
        }
      }
      throw new NotFound("Servable not found for request: Latest(" + name + ")");
    }
    Version v = versions == null ? null : versions.get(version);
    if (v == null || !v.available()) {
      throw new NotFound("Servable not found for request: Specific(" + name + ", " + version + ")");
    }
    return v.model();
  }

  @Override
  public void close() {
    scanner.shutdownNow();
    try {
      scanner.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      models.values().forEach(versions -> versions.values().forEach(ModelRepository::unload));
      models.clear();
    }
  }
}
