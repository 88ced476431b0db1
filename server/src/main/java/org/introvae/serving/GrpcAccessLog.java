package org.introvae.serving;

import io.grpc.ForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per gRPC call to the access logger the REST side writes to ({@link ModelServer#ACCESS_LOG}):
 * the client's address, the RPC, its status code (with the description for failures), the client's
 * user agent and the milliseconds from the call's headers to its close.
 */
final class GrpcAccessLog implements ServerInterceptor {
  private static final Logger LOG = LoggerFactory.getLogger(ModelServer.ACCESS_LOG);
  private static final Metadata.Key<String> USER_AGENT = Metadata.Key.of("user-agent", Metadata.ASCII_STRING_MARSHALLER);

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    if (!LOG.isInfoEnabled()) {
      return next.startCall(call, headers);
    }
    long started = System.nanoTime();
    Object peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    String agent = headers.get(USER_AGENT);
    return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        LOG.info("{} \"gRPC {}\" {}{} \"{}\" {} ms", peer, call.getMethodDescriptor().getFullMethodName(), status.getCode(),
            status.isOk() || status.getDescription() == null ? "" : " (" + status.getDescription() + ")",
            agent == null ? "-" : agent, (System.nanoTime() - started) / 1_000_000);
        super.close(status, trailers);
      }
    }, headers);
  }
}
