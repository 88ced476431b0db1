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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Serve command, as its own process, writes one access-log line per REST request to stderr. */
class AccessLogTest {
  @Test
  @Timeout(120)
  void serve_logs_each_request_with_status_agent_and_time() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Process serve = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), "Serve", "--models", "models", "--rest_api_port", String.valueOf(port),
        "--port", "-1").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
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
      for (String line = err.readLine(); line != null; line = err.readLine()) {
        if (line.contains("org.introvae.serving.access")) {
          assertTrue(line.contains("\"GET /v1/models/ghost HTTP/1.1\" 404 ") && line.contains("\"access-log-test\"")
              && line.matches(".* \\d+ ms$"), line);
          return;
        }
      }
      throw new AssertionError("no access-log line before the server's stderr closed");
    } finally {
      serve.destroy();
      serve.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
