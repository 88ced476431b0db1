package org.introvae.serving;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Serve's command line, with TF Serving's flags (either "--flag value" or "--flag=value"); runs until
 * interrupted.
 */
public final class ServeCommand {
  private ServeCommand() {}

  static final String USAGE = """
      usage: Serve [--models DIR | --model_name NAME --model_base_path PATH | --model_config_file FILE]
                   [--port N] [--rest_api_port N] [--host ADDRESS] [--threads N]
        Serves SavedModels in TF Serving's layout (<model>/<version>/saved_model.pb) with TF Serving's APIs:
        gRPC (PredictionService, ModelService) on --port, REST (/v1/models/...) and a page on --rest_api_port.
        As TF Serving, each model serves its latest version unless its config says otherwise.
        --models DIR          every sub-folder of DIR is a model                      [models]
        --model_name NAME     serve one model under this name (with --model_base_path)
        --model_base_path P   the folder holding that model's numeric versions
        --model_config_file F TF Serving's ModelServerConfig in text format (names, base paths,
                              model_version_policy, version_labels)
        --allow_version_labels_for_unavailable_models  a new label may name a version that is
                              not (yet) available; otherwise such a config is refused     [false]
        --model_config_file_poll_wait_seconds N   re-read the config file every N s; 0: never [0]
        --file_system_poll_wait_seconds N         look for new and removed versions every N s [1]
        --port N              gRPC port; 0 picks a free port, -1 turns gRPC off        [8500]
        --rest_api_port N     REST port; 0 picks a free port                          [8501]
        --monitoring_config_file F  TF Serving's MonitoringConfig in text format; with
                              prometheus_config { enable: true } REST serves metrics at its path
                              (default /monitoring/prometheus/metrics)
        --enable_batching     batch requests as TF Serving does                        [false]
        --batching_parameters_file F  TF Serving's BatchingParameters in text format
                              (max_batch_size, batch_timeout_micros, num_batch_threads,
                              max_enqueued_batches, allowed_batch_sizes); implies batching
        --access_log B        a line per REST request and gRPC call on stderr       [true]
        --host ADDRESS        address both listen on                                  [127.0.0.1]
        --threads N           model workers (calls run at once)                       [4]
      """;

