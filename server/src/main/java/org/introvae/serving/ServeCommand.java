package org.introvae.serving;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.introvae.commandline.ToolOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Serve's command line, with TF Serving's flags; runs until interrupted.
 */
public final class ServeCommand {
  private ServeCommand() {}

  @Command(name = "serve", showDefaultValues = true, sortOptions = false, description = {
      "Serves SavedModels in TF Serving's layout (<model>/<version>/saved_model.pb) with TF Serving's APIs:",
      "gRPC (PredictionService, ModelService) on --port, REST (/v1/models/...) and a page on --rest_api_port.",
      "As TF Serving, each model serves its latest version unless its config says otherwise. TF Serving's",
      "flags take --flag value or --flag=value."})
  static final class Options {
    @Option(names = "--models", paramLabel = "DIR", description = "every sub-folder of DIR is a model [models]")
    Path models;
    @Option(names = "--model_name", paramLabel = "NAME", description = "serve one model under this name (with --model_base_path)")
    String modelName;
    @Option(names = "--model_base_path", paramLabel = "PATH", description = "the folder holding that model's numeric versions")
    Path modelBasePath;
    @Option(names = "--model_config_file", paramLabel = "FILE", description = "TF Serving's ModelServerConfig in text"
        + " format (names, base paths, model_version_policy, version_labels)")
    Path modelConfigFile;
    @Option(names = "--allow_version_labels_for_unavailable_models", arity = "0..1", paramLabel = "BOOL",
        description = "a new label may name a version that is not (yet) available; otherwise such a config is refused")
    boolean labelsForUnavailable;
    @Option(names = "--model_config_file_poll_wait_seconds", paramLabel = "N", description = "re-read the config file"
        + " every N s; 0: never")
    long configPoll = 0;
    @Option(names = "--file_system_poll_wait_seconds", paramLabel = "N", description = "look for new and removed"
        + " versions every N s")
    long filePoll = 1;
    @Option(names = "--port", paramLabel = "N", description = "gRPC port; 0 picks a free port, -1 turns gRPC off")
    int port = 8500;
    @Option(names = "--rest_api_port", paramLabel = "N", description = "REST port; 0 picks a free port")
    int restPort = 8501;
    @Option(names = "--monitoring_config_file", paramLabel = "FILE", description = "TF Serving's MonitoringConfig in"
        + " text format; with prometheus_config { enable: true } REST serves metrics at its path (default "
        + ServingMetrics.DEFAULT_PATH + ")")
    Path monitoringConfigFile;
    @Option(names = "--enable_batching", arity = "0..1", paramLabel = "BOOL", description = "batch requests as TF"
        + " Serving does")
    boolean enableBatching;
    @Option(names = "--batching_parameters_file", paramLabel = "FILE", description = "TF Serving's BatchingParameters"
        + " in text format (max_batch_size, batch_timeout_micros, num_batch_threads, max_enqueued_batches,"
        + " allowed_batch_sizes); implies batching")
    Path batchingParametersFile;
    @Option(names = "--access_log", arity = "0..1", paramLabel = "BOOL", description = "a line per REST request and"
        + " gRPC call on stderr")
    boolean accessLog = true;
    @Option(names = "--host", paramLabel = "ADDRESS", description = "address both listen on")
    String host = "127.0.0.1";
    @Option(names = "--threads", paramLabel = "N", description = "model workers (calls run at once)")
    int threads = 4;
    @Option(names = "--tensorflow_session_parallelism", paramLabel = "N", description = "both of TensorFlow's thread"
        + " pools per model; 0: automatic [0]")
    Long sessionParallelism;
    @Option(names = "--tensorflow_intra_op_parallelism", paramLabel = "N", description = "threads inside one op;"
        + " 0: automatic (one per core) [0]")
    Long intraOpParallelism;
    @Option(names = "--tensorflow_inter_op_parallelism", paramLabel = "N", description = "ops run at once;"
        + " 0: automatic (one per core), negative: each call's ops in the calling thread [0]")
    Long interOpParallelism;
    @Mixin
    ToolOptions.Help help;
  }

  public static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
    ModelSource source;
    int restPort;
    int grpcPort;
    String host;
    int threads;
    Duration poll;
    String metricsPath;
    RequestBatcher.Parameters batching;
    SessionThreads sessionThreads;
    Options o = new Options();
    try {
      if (!new ToolOptions(o).parse(args, out)) {
        return 0;
      }
      source = source(o);
      grpcPort = ToolOptions.whole("--port", o.port, -1, 65535);
      restPort = ToolOptions.whole("--rest_api_port", o.restPort, 0, 65535);
      host = o.host;
      threads = ToolOptions.whole("--threads", o.threads, 1, 256);
      poll = Duration.ofSeconds(ToolOptions.whole("--file_system_poll_wait_seconds", o.filePoll, 1, 86400));
      batching = batching(o);
      sessionThreads = SessionThreads.fromFlags(o.sessionParallelism, o.intraOpParallelism, o.interOpParallelism);
      if (o.accessLog) {
        // Read by SLF4J's simple logger when the access logger is first made, which the server does.
        System.setProperty("org.slf4j.simpleLogger.log." + ModelServer.ACCESS_LOG, "info");
      }
      metricsPath = o.monitoringConfigFile == null ? null : metricsPath(o.monitoringConfigFile);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    }
    ModelServer server;
    try {
      server = new ModelServer(source, host, restPort, grpcPort, threads, poll, metricsPath, batching, sessionThreads,
          o.labelsForUnavailable);
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
  private static RequestBatcher.Parameters batching(Options o) {
    if (o.batchingParametersFile != null) {
      return RequestBatcher.Parameters.read(o.batchingParametersFile);
    }
    return o.enableBatching ? new RequestBatcher.Parameters(1000, 0, 10, Runtime.getRuntime().availableProcessors(),
        java.util.List.of()) : null;
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

  private static ModelSource source(Options o) {
    int given = (o.models != null ? 1 : 0) + (o.modelName != null || o.modelBasePath != null ? 1 : 0)
        + (o.modelConfigFile != null ? 1 : 0);
    if (given > 1) {
      throw new IllegalArgumentException("give one of --models, --model_name with --model_base_path, or --model_config_file");
    }
    if (o.modelConfigFile != null) {
      return ModelSource.configFile(o.modelConfigFile,
          Duration.ofSeconds(ToolOptions.whole("--model_config_file_poll_wait_seconds", o.configPoll, 0, 86400)));
    }
    if (o.modelName != null || o.modelBasePath != null) {
      if (o.modelName == null || o.modelBasePath == null) {
        throw new IllegalArgumentException("--model_name and --model_base_path go together");
      }
      if (!Files.isDirectory(o.modelBasePath)) {
        throw new IllegalArgumentException("--model_base_path: " + o.modelBasePath + ": no such folder");
      }
      return ModelSource.singleModel(o.modelName, o.modelBasePath);
    }
    Path models = o.models == null ? Path.of("models") : o.models;
    if (!Files.isDirectory(models)) {
      throw new IllegalArgumentException("--models: " + models + ": no such folder");
    }
    return ModelSource.folderOfModels(models);
  }
}
