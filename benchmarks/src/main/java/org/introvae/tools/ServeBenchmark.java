package org.introvae.tools;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.introvae.model.TensorFlowRuntime;
import org.introvae.serving.IntroVaeModel;
import org.introvae.serving.Signatures;
import org.introvae.serving.grpc.PredictRequest;
import org.introvae.serving.grpc.PredictionServiceGrpc;

/**
 * Serving load on loopback: {@code Serve} in a process of its own (TF Serving's flags), the clients in
 * this JVM. Requests per second and p50/p99 latency for REST and gRPC, at 1, 16, 32 and 64 concurrent
 * clients, with batching off and on (max_batch_size 64, batch_timeout_micros 1000, one batch thread per
 * core), for decode at batch 1 and reconstruct at batch 1 and 64; CPU per request of the clients and of
 * the server (by thread role); requests per batch (from TF Serving's batching counter on the server's
 * Prometheus page); the server's RSS before and after.
 * Usage: ServeBenchmark [MODELS_DIR] [MODEL] [requests] [intra,inter (TensorFlow's pools, 0: its choice)]
 * [cases: decode1,reconstruct1,reconstruct64 or all] [batching: off, on (batch_timeout_micros 1000) or
 * on:MICROS[:THREADS] (batch_timeout_micros, num_batch_threads), comma-separated; default off,on]. The server's JVM takes extra options from the environment
 * variable SERVE_JVM_OPTIONS (e.g. a flight recording to profile it).
 */
public final class ServeBenchmark {
  private record Case(String signature, String input, long[] shape, int requests) {
    String label() {
      return signature + shape[0];
    }
  }

  /** Batching off ({@code timeoutMicros} -1) or on with that batch_timeout_micros and num_batch_threads. */
  private record Batching(long timeoutMicros, int threads) {
    static final long DEFAULT_TIMEOUT_MICROS = 1000;
    static final int DEFAULT_THREADS = Runtime.getRuntime().availableProcessors();

    static Batching parse(String setting) {
      if (setting.equals("off")) {
        return new Batching(-1, 0);
      }
      if (setting.equals("on")) {
        return new Batching(DEFAULT_TIMEOUT_MICROS, DEFAULT_THREADS);
      }
      if (setting.matches("on:\\d{1,8}(:\\d{1,3})?")) {
        String[] parts = setting.split(":");
        int threads = parts.length > 2 ? Integer.parseInt(parts[2]) : DEFAULT_THREADS;
        if (threads > 0) {
          return new Batching(Long.parseLong(parts[1]), threads);
        }
      }
      throw new IllegalArgumentException("batching setting '" + setting
          + "': expected off, on, on:MICROS or on:MICROS:THREADS (THREADS at least 1)");
    }

    boolean on() {
      return timeoutMicros >= 0;
    }

    String label() {
      if (!on()) {
        return "off";
      }
      if (threads != DEFAULT_THREADS) {
        return "on:" + timeoutMicros + ":" + threads;
      }
      return timeoutMicros == DEFAULT_TIMEOUT_MICROS ? "on" : "on:" + timeoutMicros;
    }
  }

  private static final List<String> CASE_LABELS = List.of("decode1", "reconstruct1", "reconstruct64");

  /** The command line, checked before anything starts. */
  private record Arguments(Path models, String name, int requests, String[] pools, List<String> cases,
      List<Batching> settings) {
    static Arguments parse(String[] args) {
      String requests = args.length > 2 ? args[2] : "1000";
      if (!requests.matches("\\d{1,9}") || Integer.parseInt(requests) < 1) {
        throw new IllegalArgumentException("requests '" + requests + "': expected a positive whole number");
      }
      String pools = args.length > 3 ? args[3] : "0,0";
      if (!pools.matches("-?\\d{1,4},-?\\d{1,4}")) {
        throw new IllegalArgumentException("pools '" + pools + "': expected intra,inter (whole numbers, 0: TensorFlow's choice)");
      }
      List<String> cases = args.length <= 4 || args[4].equals("all") ? CASE_LABELS : List.of(args[4].split(","));
      for (String c : cases) {
        if (!CASE_LABELS.contains(c)) {
          throw new IllegalArgumentException("case '" + c + "': expected all or some of " + String.join(",", CASE_LABELS));
        }
      }
      List<Batching> settings = List.of((args.length > 5 ? args[5] : "off,on").split(",")).stream().map(Batching::parse)
          .toList();
      return new Arguments(Path.of(args.length > 0 ? args[0] : "models"), args.length > 1 ? args[1] : "fashion-mnist",
          Integer.parseInt(requests), pools.split(","), cases, settings);
    }
  }

  public static void main(String[] args) throws Exception {
    Arguments arguments;
    try {
      arguments = Arguments.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("ServeBenchmark: " + e.getMessage());
      System.exit(2);
      return;
    }
    run(arguments);
  }

