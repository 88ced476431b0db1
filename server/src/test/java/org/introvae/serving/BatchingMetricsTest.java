package org.introvae.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.introvae.testkit.GenericSavedModel;
import org.introvae.testkit.Polling;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TF Serving's batching counter on the Prometheus page counts the session runs that served batches. */
class BatchingMetricsTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String WRAPPED_RUNS = ":tensorflow:serving:batching_session:wrapped_run_count ";

  @TempDir
  Path root;

  @Test
  void four_requests_that_share_one_batch_count_one_session_run() throws Exception {
    GenericSavedModel.write(root.resolve("models").resolve("generic"), 1);
    Path monitoring = root.resolve("monitoring.config");
    Files.writeString(monitoring, "prometheus_config { enable: true, path: \"/metrics\" }");
    // A 2 s timeout and room for 8 rows: four requests sent together close one batch.
    RequestBatcher.Parameters batching = new RequestBatcher.Parameters(8, 2_000_000, 10, 1, List.of());
    try (ModelServer server = new ModelServer(ModelSource.folderOfModels(root.resolve("models")), "127.0.0.1", 0,
        ModelServer.NO_GRPC, 8, Duration.ofHours(1), ServeCommand.metricsPath(monitoring), batching, false)) {
      String rest = "http://127.0.0.1:" + server.port();
      Polling.await(HTTP, rest + "/v1/models/generic", "AVAILABLE");
      long before = wrappedRuns(rest);
      String body = "{\"signature_name\": \"types\", \"inputs\": {\"d\": [1.5], \"i\": [2], \"u\": [3], \"b\": [true],"
          + " \"s\": [\"x\"]}}";
      ExecutorService clients = Executors.newFixedThreadPool(4);
      try {
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          answers.add(clients.submit(() -> HTTP.send(HttpRequest.newBuilder(URI.create(rest + "/v1/models/generic:predict"))
              .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString())));
        }
        for (Future<HttpResponse<String>> a : answers) {
          assertEquals(200, a.get(60, TimeUnit.SECONDS).statusCode());
        }
      } finally {
        clients.shutdownNow();
      }
      assertEquals(1, wrappedRuns(rest) - before, "one session run for the four requests");
    }
  }

  private static long wrappedRuns(String rest) throws Exception {
    String page = HTTP.send(HttpRequest.newBuilder(URI.create(rest + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return page.lines().filter(l -> l.startsWith(WRAPPED_RUNS)).mapToLong(l -> Long.parseLong(l.substring(WRAPPED_RUNS.length())))
        .findFirst().orElseThrow(() -> new AssertionError("no " + WRAPPED_RUNS.strip() + " on the metrics page:\n" + page));
  }
}
