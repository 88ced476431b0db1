package org.introvae.tools;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code Serve} as a process of its own on 127.0.0.1 (this JVM's classpath), so that load tools measure
 * it as clients would: its CPU and memory apart from theirs. Output goes to a log file.
 */
final class ServerProcess implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final int restPort;
  private final int grpcPort;

  private ServerProcess(Process process, Path log, int restPort, int grpcPort) {
    this.process = process;
    this.log = log;
    this.restPort = restPort;
    this.grpcPort = grpcPort;
  }

  /** {@code java jvmOptions... Serve --models models --rest_api_port R --port G serveFlags...} on free ports. */
  static ServerProcess start(Path models, List<String> jvmOptions, List<String> serveFlags) throws IOException {
    int rest;
    int grpc;
    try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
      rest = a.getLocalPort();
      grpc = b.getLocalPort();
    }
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "Serve", "--models", models.toString(),
        "--host", "127.0.0.1", "--rest_api_port", String.valueOf(rest), "--port", String.valueOf(grpc)));
    command.addAll(serveFlags);
    Path log = Files.createTempFile("serve", ".log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new ServerProcess(process, log, rest, grpc);
  }

  /** Waits up to two minutes until {@code model}'s status answers 200; an IllegalStateException if the server ends first. */
  void awaitAvailable(HttpClient http, String model) throws Exception {
    HttpRequest status = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restPort + "/v1/models/" + model))
        .timeout(Duration.ofSeconds(60)).build();
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the server exited: " + Files.readString(log));
      }
      try {
        if (http.send(status, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("the server did not become available in 2 minutes (log: " + log + ")");
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  Path log() {
    return log;
  }

  int restPort() {
    return restPort;
  }

  int grpcPort() {
    return grpcPort;
  }

  /** SIGTERM (Serve closes its models on it), then waits for the process to end. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    process.waitFor();
  }
}
