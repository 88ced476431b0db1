package org.tensorflow;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.proto.ConfigProto;

/**
 * A {@link Session} whose master is a TensorFlow server ({@code grpc://host:port}) rather than this
 * process: how a graph runs on TensorFlow's distributed runtime.
 *
 * <p>TF Java 1.0.0's public Session constructors create the C session without a target; the C API's
 * session options take one (TF_SetTarget). This class lives in package {@code org.tensorflow} because
 * the two things it needs from TF Java are package-private: a graph's native handle
 * ({@code Graph.ref()}) and the constructor that wraps an existing C session. That is compile-checked,
 * unlike reflection, and the resulting Session is TF Java's own: runners, save/restore and close behave
 * as for a local session. It works on the class path (TF Java's jars are not named modules).
 */
public final class TargetedSession {
  private TargetedSession() {}

  /** A session on {@code graph} run by the master at {@code target} (e.g. {@code grpc://127.0.0.1:2222}). */
  public static Session open(Graph graph, String target, ConfigProto config) {
    try (PointerScope scope = new PointerScope(); Graph.Reference ref = graph.ref()) {
      TF_Status status = TF_Status.newStatus();
      TF_SessionOptions options = TF_SessionOptions.newSessionOptions();
      tensorflow.TF_SetTarget(options, target);
      BytePointer bytes = new BytePointer(config.toByteArray());
      tensorflow.TF_SetConfig(options, bytes, bytes.capacity(), status);
      status.throwExceptionIfNotOK();
      TF_Session session = TF_Session.newSession(ref.nativeHandle(), options, status);
      status.throwExceptionIfNotOK();
      session.retainReference();
      return new Session(graph, session);
    }
  }
}