  public static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
    ModelSource source;
    int restPort;
    int grpcPort;
    String host;
    int threads;
    Duration poll;
    String metricsPath;
    RequestBatcher.Parameters batching;
    boolean labelsForUnavailable;
    try {
      Map<String, String> defaults = new LinkedHashMap<>();
      defaults.put("models", null);
      defaults.put("model_name", null);
      defaults.put("model_base_path", null);
      defaults.put("model_config_file", null);
      defaults.put("model_config_file_poll_wait_seconds", "0");
      defaults.put("file_system_poll_wait_seconds", "1");
      defaults.put("monitoring_config_file", null);
      defaults.put("enable_batching", "false");
      defaults.put("allow_version_labels_for_unavailable_models", "false");
      defaults.put("access_log", "true");
      defaults.put("batching_parameters_file", null);
      defaults.put("port", "8500");
      defaults.put("rest_api_port", "8501");
      defaults.put("host", "127.0.0.1");
      defaults.put("threads", "4");
      CommandLine c = CommandLine.parse(args, defaults);
      if (c == null) {
        out.print(USAGE);
        return 0;
      }
      source = source(c);
      grpcPort = (int) c.whole("port", -1, 65535);
      restPort = (int) c.whole("rest_api_port", 0, 65535);
      host = c.get("host");
      threads = (int) c.whole("threads", 1, 256);
      poll = Duration.ofSeconds(c.whole("file_system_poll_wait_seconds", 1, 86400));
      batching = batching(c);
      labelsForUnavailable = trueOrFalse(c, "allow_version_labels_for_unavailable_models");
      if (trueOrFalse(c, "access_log")) {
        // Read by SLF4J's simple logger when the access logger is first made, which the server does.
        System.setProperty("org.slf4j.simpleLogger.log." + ModelServer.ACCESS_LOG, "info");
      }
      metricsPath = c.get("monitoring_config_file") == null ? null : metricsPath(Path.of(c.get("monitoring_config_file")));
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    }
    ModelServer server;
    try {
      server = new ModelServer(source, host, restPort, grpcPort, threads, poll, metricsPath, batching, labelsForUnavailable);
    } catch (ModelRepository.LabelUnavailable e) {
      err.println("error: Failed to start server. FAILED_PRECONDITION: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      err.println("error: cannot listen on " + host + " (REST port " + restPort + ", gRPC port " + grpcPort + "): "
          + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }));
    out.printf("serving %s: REST on http://%s:%d/ (/v1/models/<name>[:predict|/metadata]), %s; Ctrl-C stops%n",
        source.describe(), host, server.port(),
        server.grpcPort() == ModelServer.NO_GRPC ? "gRPC off" : "gRPC on " + host + ":" + server.grpcPort());
    stopped.await();
    return 0;
  }

  /** TF Serving's batching flags: off unless --enable_batching or a parameters file. */
  private static RequestBatcher.Parameters batching(CommandLine c) {
    boolean enable = trueOrFalse(c, "enable_batching");
    String file = c.get("batching_parameters_file");
    if (file != null) {
      return RequestBatcher.Parameters.read(Path.of(file));
    }
    return enable ? new RequestBatcher.Parameters(1000, 0, 10, Runtime.getRuntime().availableProcessors(),
        java.util.List.of()) : null;
  }

  private static boolean trueOrFalse(CommandLine c, String name) {
    String v = c.get(name);
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException("--" + name + ": '" + v + "' must be true or false");
    }
    return v.equals("true");
  }

  /** The Prometheus path a monitoring config file enables, or null when it does not enable it. */
  static String metricsPath(Path file) {
    org.introvae.serving.config.MonitoringConfig.Builder config =
        TextProtoFile.read(file, org.introvae.serving.config.MonitoringConfig.newBuilder(), "a MonitoringConfig");
    if (!config.getPrometheusConfig().getEnable()) {
      return null;
    }
    String path = config.getPrometheusConfig().getPath();
    if (path.isEmpty()) {
      return ServingMetrics.DEFAULT_PATH;
    }
    if (!path.startsWith("/") || path.startsWith("/v1/")) {
      throw new IllegalArgumentException(file + ": prometheus_config.path '" + path + "' must start with / and not with /v1/");
    }
    return path;
  }

  private static ModelSource source(CommandLine c) {
    String name = c.get("model_name");
    String basePath = c.get("model_base_path");
    String config = c.get("model_config_file");
    int given = (c.get("models") != null ? 1 : 0) + (name != null || basePath != null ? 1 : 0) + (config != null ? 1 : 0);
    if (given > 1) {
      throw new IllegalArgumentException("give one of --models, --model_name with --model_base_path, or --model_config_file");
    }
    if (config != null) {
      return ModelSource.configFile(Path.of(config),
          Duration.ofSeconds(c.whole("model_config_file_poll_wait_seconds", 0, 86400)));
    }
    if (name != null || basePath != null) {
      if (name == null || basePath == null) {
        throw new IllegalArgumentException("--model_name and --model_base_path go together");
      }
      Path base = Path.of(basePath);
      if (!Files.isDirectory(base)) {
        throw new IllegalArgumentException("--model_base_path: " + base + ": no such folder");
      }
      return ModelSource.singleModel(name, base);
    }
    Path models = Path.of(c.get("models") == null ? "models" : c.get("models"));
    if (!Files.isDirectory(models)) {
      throw new IllegalArgumentException("--models: " + models + ": no such folder");
    }
    return ModelSource.folderOfModels(models);
  }
}
