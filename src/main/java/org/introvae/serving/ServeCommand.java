package org.introvae.serving;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** Serve's command line: --models DIR --port N [--host H] [--threads N]; runs until interrupted. */
public final class ServeCommand {
  private ServeCommand() {}

  static final String USAGE = "usage: Serve [--models DIR] [--port N] [--host ADDRESS] [--threads N]\n"
      + "  Serves every model under DIR (TF Serving layout <name>/<version>/) with TF Serving's REST API.\n"
      + "  Defaults: --models models --port 8501 --host 127.0.0.1 --threads 4\n";

  public static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
    Path models;
    int port;
    String host;
    int threads;
    try {
      CommandLine c = CommandLine.parse(args, Map.of("models", "models", "port", "8501", "host", "127.0.0.1", "threads", "4"));
      if (c == null) {
        out.print(USAGE);
        return 0;
      }
      models = Path.of(c.get("models"));
      port = (int) c.whole("port", 0, 65535);
      host = c.get("host");
      threads = (int) c.whole("threads", 1, 256);
      if (!Files.isDirectory(models)) {
        throw new IllegalArgumentException(models + ": no such folder");
      }
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    }
    ModelServer server;
    try {
      server = new ModelServer(models, host, port, threads);
    } catch (IOException e) {
      err.println("error: cannot listen on " + host + ":" + port + " (" + e.getMessage() + ")");
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }));
    server.start();
    out.printf("serving %s on http://%s:%d/ (REST: /v1/models/<name>[:predict|/metadata]); Ctrl-C stops%n",
        models.toAbsolutePath(), host, server.port());
    stopped.await();
    return 0;
  }
}
