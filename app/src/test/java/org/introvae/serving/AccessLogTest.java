package org.introvae.serving;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.introvae.serving.grpc.GetModelStatusRequest;
import org.introvae.serving.grpc.ModelServiceGrpc;
import org.introvae.serving.grpc.ModelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Serve command, as its own process, writes one access-log line per REST request and per gRPC call to stderr. */
class AccessLogTest {
  @Test
  @Timeout(120)
  void serve_logs_each_request_with_status_agent_and_time() throws Exception {
    int port;
    int grpcPort;
    try (ServerSocket free = new ServerSocket(0); ServerSocket free2 = new ServerSocket(0)) {
      port = free.getLocalPort();
      grpcPort = free2.getLocalPort();
    }
    Process serve = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), "Serve", "--models", "models", "--rest_api_port", String.valueOf(port),
        "--port", String.valueOf(grpcPort)).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try (BufferedReader err = new BufferedReader(new InputStreamReader(serve.getErrorStream(), StandardCharsets.UTF_8))) {
      HttpClient http = HttpClient.newHttpClient();
      URI ghost = URI.create("http://127.0.0.1:" + port + "/v1/models/ghost");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (true) {
        try {
          http.send(HttpRequest.newBuilder(ghost).header("User-Agent", "access-log-test").build(),
              HttpResponse.BodyHandlers.discarding());
          break;
        } catch (java.io.IOException notYet) {
          assertTrue(System.nanoTime() < deadline, "the server did not start");
          Thread.sleep(200);
        }
      }
      ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext()
          .userAgent("access-log-test").build();
      try {
        ModelServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).getModelStatus(
            GetModelStatusRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("ghost")).build());
        throw new AssertionError("a model that does not exist has a status");
      } catch (StatusRuntimeException expected) {
        assertTrue(expected.getStatus().getCode() == Status.Code.NOT_FOUND, expected.toString());
      } finally {
        channel.shutdownNow();
      }
      boolean rest = false;
      for (String line = err.readLine(); line != null; line = err.readLine()) {
        if (!line.contains("org.introvae.serving.access")) {
          continue;
        }
        if (!rest) {
          assertTrue(line.contains("\"GET /v1/models/ghost HTTP/1.1\" 404 ") && line.contains("\"access-log-test\"")
              && line.matches(".* \\d+ ms$"), line);
          rest = true;
        } else {
          assertTrue(line.contains("\"gRPC tensorflow.serving.ModelService/GetModelStatus\" NOT_FOUND")
              && line.contains("\"access-log-test") && line.matches(".* \\d+ ms$"), line);
          return;
        }
      }
      throw new AssertionError("no access-log lines for both calls before the server's stderr closed");
    } finally {
      serve.destroy();
      serve.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
