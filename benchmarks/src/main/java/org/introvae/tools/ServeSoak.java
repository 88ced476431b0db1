package org.introvae.tools;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.introvae.serving.IntroVaeModel;
import org.introvae.serving.ModelInfo;
import org.introvae.serving.Png;
import org.introvae.serving.Signatures;
import org.introvae.serving.grpc.PredictRequest;
import org.introvae.serving.grpc.PredictionServiceGrpc;

/**
 * A native-memory soak of the server: starts {@code Serve} as its own process (batching on, heap capped
 * so that growth shows up as native memory), drives it for MINUTES with a mix of good, bad and aborted
 * requests over REST and gRPC from CLIENTS threads, and prints the server's RSS every INTERVAL seconds,
 * then the RSS trend (least squares over the second half, MB per hour and per 100,000 requests).
 * Usage: ServeSoak [MODELS_DIR] [MODEL] [MINUTES] [CLIENTS] [INTERVAL_SECONDS]
 */
public final class ServeSoak {
  /** One kind of request: sends it, returns null when the answer was the expected one, else what came. */
  private interface Call {
    String run() throws Exception;
  }

  private record Kind(String name, Call call) {}

  public static void main(String[] args) throws Exception {
    Path models = Path.of(args.length > 0 ? args[0] : "models");
    String name = args.length > 1 ? args[1] : "fashion-mnist";
    double minutes = args.length > 2 ? Double.parseDouble(args[2]) : 30;
    int clients = args.length > 3 ? Integer.parseInt(args[3]) : 8;
    int interval = args.length > 4 ? Integer.parseInt(args[4]) : 30;
    ModelInfo info;
    try (IntroVaeModel m = IntroVaeModel.load(models.resolve(name))) {
      info = m.info();
    }
    try (ServerProcess server = ServerProcess.start(models, List.of("-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch"),
        List.of("--enable_batching", "--access_log", "false"))) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext()
          .maxInboundMessageSize(64 << 20).build();
      try {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
        server.awaitAvailable(http, name);
        String base = "http://127.0.0.1:" + server.restPort() + "/v1/models/" + name;
        List<Kind> kinds = kinds(http, base, server.restPort(), PredictionServiceGrpc.newBlockingStub(channel), name, info);
        soak(kinds, server.pid(), minutes, clients, interval);
        System.out.println("server still running: " + (server.isAlive() ? "yes" : "NO (see " + server.log() + ")"));
      } finally {
        channel.shutdownNow();
      }
    }
  }

  private static List<Kind> kinds(HttpClient http, String base, int restPort,
      PredictionServiceGrpc.PredictionServiceBlockingStub stub, String name, ModelInfo info) throws IOException {
    int z = info.zDim();
    long[] image = {1, info.imageSize(), info.imageSize(), info.imageChannels()};
    long[] images16 = {16, info.imageSize(), info.imageSize(), info.imageChannels()};
    String decode = "{\"signature_name\": \"decode\", \"inputs\": {\"z\": " + ServingRequests.nestedJson(new long[] {1, z}) + "}}";
    String reconstruct16 = "{\"signature_name\": \"reconstruct\", \"instances\": " + ServingRequests.nestedJson(images16) + "}";
    String wrongShape = "{\"signature_name\": \"decode\", \"inputs\": {\"z\": " + ServingRequests.nestedJson(new long[] {1, z + 1}) + "}}";
    String photo = "{\"signature_name\": \"" + Signatures.RECONSTRUCT_IMAGE + "\", \"instances\": [{\"b64\": \""
        + Base64.getEncoder().encodeToString(png(info)) + "\"}]}";
    PredictRequest grpcDecode = ServingRequests.grpc(name, Signatures.DECODE, Signatures.Z, new long[] {1, z});
    PredictRequest grpcReconstruct = ServingRequests.grpc(name, Signatures.RECONSTRUCT, Signatures.IMAGES, images16);
    PredictRequest grpcWrong = ServingRequests.grpc(name, Signatures.RECONSTRUCT, Signatures.IMAGES, new long[] {1, 3, 3, 1});
    String predict = base + ":predict";
    return List.of(
        new Kind("REST decode b1", () -> expect(200, post(http, predict, decode))),
        new Kind("gRPC decode b1", () -> stub.predict(grpcDecode).containsOutputs(Signatures.IMAGES) ? null : "no images"),
        new Kind("REST reconstruct b16", () -> expect(200, post(http, predict, reconstruct16))),
        new Kind("gRPC reconstruct b16", () -> stub.predict(grpcReconstruct).containsOutputs(Signatures.RECONSTRUCTIONS) ? null : "no reconstructions"),
        new Kind("REST encoded PNG", () -> expect(200, post(http, predict, photo))),
        new Kind("REST wrong shape (400)", () -> expect(400, post(http, predict, wrongShape))),
        new Kind("gRPC wrong shape", () -> {
          try {
            stub.predict(grpcWrong);
            return "answered";
          } catch (StatusRuntimeException e) {
            return e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT ? null : e.getStatus().toString();
          }
        }),
        new Kind("REST metadata", () -> expect(200, get(http, base + "/metadata"))),
        new Kind("REST samples.png", () -> expect(200, get(http, base + "/samples.png?count=16"))),
        new Kind("aborted body", () -> abortedBody(restPort, name)));
  }

  private static void soak(List<Kind> kinds, long pid, double minutes, int clients, int interval) throws Exception {
    Map<String, LongAdder> ok = new ConcurrentHashMap<>();
    Map<String, LongAdder> unexpected = new ConcurrentHashMap<>();
    Map<String, String> firstUnexpected = new ConcurrentHashMap<>();
    LongAdder total = new LongAdder();
    long start = System.nanoTime();
    long end = start + (long) (minutes * 60e9);
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int offset = c;
      Thread t = new Thread(() -> {
        for (long i = offset; System.nanoTime() < end; i++) {
          Kind k = kinds.get((int) (i % kinds.size()));
          String answer;
          try {
            answer = k.call().run();
          } catch (Exception e) {
            answer = e.toString();
          }
          (answer == null ? ok : unexpected).computeIfAbsent(k.name(), n -> new LongAdder()).increment();
          if (answer != null) {
            firstUnexpected.putIfAbsent(k.name(), answer.length() > 200 ? answer.substring(0, 200) : answer);
          }
          total.increment();
        }
      });
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    System.out.printf("soak: %d clients, %.0f min, %d request kinds in turn; server pid %d%n", clients, minutes,
        kinds.size(), pid);
    System.out.println("minute   requests   req/s   server RSS MB");
    List<double[]> samples = new ArrayList<>(); // {minute, requests, rss}
    long last = 0;
    long lastTime = start;
    while (System.nanoTime() < end) {
      Thread.sleep(Math.min(interval * 1000L, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
      long now = System.nanoTime();
      long n = total.sum();
      double rss = ProcessMemory.rssMb(pid);
      samples.add(new double[] {(now - start) / 60e9, n, rss});
      System.out.printf(Locale.ROOT, "%6.1f  %9d  %6.1f  %8.1f%n", (now - start) / 60e9, n,
          (n - last) / ((now - lastTime) / 1e9), rss);
      last = n;
      lastTime = now;
    }
    for (Thread t : threads) {
      t.join(60_000);
    }
    System.out.println("requests by kind (as expected / not):");
    for (Kind k : kinds) {
      System.out.printf("  %-24s %9d / %d%s%n", k.name(), count(ok, k.name()), count(unexpected, k.name()),
          firstUnexpected.containsKey(k.name()) ? "   first: " + firstUnexpected.get(k.name()) : "");
    }
    List<double[]> half = samples.subList(samples.size() / 2, samples.size());
    double perMinute = slope(half, 0);
    double perRequest = slope(half, 1);
    double min = samples.stream().mapToDouble(s -> s[2]).min().orElse(Double.NaN);
    double max = samples.stream().mapToDouble(s -> s[2]).max().orElse(Double.NaN);
    System.out.printf(Locale.ROOT, "server RSS: first %.1f MB, last %.1f MB, min %.1f, max %.1f; second half's trend"
        + " %+.1f MB per hour, %+.2f MB per 100,000 requests%n", samples.get(0)[2], samples.get(samples.size() - 1)[2],
        min, max, perMinute * 60, perRequest * 100_000);
  }

  private static long count(Map<String, LongAdder> counts, String name) {
    LongAdder a = counts.get(name);
    return a == null ? 0 : a.sum();
  }

  /** Least-squares slope of RSS (column 2) against column {@code x}. */
  private static double slope(List<double[]> points, int x) {
    double mx = points.stream().mapToDouble(p -> p[x]).average().orElse(0);
    double my = points.stream().mapToDouble(p -> p[2]).average().orElse(0);
    double sxy = 0;
    double sxx = 0;
    for (double[] p : points) {
      sxy += (p[x] - mx) * (p[2] - my);
      sxx += (p[x] - mx) * (p[x] - mx);
    }
    return sxx == 0 ? Double.NaN : sxy / sxx;
  }

  private static String expect(int status, HttpResponse<String> r) {
    return r.statusCode() == status ? null : "HTTP " + r.statusCode() + " " + r.body();
  }

  /** A client that announces a body, sends a few bytes of it and hangs up. */
  private static String abortedBody(int port, String name) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      OutputStream out = s.getOutputStream();
      out.write(("POST /v1/models/" + name + ":predict HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{\"inputs\": [[")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }
    return null;
  }

  private static HttpResponse<String> post(HttpClient http, String url, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A PNG of one mid-grey image of the model's size. */
  private static byte[] png(ModelInfo info) throws IOException {
    Path file = Files.createTempFile("soak", ".png");
    try {
      float[] grey = new float[info.imageSize() * info.imageSize() * info.imageChannels()];
      java.util.Arrays.fill(grey, 0.5f);
      Png.write(file, new float[][] {grey}, info.imageSize(), info.imageChannels(), 1, 1);
      return Files.readAllBytes(file);
    } finally {
      Files.deleteIfExists(file);
    }
  }

}
