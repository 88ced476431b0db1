package org.introvae.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.introvae.serving.grpc.GetModelMetadataRequest;
import org.introvae.serving.grpc.ModelSpec;
import org.introvae.serving.grpc.PredictionServiceGrpc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.introvae.testkit.GenericSavedModel;
import org.introvae.testkit.Polling;

/** TF Serving's version policies and labels from its model config file, reloaded while serving. */
class ModelConfigTest {
  @TempDir
  static Path root;
  static Path config;
  static ModelServer server;
  static ManagedChannel channel;
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static String rest;

  @BeforeAll
  static void start() throws Exception {
    for (long v = 1; v <= 3; v++) {
      GenericSavedModel.write(root.resolve("generic"), v);
    }
    config = root.resolve("models.config");
    Files.writeString(config, """
        model_config_list {
          config {
            name: "generic"
            base_path: "%s"
            model_platform: "tensorflow"
            model_version_policy { specific { versions: 1 versions: 3 } }
            version_labels { key: "stable" value: 1 }
            version_labels { key: "canary" value: 3 }
            logging_config { }
          }
        }
        """.formatted(root.resolve("generic")));
    Path monitoring = root.resolve("monitoring.config");
    Files.writeString(monitoring, "prometheus_config { enable: true, path: \"/metrics\" }");
    server = new ModelServer(ModelSource.configFile(config, Duration.ofMillis(200)), "127.0.0.1", 0, 0, 2,
        Duration.ofMillis(200), ServeCommand.metricsPath(monitoring), null);
    rest = "http://127.0.0.1:" + server.port();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(rest + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static long grpcVersion(String label) {
    return PredictionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .getModelMetadata(GetModelMetadataRequest.newBuilder().addMetadataField("signature_def")
            .setModelSpec(ModelSpec.newBuilder().setName("generic").setVersionLabel(label)).build())
        .getModelSpec().getVersion().getValue();
  }

  @Test
  void policy_labels_and_reload() throws Exception {
    String status = Polling.await(HTTP, rest + "/v1/models/generic", "\"version\":\"1\",\"state\":\"AVAILABLE\"").body();
    assertTrue(status.contains("\"version\":\"3\",\"state\":\"AVAILABLE\""), status);
    assertFalse(status.contains("\"version\":\"2\""), "version 2 is not in the specific policy: " + status);
    assertTrue(get("/v1/models/generic/labels/stable/metadata").body().contains("\"version\":\"1\""));
    assertTrue(get("/v1/models/generic/labels/canary").body().contains("\"version\":\"3\""));
    HttpResponse<String> unknown = get("/v1/models/generic/labels/nope");
    assertEquals(400, unknown.statusCode());
    assertTrue(unknown.body().contains("Unrecognized servable version label: nope"), unknown.body());
    assertEquals(3, grpcVersion("canary"));
    StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
        () -> grpcVersion("nope"));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());

    // A file that turns bad is logged and the configuration in force stays.
    Files.writeString(config, "model_config_list { config { name: ");
    Thread.sleep(600);
    assertEquals(1, grpcVersion("stable"));

    // Latest-only, with the label moved: version 1 is unloaded, "stable" now means 3.
    Files.writeString(config, """
        model_config_list { config { name: "generic" base_path: "%s"
          model_version_policy { latest { num_versions: 1 } }
          version_labels { key: "stable" value: 3 } } }
        """.formatted(root.resolve("generic")));
    String reloaded = Polling.awaitAbsent(HTTP, rest + "/v1/models/generic", "\"version\":\"1\"").body();
    assertTrue(reloaded.contains("\"version\":\"3\",\"state\":\"AVAILABLE\""), reloaded);
    assertEquals(3, grpcVersion("stable"));
  }