  private static void run(Arguments arguments) throws Exception {
    Path models = arguments.models();
    String name = arguments.name();
    int requests = arguments.requests();
    String[] pools = arguments.pools();
    int z;
    int size;
    int channels;
    try (IntroVaeModel m = IntroVaeModel.load(models.resolve(name))) {
      z = m.info().zDim();
      size = m.info().imageSize();
      channels = m.info().imageChannels();
    }
    List<Case> cases = List.of(new Case(Signatures.DECODE, Signatures.Z, new long[] {1, z}, requests),
        new Case(Signatures.RECONSTRUCT, Signatures.IMAGES, new long[] {1, size, size, channels}, requests),
        new Case(Signatures.RECONSTRUCT, Signatures.IMAGES, new long[] {64, size, size, channels}, Math.max(64, requests / 8)))
        .stream().filter(c -> arguments.cases().contains(c.label())).toList();
    List<String> jvmOptions = List.of(System.getenv().getOrDefault("SERVE_JVM_OPTIONS", "").trim().split("\\s+"))
        .stream().filter(o -> !o.isEmpty()).toList();
    List<String> flags = List.of("--threads", "16", "--access_log", "false", "--tensorflow_intra_op_parallelism", pools[0],
        "--tensorflow_inter_op_parallelism", pools[1], "--monitoring_config_file", monitoringConfig().toString());
    String asked = System.getenv("TF_ENABLE_ONEDNN_OPTS");
    String vendor = TensorFlowRuntime.cpuVendor();
    String kernels = asked != null ? "TF_ENABLE_ONEDNN_OPTS=" + asked
        : (TensorFlowRuntime.oneDnnForInference(vendor) ? "oneDNN's" : "TensorFlow's own") + " (Serve's choice for " + vendor + ")";
    System.out.printf("serving %s, %d cores, Serve as its own process, kernels %s, TensorFlow pools intra-op %s, inter-op %s%n",
        name, Runtime.getRuntime().availableProcessors(), kernels, pools[0].equals("0") ? "auto" : pools[0],
        pools[1].equals("0") ? "auto" : pools[1]);
    System.out.println("protocol  batching  case                 clients    req/s   p50 ms   p99 ms   CPU per request:"
        + " clients + server, the server's by thread role (TensorFlow/main: TensorFlow's own threads)");
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (Batching batching : arguments.settings()) {
      List<String> serveFlags = new ArrayList<>(flags);
      if (batching.on()) {
        serveFlags.addAll(List.of("--batching_parameters_file", batchingParameters(batching).toString()));
      }
      try (ServerProcess server = ServerProcess.start(models, jvmOptions, serveFlags)) {
        server.awaitAvailable(http, name);
        System.out.printf("batching %s: server RSS %.0f MB once its model is available%n", batching.label(),
            ProcessMemory.rssMb(server.pid()));
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext()
            .maxInboundMessageSize(64 << 20).build();
        try {
          for (Case c : cases) {
            String json = restBody(c);
            PredictRequest grpcRequest = ServingRequests.grpc(name, c.signature(), c.input(), c.shape());
            HttpRequest restRequest = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.restPort()
                + "/v1/models/" + name + ":predict")).POST(HttpRequest.BodyPublishers.ofString(json)).build();
            Callable<Void> rest = () -> {
              HttpResponse<String> r = http.send(restRequest, HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() != 200) {
                throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
              }
              return null;
            };
            PredictionServiceGrpc.PredictionServiceBlockingStub stub = PredictionServiceGrpc.newBlockingStub(channel);
            Callable<Void> grpc = () -> {
              stub.predict(grpcRequest);
              return null;
            };
            for (int clients : new int[] {1, 16, 32, 64}) {
              for (String protocol : List.of("REST", "gRPC")) {
                Callable<Void> call = protocol.equals("REST") ? rest : grpc;
                double warmUp = warmUp(call, clients, server.pid());
                long runsBefore = batchSessionRuns(http, server);
                ThreadCpu clientBefore = ThreadCpu.now();
                ThreadCpu serverBefore = ThreadCpu.of(server.pid());
                double[] r = load(call, clients, c.requests());
                ThreadCpu serverAfter = ThreadCpu.of(server.pid());
                long runs = batchSessionRuns(http, server) - runsBefore;
                String perBatch = runs > 0 ? String.format(java.util.Locale.ROOT, "; %.1f requests per batch", r[3] / runs) : "";
                System.out.printf("%-8s  %-8s  %-11s batch %2d   %3d   %7.1f  %7.2f  %7.2f   clients %.2f ms; server %s;"
                    + " warm-up %.0f s%s%n",
                    protocol, batching.label(), c.signature(), c.shape()[0], clients, r[0], r[1], r[2],
                    ThreadCpu.now().msPerRequest(clientBefore, (int) r[3]), serverAfter.perRequest(serverBefore, (int) r[3]), warmUp,
                    perBatch);
              }
            }
          }
        } finally {
          channel.shutdownNow();
        }
        System.out.printf("batching %s: server RSS %.0f MB after the load%n", batching.label(),
            ProcessMemory.rssMb(server.pid()));
      }
    }
  }

  private static final String METRICS_PATH = "/monitoring/prometheus/metrics";
  private static final String WRAPPED_RUNS = ":tensorflow:serving:batching_session:wrapped_run_count ";

  /** TF Serving's MonitoringConfig (text format) turning its Prometheus page on, in a temporary file. */
  private static Path monitoringConfig() throws java.io.IOException {
    Path file = java.nio.file.Files.createTempFile("monitoring", ".txt");
    java.nio.file.Files.writeString(file, "prometheus_config { enable: true, path: \"" + METRICS_PATH + "\" }\n");
    file.toFile().deleteOnExit();
    return file;
  }

  /** The server's session runs for batches so far (TF Serving's batching counter on its Prometheus page). */
  private static long batchSessionRuns(HttpClient http, ServerProcess server) throws Exception {
    String page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.restPort() + METRICS_PATH)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return page.lines().filter(l -> l.startsWith(WRAPPED_RUNS)).mapToLong(l -> Long.parseLong(l.substring(WRAPPED_RUNS.length())))
        .findFirst().orElse(0);
  }

  /** TF Serving's BatchingParameters (text format) of this benchmark, in a temporary file. */
  private static Path batchingParameters(Batching batching) throws java.io.IOException {
    Path file = java.nio.file.Files.createTempFile("batching", ".txt");
    java.nio.file.Files.writeString(file, "max_batch_size { value: 64 }\nbatch_timeout_micros { value: " + batching.timeoutMicros()
        + " }\nmax_enqueued_batches { value: 1000 }\nnum_batch_threads { value: " + batching.threads() + " }\n");
    file.toFile().deleteOnExit();
    return file;
  }

  private static String restBody(Case c) {
    return "{\"signature_name\": \"" + c.signature() + "\", \"inputs\": {\"" + c.input() + "\": "
        + ServingRequests.nestedJson(c.shape()) + "}}";
  }

  /** A level is timed once the JIT compilers used less than this share of each JVM's CPU over a window. */
  private static final double SETTLED_COMPILER_SHARE = 0.05;
  private static final long WARM_UP_WINDOW_NANOS = 2_000_000_000L;
  private static final long WARM_UP_LIMIT_NANOS = 60_000_000_000L;

  /**
   * Calls in windows of two seconds until the JIT compilers of the server and of the clients have
   * settled (under 5 % of each JVM's CPU in the last window; at most a minute), so that the timed calls
   * measure the steady state a long-running server reaches and do not share the cores with the compiler.
   * Returns the seconds it took.
   */
  private static double warmUp(Callable<Void> call, int clients, long serverPid) throws Exception {
    long start = System.nanoTime();
    while (true) {
      ThreadCpu client = ThreadCpu.now();
      ThreadCpu server = ThreadCpu.of(serverPid);
      long end = System.nanoTime() + WARM_UP_WINDOW_NANOS;
      do {
        load(call, clients, Math.max(16, clients));
      } while (System.nanoTime() < end);
      boolean settled = ThreadCpu.now().compilerShare(client) < SETTLED_COMPILER_SHARE
          && ThreadCpu.of(serverPid).compilerShare(server) < SETTLED_COMPILER_SHARE;
      if (settled || System.nanoTime() - start > WARM_UP_LIMIT_NANOS) {
        return (System.nanoTime() - start) / 1e9;
      }
    }
  }

  /** {requests/s, p50 ms, p99 ms, requests} of {@code total} calls spread over {@code clients} threads. */
  private static double[] load(Callable<Void> call, int clients, int total) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<Future<long[]>> futures = new ArrayList<>();
    long start = System.nanoTime();
    int share = Math.max(1, total / clients);
    for (int c = 0; c < clients; c++) {
      futures.add(pool.submit(() -> {
        long[] latencies = new long[share];
        for (int i = 0; i < share; i++) {
          long t = System.nanoTime();
          call.call();
          latencies[i] = System.nanoTime() - t;
        }
        return latencies;
      }));
    }
    List<Long> all = new ArrayList<>();
    for (Future<long[]> f : futures) {
      Arrays.stream(f.get()).forEach(all::add);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    pool.shutdown();
    Collections.sort(all);
    return new double[] {all.size() / seconds, pct(all, 50), pct(all, 99), all.size()};
  }

  private static double pct(List<Long> sorted, int p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)) / 1e6;
  }
}
