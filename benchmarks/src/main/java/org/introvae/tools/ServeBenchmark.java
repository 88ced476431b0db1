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
import org.introvae.serving.IntroVaeModel;
import org.introvae.serving.ModelServer;
import org.introvae.serving.Signatures;
import org.introvae.serving.grpc.PredictRequest;
import org.introvae.serving.grpc.PredictionServiceGrpc;

/**
 * Serving load on loopback, client and server in this JVM: requests per second and p50/p99 latency
 * for REST and gRPC, at 1, 16 and 64 concurrent clients, with batching off and on (max_batch_size 64,
 * batch_timeout_micros 1000, one batch thread per core), for decode at batch 1 and reconstruct at batch
 * 1 and 64; and the process' RSS before and after. Usage: ServeBenchmark [MODELS_DIR] [MODEL] [requests]
 */
public final class ServeBenchmark {
  private record Case(String signature, String input, long[] shape, int requests) {}

  public static void main(String[] args) throws Exception {
    org.introvae.model.TensorFlowRuntime.prepareForServing(); // as Serve: set TF_ENABLE_ONEDNN_OPTS to compare kernels
    Path models = Path.of(args.length > 0 ? args[0] : "models");
    String name = args.length > 1 ? args[1] : "fashion-mnist";
    int requests = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    // TensorFlow sizes its CPU pools once per process, from the first session: the servers' models load
    // first, with TF Serving's --tensorflow_intra_op_parallelism / --tensorflow_inter_op_parallelism.
    String[] pools = (args.length > 3 ? args[3] : "0,0").split(",");
    int intraOp = Integer.parseInt(pools[0]);
    int interOp = Integer.parseInt(pools[1]);
    ModelServer unbatched = ModelServer.unbatched(models, 16, intraOp, interOp);
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
        new Case(Signatures.RECONSTRUCT, Signatures.IMAGES, new long[] {64, size, size, channels}, Math.max(64, requests / 8)));
    System.out.printf("serving %s, %d cores, TensorFlow pools intra-op %s, inter-op %s; before: %s%n", name,
        Runtime.getRuntime().availableProcessors(), intraOp == 0 ? "auto" : intraOp, interOp == 0 ? "auto" : interOp,
        memory());
    System.out.println("protocol  batching  case                 clients    req/s   p50 ms   p99 ms   CPU of client and server"
        + " by thread role (TensorFlow/main: TensorFlow's own threads)");
    for (boolean batching : new boolean[] {false, true}) {
      try (ModelServer server = batching ? ModelServer.withBatching(models, 16, 64, 1000, intraOp, interOp) : unbatched) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext()
            .maxInboundMessageSize(64 << 20).build();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try {
          for (Case c : cases) {
            String json = restBody(c);
            PredictRequest grpcRequest = ServingRequests.grpc(name, c.signature(), c.input(), c.shape());
            HttpRequest restRequest = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/models/"
                + name + ":predict")).POST(HttpRequest.BodyPublishers.ofString(json)).build();
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
            for (int clients : new int[] {1, 16, 64}) {
              for (String protocol : List.of("REST", "gRPC")) {
                Callable<Void> call = protocol.equals("REST") ? rest : grpc;
                warmUp(call, clients);
                ThreadCpu before = ThreadCpu.now();
                double[] r = load(call, clients, c.requests());
                System.out.printf("%-8s  %-8s  %-11s batch %2d   %3d   %7.1f  %7.2f  %7.2f   %s%n", protocol,
                    batching ? "on" : "off", c.signature(), c.shape()[0], clients, r[0], r[1], r[2],
                    ThreadCpu.now().perRequest(before, (int) r[3]));
              }
            }
          }
        } finally {
          channel.shutdownNow();
        }
      }
    }
    System.out.printf("after: %s%n", memory());
  }

  private static String restBody(Case c) {
    return "{\"signature_name\": \"" + c.signature() + "\", \"inputs\": {\"" + c.input() + "\": "
        + ServingRequests.nestedJson(c.shape()) + "}}";
  }

  /**
   * Calls for at least two seconds before a level is timed, so that the JIT has compiled the request
   * path and the timed calls do not share the cores with the compiler.
   */
  private static void warmUp(Callable<Void> call, int clients) throws Exception {
    long end = System.nanoTime() + 2_000_000_000L;
    do {
      load(call, clients, Math.max(16, clients));
    } while (System.nanoTime() < end);
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

  /**
   * RSS split into the Java heap (committed, and in use after a GC), the JVM's other managed memory
   * (metaspace, code cache) and NIO direct buffers; the rest is native: TensorFlow's allocations,
   * thread stacks, malloc arenas.
   */
  private static String memory() throws Exception {
    System.gc();
    java.lang.management.MemoryMXBean jvm = java.lang.management.ManagementFactory.getMemoryMXBean();
    double mb = 1 << 20;
    double heap = jvm.getHeapMemoryUsage().getCommitted() / mb;
    double heapUsed = jvm.getHeapMemoryUsage().getUsed() / mb;
    double nonHeap = jvm.getNonHeapMemoryUsage().getCommitted() / mb;
    double direct = 0;
    for (java.lang.management.BufferPoolMXBean pool
        : java.lang.management.ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class)) {
      direct += pool.getMemoryUsed() / mb;
    }
    double rss = ProcessMemory.rssMb();
    return String.format(java.util.Locale.ROOT, "RSS %.0f MB = Java heap %.0f MB committed (%.0f in use after GC)"
        + " + JVM non-heap %.0f + direct buffers %.0f + other native %.0f (TensorFlow, thread stacks, malloc)",
        rss, heap, heapUsed, nonHeap, direct, rss - heap - nonHeap - direct);
  }
}
