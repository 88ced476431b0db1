package org.introvae.serving;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC transport (Netty, HTTP/2) for {@link GrpcApi}, with the REST side's limits: messages up to
 * the body limit, idle connections closed after the idle timeout, a handshake that must finish within
 * the request timeout, and calls run on the server's fixed pool of model workers, so a flood of
 * calls queues instead of spawning threads. HTTP/2 flow control keeps a slow reader from holding a worker.
 */
final class GrpcServer {
  private GrpcServer() {}

  /** Calls run on {@code workers}, the pool REST requests use too; the caller shuts it down. */
  static Server start(String host, int port, GrpcApi api, ModelServer.Limits limits, Executor workers) throws IOException {
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
        .executor(workers)
        .maxInboundMessageSize(limits.maxBody())
        .maxInboundMetadataSize(limits.maxHeaderBytes())
        .maxConnectionIdle(limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .handshakeTimeout(limits.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .maxConcurrentCallsPerConnection(100)
        .intercept(new GrpcAccessLog());
    api.services().forEach(builder::addService);
    return builder.build().start();
  }

  /** Stops accepting calls, lets calls in flight finish (up to 5 s). */
  static void stop(Server server) {
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
