package org.introvae.serving;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
      usage: Serve [--models DIR | --model_name NAME --model_base_path PATH] [--port N] [--rest_api_port N]
                   [--host ADDRESS] [--threads N]
        Serves SavedModels in TF Serving's layout (<model>/<version>/saved_model.pb) with TF Serving's APIs:
        gRPC (PredictionService, ModelService) on --port, REST (/v1/models/...) and a page on --rest_api_port.
        --models DIR          every sub-folder of DIR is a model                      [models]
        --model_name NAME     serve one model under this name (with --model_base_path)
        --model_base_path P   the folder holding that model's numeric versions
        --port N              gRPC port; 0 picks a free port, -1 turns gRPC off        [8500]
        --rest_api_port N     REST port; 0 picks a free port                          [8501]
        --host ADDRESS        address both listen on                                  [127.0.0.1]
        --threads N           model workers (calls run at once)                       [4]
      """;

  public static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
    ModelRepository.Source source;
    int restPort;
    int grpcPort;
    String host;
    int threads;
    try {
      Map<String, String> defaults = new LinkedHashMap<>();
      defaults.put("models", null);
      defaults.put("model_name", null);
      defaults.put("model_base_path", null);
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
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    }
    ModelServer server;
    try {
      server = new ModelServer(source, host, restPort, grpcPort, threads);
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

  private static ModelRepository.Source source(CommandLine c) {
    String name = c.get("model_name");
    String basePath = c.get("model_base_path");
    if (name != null || basePath != null) {
      if (c.get("models") != null) {
        throw new IllegalArgumentException("give either --models or --model_name with --model_base_path, not both");
      }
      if (name == null || basePath == null) {
        throw new IllegalArgumentException("--model_name and --model_base_path go together");
      }
      Path base = Path.of(basePath);
      if (!Files.isDirectory(base)) {
        throw new IllegalArgumentException("--model_base_path: " + base + ": no such folder");
      }
      return ModelRepository.singleModel(name, base);
    }
    Path models = Path.of(c.get("models") == null ? "models" : c.get("models"));
    if (!Files.isDirectory(models)) {
      throw new IllegalArgumentException("--models: " + models + ": no such folder");
    }
    return ModelRepository.folderOfModels(models);
  }
}