  private static long metric(String text, String series) {
    for (String line : text.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Long.parseLong(line.substring(series.length() + 1));
      }
    }
    return 0;
  }

  @Test
  void prometheus_metrics_count_requests_by_model_api_and_status() throws Exception {
    Polling.await(HTTP, rest + "/v1/models/generic", "AVAILABLE");
    String ok = ":tensorflow:serving:request_count{model_name=\"generic\",status=\"OK\"}";
    String grpcLatency = ":tensorflow:serving:request_latency_count{model_name=\"generic\",API=\"GetModelMetadata\","
        + "entrypoint=\"GRPC\"}";
    String unknown = ":tensorflow:serving:request_count{model_name=\"\",status=\"NOT_FOUND\"}";
    String before = get("/metrics").body();
    for (int i = 0; i < 3; i++) {
      grpcVersion("stable");
    }
    assertEquals(200, get("/v1/models/generic/labels/stable/metadata").statusCode());
    assertEquals(404, get("/v1/models/ghost-" + System.nanoTime()).statusCode());
    HttpResponse<String> after = get("/metrics");
    assertEquals(200, after.statusCode());
    assertTrue(after.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
    assertEquals(4, metric(after.body(), ok) - metric(before, ok), after.body());
    assertEquals(3, metric(after.body(), grpcLatency) - metric(before, grpcLatency));
    assertEquals(1, metric(after.body(), unknown) - metric(before, unknown), "unknown names share one label value");
    assertTrue(after.body().contains(":tensorflow:serving:model_version_state{model_name=\"generic\",version=\"3\","
        + "state=\"AVAILABLE\"} 1"), after.body());
    assertTrue(after.body().contains("le=\"+Inf\""));
  }

  @Test
  void grpc_reload_config_replaces_the_models_configuration() throws Exception {
    try (ModelServer own = new ModelServer(ModelSource.folderOfModels(root), "127.0.0.1", 0, 0, 1, Duration.ofHours(1),
        null, null)) {
      ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", own.grpcPort()).usePlaintext().build();
      try {
        org.introvae.serving.grpc.ModelServiceGrpc.ModelServiceBlockingStub stub =
            org.introvae.serving.grpc.ModelServiceGrpc.newBlockingStub(c).withDeadlineAfter(60, TimeUnit.SECONDS);
        org.introvae.serving.config.ModelServerConfig.Builder config = org.introvae.serving.config.ModelServerConfig.newBuilder();
        com.google.protobuf.TextFormat.merge("""
            model_config_list { config { name: "renamed" base_path: "%s"
              model_version_policy { specific { versions: 2 } } version_labels { key: "mid" value: 2 } } }
            """.formatted(root.resolve("generic")), config);
        org.introvae.serving.grpc.ReloadConfigResponse r = stub.handleReloadConfigRequest(
            org.introvae.serving.grpc.ReloadConfigRequest.newBuilder().setConfig(config).build());
        assertEquals(org.tensorflow.proto.error.Code.OK, r.getStatus().getErrorCode());
        org.introvae.serving.grpc.GetModelStatusResponse status = stub.getModelStatus(
            org.introvae.serving.grpc.GetModelStatusRequest.newBuilder().setModelSpec(ModelSpec.newBuilder()
                .setName("renamed").setVersionLabel("mid")).build());
        assertEquals(2, status.getModelVersionStatus(0).getVersion());
        assertEquals(Status.Code.NOT_FOUND, org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
            () -> stub.getModelStatus(org.introvae.serving.grpc.GetModelStatusRequest.newBuilder()
                .setModelSpec(ModelSpec.newBuilder().setName("generic")).build())).getStatus().getCode());
        StatusRuntimeException bad = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
            () -> stub.handleReloadConfigRequest(org.introvae.serving.grpc.ReloadConfigRequest.newBuilder()
                .setConfig(org.introvae.serving.config.ModelServerConfig.newBuilder().setModelConfigList(
                    org.introvae.serving.config.ModelConfigList.newBuilder().addConfig(
                        org.introvae.serving.config.ModelConfig.newBuilder().setName("x").setBasePath("/tmp")
                            .setModelPlatform("onnx")))).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
        assertEquals(1, stub.getModelStatus(org.introvae.serving.grpc.GetModelStatusRequest.newBuilder()
            .setModelSpec(ModelSpec.newBuilder().setName("renamed")).build()).getModelVersionStatusCount(),
            "a refused configuration leaves the one in force");
      } finally {
        c.shutdownNow();
      }
    }
  }

  @Test
  void a_folder_of_models_serves_each_ones_latest_version() {
    try (ModelRepository repository = new ModelRepository(ModelSource.folderOfModels(root), Duration.ofHours(1))) {
      assertEquals(List.of(3L), repository.versions("generic").stream().map(ModelRepository.Version::number).toList());
    }
  }

  @Test
  void a_bad_config_file_is_a_one_line_error_naming_it() throws Exception {
    Path bad = root.resolve("bad.config");
    Files.writeString(bad, "model_config_list { config { name: \"x\" base_path: \"/tmp\" model_platform: \"onnx\" } }");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = ServeCommand.run(new String[] {"--model_config_file=" + bad, "--port=-1", "--rest_api_port=0"},
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
    assertEquals(2, code);
    String message = err.toString().strip();
    assertTrue(message.startsWith("error: " + bad) && message.contains("onnx") && !message.contains("\n"), message);
    Files.writeString(bad, "model_config_list { config { name: ");
    err.reset();
    assertEquals(2, ServeCommand.run(new String[] {"--model_config_file", bad.toString()},
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err)));
    assertTrue(err.toString().contains("not a ModelServerConfig in text format"), err.toString());
  }

  /**
   * TF Serving's rule: a label must name an AVAILABLE version. A config that breaks it stops the server
   * from starting, and a reload that breaks it answers FAILED_PRECONDITION and keeps the labels in force;
   * --allow_version_labels_for_unavailable_models lets a new label name a version not loaded.
   */
  @Test
  void labels_must_name_available_versions_unless_allowed() throws Exception {
    Path labelled = root.resolve("unavailable.config");
    Files.writeString(labelled, """
        model_config_list { config { name: "generic" base_path: "%s"
          model_version_policy { specific { versions: 1 } } version_labels { key: "next" value: 2 } } }
        """.formatted(root.resolve("generic")));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(1, ServeCommand.run(new String[] {"--model_config_file=" + labelled, "--port=-1", "--rest_api_port=0"},
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err)));
    assertEquals("error: Failed to start server. FAILED_PRECONDITION: Request to assign label to version 2 of model"
        + " generic, which is not currently available for inference", err.toString().strip());

    try (ModelServer allowed = new ModelServer(ModelSource.configFile(labelled, Duration.ZERO), "127.0.0.1", 0, 0, 1,
        Duration.ofHours(1), null, null, true)) {
      ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", allowed.grpcPort()).usePlaintext().build();
      try {
        org.introvae.serving.grpc.ModelServiceGrpc.ModelServiceBlockingStub stub =
            org.introvae.serving.grpc.ModelServiceGrpc.newBlockingStub(c).withDeadlineAfter(60, TimeUnit.SECONDS);
        StatusRuntimeException notLoaded = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
            () -> stub.getModelStatus(org.introvae.serving.grpc.GetModelStatusRequest.newBuilder().setModelSpec(
                ModelSpec.newBuilder().setName("generic").setVersionLabel("next")).build()));
        assertEquals(Status.Code.NOT_FOUND, notLoaded.getStatus().getCode());
        assertEquals("Could not find version 2 of model generic", notLoaded.getStatus().getDescription());

        // Moving an existing label to a version that is not loaded is refused even with the flag.
        org.introvae.serving.config.ModelServerConfig.Builder moved = org.introvae.serving.config.ModelServerConfig.newBuilder();
        com.google.protobuf.TextFormat.merge("""
            model_config_list { config { name: "generic" base_path: "%s"
              model_version_policy { specific { versions: 1 } } version_labels { key: "next" value: 3 } } }
            """.formatted(root.resolve("generic")), moved);
        StatusRuntimeException refused = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
            () -> stub.handleReloadConfigRequest(org.introvae.serving.grpc.ReloadConfigRequest.newBuilder()
                .setConfig(moved).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
        assertTrue(refused.getStatus().getDescription().contains("version 3 of model generic"), refused.getMessage());
        assertEquals("Could not find version 2 of model generic", org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class, () -> stub.getModelStatus(org.introvae.serving.grpc.GetModelStatusRequest
                .newBuilder().setModelSpec(ModelSpec.newBuilder().setName("generic").setVersionLabel("next")).build()))
            .getStatus().getDescription(), "the label in force still names version 2");
      } finally {
        c.shutdownNow();
      }
    }
  }
}
