package org.introvae.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * TF Serving's request metrics, in Prometheus' text format (version 0.0.4) under TF Serving's names:
 * :tensorflow:serving:request_count{model_name, status} and the histogram
 * :tensorflow:serving:request_latency{model_name, API, entrypoint} in microseconds with TF Serving's
 * buckets (10 · 1.8^i, 33 of them), plus :tensorflow:serving:model_version_state{model_name, version,
 * state} = 1 for each version the repository knows, and TF Serving's batching counter
 * :tensorflow:serving:batching_session:wrapped_run_count (session runs made for batches; requests over
 * it give the mean batch). Model names are recorded only for models the repository has, so clients
 * cannot grow the label sets.
 */
final class ServingMetrics {
  static final String DEFAULT_PATH = "/monitoring/prometheus/metrics";
  private static final double[] BOUNDS = new double[33];

  static {
    for (int i = 0; i < BOUNDS.length; i++) {
      BOUNDS[i] = 10 * Math.pow(1.8, i);
    }
  }

  private record CountKey(String model, String status) {}

  private record LatencyKey(String model, String api, String entrypoint) {}

  /** Bucket counts (the last one is +Inf), the sum of microseconds and the count. */
  private static final class Histogram {
    final AtomicLongArray buckets = new AtomicLongArray(BOUNDS.length + 1);
    final LongAdder sum = new LongAdder();
    final LongAdder count = new LongAdder();

    void add(long micros) {
      int i = 0;
      while (i < BOUNDS.length && micros > BOUNDS[i]) {
        i++;
      }
      buckets.incrementAndGet(i);
      sum.add(micros);
      count.increment();
    }
  }

  private final ModelRepository repository;
  private final java.util.function.LongSupplier batchSessionRuns;
  private final Map<CountKey, LongAdder> counts = new ConcurrentHashMap<>();
  private final Map<LatencyKey, Histogram> latencies = new ConcurrentHashMap<>();

  /** {@code batchSessionRuns}: the session runs the request batcher has made (0 with batching off). */
  ServingMetrics(ModelRepository repository, java.util.function.LongSupplier batchSessionRuns) {
    this.repository = repository;
    this.batchSessionRuns = batchSessionRuns;
  }

  /** One answered request: TF Serving's status code name (OK, INVALID_ARGUMENT, ...). */
  void record(String model, String api, String entrypoint, String status, long nanos) {
    String name = model != null && !repository.versions(model).isEmpty() ? model : "";
    counts.computeIfAbsent(new CountKey(name, status), k -> new LongAdder()).increment();
    latencies.computeIfAbsent(new LatencyKey(name, api, entrypoint), k -> new Histogram()).add(nanos / 1000);
  }

  /** TF Serving's status code name for an HTTP status the REST API answered. */
  static String status(int http) {
    return switch (http) {
      case 200 -> "OK";
      case 400 -> "INVALID_ARGUMENT";
      case 404 -> "NOT_FOUND";
      case 408 -> "DEADLINE_EXCEEDED";
      case 413, 431, 503 -> "RESOURCE_EXHAUSTED";
      default -> http >= 500 ? "INTERNAL" : "INVALID_ARGUMENT";
    };
  }

  String text() {
    StringBuilder s = new StringBuilder();
    s.append("# TYPE :tensorflow:serving:request_count counter\n");
    List<CountKey> countKeys = new ArrayList<>(counts.keySet());
    countKeys.sort(java.util.Comparator.comparing(CountKey::model).thenComparing(CountKey::status));
    for (CountKey k : countKeys) {
      s.append(":tensorflow:serving:request_count{model_name=").append(quote(k.model())).append(",status=")
          .append(quote(k.status())).append("} ").append(counts.get(k).sum()).append('\n');
    }
    s.append("# TYPE :tensorflow:serving:request_latency histogram\n");
    List<LatencyKey> keys = new ArrayList<>(latencies.keySet());
    keys.sort(java.util.Comparator.comparing(LatencyKey::model).thenComparing(LatencyKey::api)
        .thenComparing(LatencyKey::entrypoint));
    for (LatencyKey k : keys) {
      Histogram h = latencies.get(k);
      String labels = "model_name=" + quote(k.model()) + ",API=" + quote(k.api()) + ",entrypoint=" + quote(k.entrypoint());
      long cumulative = 0;
      for (int i = 0; i <= BOUNDS.length; i++) {
        cumulative += h.buckets.get(i);
        String le = i < BOUNDS.length ? String.valueOf(BOUNDS[i]) : "+Inf";
        s.append(":tensorflow:serving:request_latency_bucket{").append(labels).append(",le=\"").append(le).append("\"} ")
            .append(cumulative).append('\n');
      }
      s.append(":tensorflow:serving:request_latency_sum{").append(labels).append("} ").append(h.sum.sum()).append('\n');
      s.append(":tensorflow:serving:request_latency_count{").append(labels).append("} ").append(h.count.sum()).append('\n');
    }
    s.append("# TYPE :tensorflow:serving:model_version_state gauge\n");
    for (String model : repository.modelNames()) {
      for (ModelRepository.Version v : repository.versions(model)) {
        s.append(":tensorflow:serving:model_version_state{model_name=").append(quote(model)).append(",version=\"")
            .append(v.number()).append("\",state=").append(quote(v.state())).append("} 1\n");
      }
    }
    s.append("# TYPE :tensorflow:serving:batching_session:wrapped_run_count counter\n");
    s.append(":tensorflow:serving:batching_session:wrapped_run_count ").append(batchSessionRuns.getAsLong()).append('\n');
    return s.toString();
  }

  private static String quote(String value) {
    return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
  }
}
