package org.introvae.tools;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.introvae.serving.IntroVaeModel;
import org.introvae.serving.ModelServer;

/**
 * REST load on loopback: requests per second and latency percentiles of :predict with the decode
 * signature at batch 1, for 1, 4 and 16 concurrent clients. Starts the server in this JVM on a free
 * port over MODELS_DIR. Usage: ServeBenchmark [MODELS_DIR] [MODEL] [requests per level]
 */
public final class ServeBenchmark {
  public static void main(String[] args) throws Exception {
    org.introvae.model.TensorFlowRuntime.prepare();
    Path models = Path.of(args.length > 0 ? args[0] : "models");
    String name = args.length > 1 ? args[1] : "fashion-mnist";
    int perLevel = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
    int z;
    try (IntroVaeModel m = IntroVaeModel.load(models.resolve(name))) {
      z = m.info().zDim();
    }
    String body = "{\"signature_name\": \"decode\", \"instances\": [["
        + String.join(",", Collections.nCopies(z, "0.1")) + "]]}";
    try (ModelServer server = new ModelServer(models, "127.0.0.1", 0, 16)) {
      server.start();
      URI uri = URI.create("http://127.0.0.1:" + server.port() + "/v1/models/" + name + ":predict");
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpRequest request = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body)).build();
      for (int i = 0; i < 200; i++) {
        http.send(request, HttpResponse.BodyHandlers.ofString());
      }
      System.out.printf("REST :predict decode batch 1 (%s, %d requests per level, server threads 16)%n", name, perLevel);
      for (int clients : new int[] {1, 4, 16}) {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<long[]>> futures = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
          int share = perLevel / clients;
          futures.add(pool.submit(() -> {
            long[] latencies = new long[share];
            for (int i = 0; i < share; i++) {
              long t = System.nanoTime();
              HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() != 200) {
                throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
              }
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
        System.out.printf("  %2d clients: %7.1f req/s   p50 %6.2f ms   p95 %6.2f ms   p99 %6.2f ms%n", clients,
            all.size() / seconds, pct(all, 50), pct(all, 95), pct(all, 99));
      }
    }
  }

  private static double pct(List<Long> sorted, int p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)) / 1e6;
  }
}
