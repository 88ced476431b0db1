package org.introvae.serving;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of the REST API ({@link RestApi}), on Jetty's non-blocking connector, hardened against
 * slow and hostile clients:
 * <ul>
 *   <li>reading a request (line, headers, body) holds a socket, never a thread: request headers and
 *       bodies are parsed and read asynchronously, and only a complete request takes a model worker;</li>
 *   <li>a connection idle for {@link Limits#idleTimeout} is closed, a body must arrive within
 *       {@link Limits#requestTimeout} and at {@link Limits#minBytesPerSecond} or better;</li>
 *   <li>at most {@link Limits#maxConnections} connections (at the cap, idle ones time out within a
 *       second), {@link Limits#maxHeaderBytes} of request line and headers, {@link Limits#maxHeaders}
 *       header fields, and {@link Limits#maxBody} of body, refused before it is read.</li>
 * </ul>
 * Every error, including those Jetty answers itself (malformed requests), is JSON; a 500 carries a
 * message and the cause goes to the log.
 */
public final class ModelServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelServer.class);

  /** The SLF4J logger the access log writes to. */
  public static final String ACCESS_LOG = "org.introvae.serving.access";

  /** Largest request body accepted (the default of {@link Limits#maxBody}). */
  public static final int MAX_BODY = 32 << 20;

  /** A refused body up to this many times the limit is read and discarded so that its client sees the 413. */
  static final int DRAIN_FACTOR = 4;

  /** What one client may take of the server. */
  public record Limits(int maxConnections, Duration idleTimeout, Duration requestTimeout, long minBytesPerSecond,
      int maxHeaderBytes, int maxHeaders, int maxBody) {
    public static Limits defaults() {
      return new Limits(1024, Duration.ofSeconds(20), Duration.ofSeconds(60), 1024, 16 * 1024, 100, MAX_BODY);
    }
  }

  /** What answers a complete request. */
  interface Endpoint {
    RestApi.Reply handle(String method, String rawPath, String rawQuery, byte[] body);
  }

  /** A gRPC port that means: no gRPC server. */
  public static final int NO_GRPC = -1;

  private final ModelRepository repository;
  private final RequestBatcher batcher;
  private io.grpc.Server grpc;
  private final Endpoint api;
  private final Limits limits;
  private final Server server;
  private final ServerConnector connector;
  /** Runs model calls; I/O stays on Jetty's threads. */
  private final ExecutorService workers;

  public ModelServer(Path base, String host, int port, int threads) throws IOException {
    this(base, host, port, NO_GRPC, threads, Limits.defaults(), Duration.ofSeconds(1));
  }

  /** REST on {@code port} and TF Serving's gRPC API on {@code grpcPort} (0: any free port). */
  public ModelServer(Path base, String host, int port, int grpcPort, int threads) throws IOException {
    this(base, host, port, grpcPort, threads, Limits.defaults(), Duration.ofSeconds(1));
  }

  public ModelServer(Path base, String host, int port, int grpcPort, int threads, Limits limits, Duration poll)
      throws IOException {
    this(ModelSource.folderOfModels(base), host, port, grpcPort, threads, limits, poll, null, null, null, SessionThreads.AUTO,
        false);
  }

  ModelServer(ModelSource source, String host, int port, int grpcPort, int threads, Duration poll, String metricsPath,
      RequestBatcher.Parameters batching) throws IOException {
    this(source, host, port, grpcPort, threads, poll, metricsPath, batching, false);
  }

  /**
   * The models {@code source} names (TF Serving's --model_name/--model_base_path, or a folder of models);
   * {@code labelsForUnavailable}: TF Serving's --allow_version_labels_for_unavailable_models. Throws
   * {@link ModelRepository.LabelUnavailable} when a label points at a version that did not load.
   */
  ModelServer(ModelSource source, String host, int port, int grpcPort, int threads, Duration poll, String metricsPath,
      RequestBatcher.Parameters batching, boolean labelsForUnavailable) throws IOException {
    this(source, host, port, grpcPort, threads, poll, metricsPath, batching, SessionThreads.AUTO, labelsForUnavailable);
  }

  /** As above, with the models' sessions' thread pools set by {@code sessionThreads} (TF Serving's flags). */
  ModelServer(ModelSource source, String host, int port, int grpcPort, int threads, Duration poll, String metricsPath,
      RequestBatcher.Parameters batching, SessionThreads sessionThreads, boolean labelsForUnavailable) throws IOException {
    this(source, host, port, grpcPort, threads, Limits.defaults(), poll, null, metricsPath, batching, sessionThreads,
        labelsForUnavailable);
  }

  /**
   * REST and gRPC on free ports of 127.0.0.1 with TF Serving's request batching (one batch thread per
   * core, up to 1,000 batches waiting), for benchmarks.
   */
  public static ModelServer withBatching(Path base, int threads, int maxBatchSize, long timeoutMicros) throws IOException {
    return withBatching(base, threads, maxBatchSize, timeoutMicros, 0, 0);
  }

  /**
   * REST and gRPC on free ports of 127.0.0.1, requests one by one, each model's session with
   * {@code intraOp} and {@code interOp} threads (0: TensorFlow's choice), for benchmarks.
   */
  public static ModelServer unbatched(Path base, int threads, int intraOp, int interOp) throws IOException {
    return new ModelServer(ModelSource.folderOfModels(base), "127.0.0.1", 0, 0, threads, Limits.defaults(),
        Duration.ofSeconds(1), null, null, null, new SessionThreads(intraOp, interOp), false);
  }

  /** As {@link #withBatching(Path, int, int, long)}, each model's session with {@code intraOp} and {@code interOp} threads. */
  public static ModelServer withBatching(Path base, int threads, int maxBatchSize, long timeoutMicros, int intraOp,
      int interOp) throws IOException {
    return new ModelServer(ModelSource.folderOfModels(base), "127.0.0.1", 0, 0, threads, Limits.defaults(),
        Duration.ofSeconds(1), null, null, new RequestBatcher.Parameters(maxBatchSize, timeoutMicros, 1000,
            Runtime.getRuntime().availableProcessors(), java.util.List.of()), new SessionThreads(intraOp, interOp), false);
  }

  /** A server on 127.0.0.1 whose requests {@code endpoint} answers instead of the REST API (for tests). */
  static ModelServer withEndpoint(Path base, int threads, Endpoint endpoint) throws IOException {
    return new ModelServer(ModelSource.folderOfModels(base), "127.0.0.1", 0, NO_GRPC, threads, Limits.defaults(),
        Duration.ofHours(1), endpoint, null, null, SessionThreads.AUTO, false);
  }

  /**
   * {@code metricsPath}: where REST serves Prometheus metrics, null turns monitoring off;
   * {@code batching}: null runs requests one by one.
   */
  private ModelServer(ModelSource source, String host, int port, int grpcPort, int threads, Limits limits,
      Duration poll, Endpoint endpoint, String metricsPath, RequestBatcher.Parameters batching,
      SessionThreads sessionThreads, boolean labelsForUnavailable) throws IOException {
    this.limits = limits;
    batcher = batching == null ? null : new RequestBatcher(batching);
    // A request waiting for its batch holds a worker: with batching, enough workers to fill the batches.
    threads = batching == null ? threads : Math.min(1024, threads + batching.maxBatchSize() * batching.threads());
    try {
      repository = new ModelRepository(source, poll, batcher, sessionThreads, labelsForUnavailable);
    } catch (RuntimeException e) {
      if (batcher != null) {
        batcher.close();
      }
      throw e;
    }
    ServingMetrics metrics = metricsPath == null ? null : new ServingMetrics(repository,
        batcher == null ? () -> 0 : batcher::batchesRun);
    api = endpoint != null ? endpoint : new RestApi(repository, metrics, metricsPath)::handle;
    workers = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "model-worker");
      t.setDaemon(true);
      return t;
    });
    QueuedThreadPool io = new QueuedThreadPool(64, 4);
    io.setName("http");
    io.setDaemon(true);
    server = new Server(io);
    HttpConfiguration http = new HttpConfiguration();
    http.setRequestHeaderSize(limits.maxHeaderBytes());
    http.setMinRequestDataRate(limits.minBytesPerSecond());
    http.setSendServerVersion(false);
    http.setSendDateHeader(true);
    connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
    connector.setHost(host);
    connector.setPort(port);
    connector.setIdleTimeout(limits.idleTimeout().toMillis());
    connector.setAcceptQueueSize(128);
    server.addConnector(connector);
    NetworkConnectionLimit cap = new NetworkConnectionLimit(limits.maxConnections(), server);
    cap.setEndPointIdleTimeout(1000);
    server.addBean(cap);
    server.setErrorHandler(new JsonErrors());
    server.setHandler(new Api());
    server.setRequestLog(accessLog());
    server.setStopTimeout(5000);
    try {
      // gRPC first, as TF Serving does: a client that saw REST answer may dial gRPC at once.
      grpc = grpcPort == NO_GRPC ? null : GrpcServer.start(host, grpcPort, new GrpcApi(repository, metrics), limits, workers);
      server.start();
    } catch (Exception e) {
      close();
      throw new IOException(e.getMessage(), e);
    }
  }

  /** The gRPC port, or -1 when gRPC is off. */
  public int grpcPort() {
    return grpc == null ? NO_GRPC : grpc.getPort();
  }

  /** Kept for callers written for the JDK server; the server starts in the constructor. */
  public void start() {}

  public int port() {
    return connector.getLocalPort();
  }

  /** Stops accepting, lets requests in flight finish (up to 5 s), then frees the models. */
  @Override
  public void close() {
    if (grpc != null) {
      GrpcServer.stop(grpc);
    }
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("stopping the HTTP server: {}", e.getMessage());
    }
    workers.shutdown();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    repository.close();
    if (batcher != null) {
      batcher.close();
    }
  }

  /**
   * One NCSA line per REST request (client, time, request line, status, bytes, referrer, agent, then the
   * milliseconds taken) to the SLF4J logger {@link #ACCESS_LOG}. It is off (level warn) by default, so that
   * tests and benchmarks stay quiet; the Serve command turns it on.
   */
  private static org.eclipse.jetty.server.RequestLog accessLog() {
    org.eclipse.jetty.server.Slf4jRequestLogWriter writer = new org.eclipse.jetty.server.Slf4jRequestLogWriter();
    writer.setLoggerName(ACCESS_LOG);
    return new org.eclipse.jetty.server.CustomRequestLog(writer,
        org.eclipse.jetty.server.CustomRequestLog.EXTENDED_NCSA_FORMAT + " %{ms}T ms");
  }

  /** Reads the body without holding a thread, then answers on a model worker. */
  private final class Api extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String method = request.getMethod();
      if (request.getHeaders().size() > limits.maxHeaders()) {
        send(response, callback, RestApi.Reply.error(431, "too many header fields (" + request.getHeaders().size()
            + "; the limit is " + limits.maxHeaders() + ")"));
        return true;
      }
      long declared = request.getLength();
      if (declared > limits.maxBody()) {
        refuseOversized(request, response, callback, declared);
        return true;
      }
      CompletableFuture<byte[]> body = RestApi.takesBody(method)
          ? Content.Source.asByteArrayAsync(request, limits.maxBody())
          : CompletableFuture.completedFuture(new byte[0]);
      body.orTimeout(limits.requestTimeout().toMillis(), TimeUnit.MILLISECONDS).whenComplete((bytes, failure) -> {
        if (failure != null) {
          send(response, callback, bodyError(failure));
          return;
        }
        try {
          workers.execute(() -> send(response, callback, answer(method, request, bytes)));
        } catch (RejectedExecutionException e) {
          send(response, callback, RestApi.Reply.error(503, "the server is shutting down"));
        }
      });
      return true;
    }

    /**
     * Answers 413 to a body declared too large. A client that is still sending when the server closes gets a
     * TCP reset and loses the answer, so a body up to {@link #DRAIN_FACTOR} times the limit is read and
     * discarded first (never stored; bounded by the request timeout and the minimum data rate). A client that
     * asked "Expect: 100-continue" has sent nothing yet and is answered at once; so is a body too large to drain.
     */
    private void refuseOversized(Request request, Response response, Callback callback, long declared) {
      RestApi.Reply tooLarge = RestApi.Reply.error(413, "request body of " + declared + " bytes exceeds "
          + limits.maxBody() + " bytes");
      response.getHeaders().put(HttpHeader.CONNECTION, "close");
      boolean waiting = request.getHeaders().contains(HttpHeader.EXPECT, "100-continue");
      if (waiting || declared > DRAIN_FACTOR * (long) limits.maxBody()) {
        send(response, callback, tooLarge);
        return;
      }
      CompletableFuture<Void> drained = new CompletableFuture<>();
      Content.Source.consumeAll(request, Callback.from(() -> drained.complete(null), drained::completeExceptionally));
      drained.orTimeout(limits.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .whenComplete((done, failure) -> send(response, callback, tooLarge));
    }

    private RestApi.Reply answer(String method, Request request, byte[] body) {
      try {
        return api.handle(method, request.getHttpURI().getPath(), request.getHttpURI().getQuery(), body);
      } catch (RuntimeException | OutOfMemoryError e) {
        LOG.error("{} {} failed", method, request.getHttpURI().getPath(), e);
        return RestApi.Reply.error(500, "internal error while answering " + method + " " + request.getHttpURI().getPath()
            + "; the server's log has the cause");
      }
    }

    private RestApi.Reply bodyError(Throwable failure) {
      Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
          ? failure.getCause() : failure;
      if (cause instanceof TimeoutException) {
        return RestApi.Reply.error(408, "the request body did not arrive within " + limits.requestTimeout().toSeconds() + " s");
      }
      String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      if (message.toLowerCase(java.util.Locale.ROOT).contains("max") || message.contains("too large")) {
        return RestApi.Reply.error(413, "request body exceeds " + limits.maxBody() + " bytes");
      }
      return RestApi.Reply.error(400, "could not read the request body (" + message + ")");
    }
  }

  private static void send(Response response, Callback callback, RestApi.Reply reply) {
    response.setStatus(reply.status());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.type());
    for (Map.Entry<String, String> h : reply.headers().entrySet()) {
      response.getHeaders().put(h.getKey(), h.getValue());
    }
    response.write(true, ByteBuffer.wrap(reply.body()), callback);
  }

  /** Errors Jetty raises before our handler (bad request lines, headers too large, ...) as TF Serving-style JSON. */
  private static final class JsonErrors extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      Object code = request.getAttribute(ErrorHandler.ERROR_STATUS);
      Object message = request.getAttribute(ErrorHandler.ERROR_MESSAGE);
      int status = code instanceof Integer i ? i : 500;
      String text = message == null ? org.eclipse.jetty.http.HttpStatus.getMessage(status) : message.toString();
      send(response, callback, RestApi.Reply.error(status, "HTTP " + status + ": " + text));
      return true;
    }
  }
}
