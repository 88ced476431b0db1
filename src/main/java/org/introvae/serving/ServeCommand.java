package org.introvae.serving;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** Serve's command line: --models DIR --port N [--host H] [--threads N]; runs until interrupted. */
public final class ServeCommand {
  private ServeCommand() {}

  static final String USAGE = "usage: Serve [--models DIR] [--port N] [--host ADDRESS] [--threads N]\n"
      + "  Serves every model under DIR (TF Serving layout <name>/<version>/) with TF Serving's REST API.\n"
      + "  Defaults: --models models --port 8501 --host 127.0.0.1 --threads 4\n";

  public static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
    Path models = Path.of("models");
    int port = 8501;
    String host = "127.0.0.1";
    int threads = 4;
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--help")) {
          out.print(USAGE);
          return 0;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(a + " needs a value");
        }
        String v = args[++i];
        switch (a) {
          case "--models" -> models = Path.of(v);
          case "--port" -> port = number(a, v, 0, 65535);
          case "--host" -> host = v;
          case "--threads" -> threads = number(a, v, 1, 256);
          default -> throw new IllegalArgumentException("unknown option " + a + " (see --help)");
        }
      }
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

  private static int number(String option, String value, int min, int max) {
    try {
      int n = Integer.parseInt(value);
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + ": '" + value + "' must be a whole number from " + min + " to " + max);
    }
  }
}
