package org.introvae.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.introvae.export.TinyExport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.introvae.testkit.Polling;
import org.introvae.testkit.ImageBomb;
import org.introvae.testkit.RawHttp;

/**
 * The REST server under slow, stalled and hostile clients, on 127.0.0.1 only. A server with short
 * timeouts and a small connection cap, so that every case ends in seconds.
 */
@Timeout(180)
class ServerHardeningTest {
  @TempDir
  static Path root;
  static ModelServer server;
  static HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static String base;
  static final ModelServer.Limits LIMITS =
      new ModelServer.Limits(400, Duration.ofSeconds(4), Duration.ofSeconds(3), 1024, 16 * 1024, 100, 1 << 20);

  @BeforeAll
  static void start() throws Exception {
    TinyExport.trainAndExport(root);
    server = new ModelServer(root.resolve("models"), "127.0.0.1", 0, 0, 4, LIMITS, Duration.ofMillis(200));
    base = "http://127.0.0.1:" + server.port();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base + path)));
  }

  private static HttpResponse<String> post(String path, byte[] body) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  private static String error(HttpResponse<String> r) {
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.toString());
    Object parsed = Json.parse(r.body());
    assertTrue(parsed instanceof Map<?, ?> m && m.get("error") instanceof String, r.body());
    return (String) ((Map<?, ?>) parsed).get("error");
  }

  private static String decode(String z) {
    return "{\"signature_name\": \"decode\", \"instances\": [[" + z + "]]}";
  }

  /** Raw socket writes: what a slow or stalled client sends. */
  private static Socket stalled(String partial) throws IOException {
    Socket s = new Socket("127.0.0.1", server.port());
    s.getOutputStream().write(partial.getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    return s;
  }

  @Test
  void two_hundred_stalled_connections_do_not_delay_other_requests() throws Exception {
    List<Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < 200; i++) {
        stalled.add(stalled(switch (i % 3) {
          case 0 -> "GET /v1/mod";                                                        // partial request line
          case 1 -> "GET /v1/models/tiny HTTP/1.1\r\nHost: x\r\nX-Slow: ";               // partial headers
          default -> "POST /v1/models/tiny:predict HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"in";  // short body
        }));
      }
      String body = decode("0,0,0,0,0,0,0,0");
      for (int i = 0; i < 20; i++) {
        long t0 = System.nanoTime();
        HttpResponse<String> r = i % 2 == 0 ? get("/v1/models/tiny") : post("/v1/models/tiny:predict", body.getBytes());
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(seconds < 1.0, "request " + i + " took " + seconds + " s beside 200 stalled connections");
      }
    } finally {
      for (Socket s : stalled) {
        s.close();
      }
    }
  }

  /**
   * gRPC's port under stalled clients: connections that never finish the HTTP/2 preface, or stop
   * half-way through a frame, do not delay real calls and are closed by the handshake timeout.
   */
  @Test
  void stalled_grpc_connections_do_not_delay_calls_and_are_closed() throws Exception {
    List<Socket> stalled = new ArrayList<>();
    io.grpc.ManagedChannel channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder
        .forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    try {
      for (int i = 0; i < 100; i++) {
        Socket s = new Socket("127.0.0.1", server.grpcPort());
        s.getOutputStream().write((i % 2 == 0 ? "PRI * HTTP/2.0\r\n" : "garbage").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        stalled.add(s);
      }
      org.introvae.serving.grpc.PredictionServiceGrpc.PredictionServiceBlockingStub stub =
          org.introvae.serving.grpc.PredictionServiceGrpc.newBlockingStub(channel);
      for (int i = 0; i < 10; i++) {
        long t0 = System.nanoTime();
        org.introvae.serving.grpc.GetModelMetadataResponse r = stub.withDeadlineAfter(5, java.util.concurrent.TimeUnit.SECONDS)
            .getModelMetadata(org.introvae.serving.grpc.GetModelMetadataRequest.newBuilder().addMetadataField("signature_def")
                .setModelSpec(org.introvae.serving.grpc.ModelSpec.newBuilder().setName("tiny")).build());
        assertEquals("tiny", r.getModelSpec().getName());
        assertTrue((System.nanoTime() - t0) / 1e9 < 1.0, "call " + i + " beside 100 stalled gRPC connections");
      }
      for (Socket s : stalled.subList(0, 10)) {
        s.setSoTimeout(15_000);
        // Closed by the server (the handshake timeout is this server's 3 s request timeout): read ends.
        while (s.getInputStream().read() >= 0) {
          // drain whatever the server says before closing (a GOAWAY frame, if any)
        }
      }
    } finally {
      channel.shutdownNow();
      for (Socket s : stalled) {
        s.close();
      }
    }
  }

  /** The response a raw socket gets, or null when the server closed the connection without one. */
  private static String responseOf(Socket s) throws IOException {
    s.setSoTimeout(15_000);
    String answer = RawHttp.readAll(s.getInputStream());
    return answer.isEmpty() ? null : answer;
  }

  @Test
  void a_body_that_stops_arriving_gets_408_and_idle_connections_are_closed() throws Exception {
    try (Socket slowBody = stalled("POST /v1/models/tiny:predict HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"in");
        Socket silent = stalled("GET /v1/models/ti")) {
      long t0 = System.nanoTime();
      String answer = responseOf(slowBody);
      assertTrue(answer != null && answer.startsWith("HTTP/1.1 408"), answer);
      assertTrue(answer.contains("{\"error\":"), answer);
      assertTrue((System.nanoTime() - t0) / 1e9 < 10, "answered after the request timeout");
      String nothing = responseOf(silent);
      assertTrue(nothing == null || nothing.startsWith("HTTP/1.1 4"), "an idle connection is closed: " + nothing);
    }
  }

  /**
   * A body over the limit: a client that sends it whole still reads the 413 (repeated, because losing it is a
   * race between the client's writes and the server's close), a client that sends "Expect: 100-continue" is answered
   * before sending, and a declared size far over the limit is refused without waiting for a byte.
   */
  @Test
  void oversized_bodies_get_413_that_the_client_can_read() throws Exception {
    byte[] over = new byte[LIMITS.maxBody() * 3];
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> sent = post("/v1/models/tiny:predict", over);
      assertEquals(413, sent.statusCode(), "attempt " + i + ": " + sent.body());
      assertTrue(error(sent).contains("exceeds"), sent.body());
    }
    try (Socket waiting = stalled("POST /v1/models/tiny:predict HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
        + "Content-Length: " + over.length + "\r\n\r\n")) {
      String answer = responseOf(waiting);
      assertTrue(answer != null && answer.startsWith("HTTP/1.1 413"), "no 100 Continue, a 413: " + answer);
    }
    try (Socket huge = stalled("POST /v1/models/tiny:predict HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000000\r\n\r\n")) {
      long t0 = System.nanoTime();
      String answer = responseOf(huge);
      assertTrue(answer != null && answer.startsWith("HTTP/1.1 413"), answer);
      assertTrue((System.nanoTime() - t0) / 1e9 < LIMITS.requestTimeout().toSeconds(), "answered without waiting");
    }
    assertEquals(200, get("/v1/models/tiny").statusCode());
  }

  @Test
  void header_limits_answer_json() throws Exception {
    StringBuilder many = new StringBuilder("GET /v1/models/tiny HTTP/1.1\r\nHost: x\r\n");
    for (int i = 0; i < 150; i++) {
      many.append("X-H").append(i).append(": v\r\n");
    }
    try (Socket s = stalled(many.append("Connection: close\r\n\r\n").toString())) {
      String answer = responseOf(s);
      assertTrue(answer.startsWith("HTTP/1.1 431"), answer);
      assertTrue(answer.contains("too many header fields"), answer);
    }
    try (Socket s = stalled("GET /v1/models/tiny HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n")) {
      String answer = responseOf(s);
      assertTrue(answer.startsWith("HTTP/1.1 431"), answer);
      assertTrue(answer.contains("{\"error\":"), answer);
    }
  }

  @Test
  void connections_over_the_cap_wait_briefly_and_stalled_ones_are_shed() throws Exception {
    List<Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < LIMITS.maxConnections() + 20; i++) {
        stalled.add(stalled("GET /v1/mod"));
      }
      long t0 = System.nanoTime();
      HttpResponse<String> r = get("/v1/models/tiny");
      assertEquals(200, r.statusCode());
      // At the cap the server stops accepting and drops idle connections after 1 s (4 s otherwise); the
      // request gets in once they are gone: ~2 s on an idle machine, up to ~8 s on a loaded one.
      double seconds = (System.nanoTime() - t0) / 1e9;
      assertTrue(seconds < 20, "a request beyond the cap waited " + seconds + " s");
    } finally {
      for (Socket s : stalled) {
        s.close();
      }
    }
  }

  @Test
  void decompression_bombs_are_refused_before_decoding() throws Exception {
    byte[] bomb = ImageBomb.png(20_000, 20_000);
    assertTrue(bomb.length < 400_000, "a small file: " + bomb.length);
    List<CompletableFuture<HttpResponse<String>>> three = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < 3; i++) {
      three.add(http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/models/tiny/reconstruction.png"))
          .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofByteArray(bomb)).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> f : three) {
      HttpResponse<String> r = f.get();
      assertEquals(400, r.statusCode(), r.body());
      String message = error(r);
      assertTrue(message.contains("20000×20000") && message.contains("25,000,000"), message);
    }
    assertTrue((System.nanoTime() - t0) / 1e9 < 5, "refused from the header, not after decoding");
    assertEquals(200, get("/v1/models/tiny").statusCode());
  }

  @Test
  void non_finite_and_out_of_range_numbers_never_reach_the_json_answer() throws Exception {
    HttpResponse<String> overflow = post("/v1/models/tiny:predict", decode("1e39,0,0,0,0,0,0,0").getBytes());
    assertEquals(400, overflow.statusCode(), overflow.body());
    assertTrue(error(overflow).contains("float32"), overflow.body());
    HttpResponse<String> huge = post("/v1/models/tiny:predict", decode("3e38,3e38,3e38,3e38,3e38,3e38,3e38,3e38").getBytes());
    // Either the model's answer is finite, or the client is told which output was not.
    Object parsed = Json.parse(huge.body());
    if (huge.statusCode() == 200) {
      assertFalse(huge.body().contains("NaN") || huge.body().contains("Infinity"), huge.body());
    } else {
      assertEquals(400, huge.statusCode());
      assertTrue(error(huge).contains("not finite"), huge.body());
    }
    assertTrue(parsed instanceof Map<?, ?>);
  }

  @Test
  void wrong_methods_and_bad_escapes_get_json_errors() throws Exception {
    for (String method : List.of("PUT", "DELETE")) {
      HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/v1/models/tiny/samples.png"))
          .method(method, HttpRequest.BodyPublishers.noBody()));
      assertEquals(405, r.statusCode(), method);
      assertEquals("GET", r.headers().firstValue("Allow").orElse(""));
      assertTrue(error(r).contains("use GET"));
    }
    HttpResponse<String> getReconstruction = get("/v1/models/tiny/reconstruction.png");
    assertEquals(405, getReconstruction.statusCode());
    try (Socket s = stalled("GET /v1/models/ti%zzny HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) {
      String answer = responseOf(s);
      assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
      assertTrue(answer.contains("{\"error\":") && !answer.contains("<html"), answer);
    }
    try (Socket s = stalled("GET /v1/models/tiny/samples.png?seed=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) {
      String answer = responseOf(s);
      assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
      assertTrue(answer.contains("{\"error\":") && answer.contains("seed"), answer);
    }
  }

  @Test
  void unreadable_escapes_in_json_are_reported_with_their_offset() throws Exception {
    HttpResponse<String> r = post("/v1/models/tiny:predict", "{\"signature_name\": \"\\uZZZZ\"}".getBytes());
    assertEquals(400, r.statusCode());
    assertTrue(error(r).contains("offset"), r.body());
  }

  @Test
  void server_errors_carry_a_message_and_no_exception_class() throws Exception {
    try (ModelServer failing = ModelServer.withEndpoint(root.resolve("models"), 2, (method, path, query, body) -> {
      throw new NullPointerException("boom");
    })) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + failing.port() + "/"))
          .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(500, r.statusCode());
      String message = error(r);
      assertTrue(message.contains("internal error"), message);
      assertFalse(message.contains("Exception") || message.contains("java.") || message.contains("boom"), message);
    }
  }

  @Test
  void a_version_being_copied_is_not_served_until_it_loads() throws Exception {
    Path complete = root.resolve("staging");
    org.introvae.export.ModelExporter.export(root.resolve("runs/tiny"), complete, 7);
    Path target = root.resolve("models/copying");
    Files.createDirectories(target);
    org.introvae.export.ModelExporter.export(root.resolve("runs/tiny"), target, 1);
    // Version 1 serves before the copy of 2 starts (with TF Serving's latest-only policy a model whose
    // first scan already finds 2 would aspire to 2 alone).
    Polling.await(http, base + "/v1/models/copying", "\"version\":\"1\",\"state\":\"AVAILABLE\"");
    Path partial = target.resolve("2");
    Files.createDirectories(partial.resolve("assets"));
    Files.copy(complete.resolve("7/saved_model.pb"), partial.resolve("saved_model.pb"));
    Files.copy(complete.resolve("7/assets/introvae.json"), partial.resolve("assets/introvae.json"));
    HttpResponse<String> status = Polling.await(http, base + "/v1/models/copying", "\"version\":\"2\",\"state\":\"END\"");
    assertTrue(status.body().contains("\"version\":\"2\",\"state\":\"END\""), status.body());
    assertTrue(status.body().contains("variables"), "the load error says what is missing: " + status.body());
    assertTrue(status.body().contains("\"version\":\"1\",\"state\":\"AVAILABLE\""), status.body());
    assertTrue(get("/v1/models/copying/metadata").body().contains("\"version\":\"1\""), "version 1 keeps serving");
    assertEquals(200, post("/v1/models/copying:predict", decode("0,0,0,0,0,0,0,0").getBytes()).statusCode());

    copyTree(complete.resolve("7/variables"), partial.resolve("variables"));
    HttpResponse<String> loaded = Polling.await(http, base + "/v1/models/copying", "\"version\":\"2\",\"state\":\"AVAILABLE\"");
    assertTrue(loaded.body().contains("\"version\":\"2\",\"state\":\"AVAILABLE\""), loaded.body());
    assertTrue(get("/v1/models/copying/metadata").body().contains("\"version\":\"2\""), "the completed copy is the latest");
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }

}
