package org.introvae.serving;

import org.tensorflow.proto.ConfigProto;

/**
 * The thread pools of every served model's TensorFlow session, as TF Serving's flags set them:
 * --tensorflow_intra_op_parallelism (threads inside one op), --tensorflow_inter_op_parallelism (ops at
 * once), or --tensorflow_session_parallelism for both; 0 lets TensorFlow choose (one per core), and a
 * negative inter-op count runs each session call's ops in the calling thread (TensorFlow's ConfigProto).
 * Many requests at once already keep the cores busy, so small pools avoid oversubscription.
 */
record SessionThreads(long intraOp, long interOp) {
  static final SessionThreads AUTO = new SessionThreads(0, 0);

  /**
   * From TF Serving's three flags (null when not given, which TF Serving reads as 0), combined as its
   * server does: all three positive is an error; otherwise a positive separate flag sets both pools from
   * the separate flags, and else the combined flag sets both.
   */
  static SessionThreads fromFlags(Long session, Long intraOp, Long interOp) {
    long combined = session == null ? 0 : session;
    long intra = intraOp == null ? 0 : intraOp;
    long inter = interOp == null ? 0 : interOp;
    if (intra > 0 && inter > 0 && combined > 0) {
      throw new IllegalArgumentException("Either configure --tensorflow_session_parallelism or"
          + " (--tensorflow_intra_op_parallelism, --tensorflow_inter_op_parallelism) separately. You cannot configure all.");
    }
    return intra > 0 || inter > 0 ? new SessionThreads(intra, inter) : new SessionThreads(combined, combined);
  }

  /** The session configuration to load with; null keeps TensorFlow's defaults. */
  ConfigProto configProto() {
    if (equals(AUTO)) {
      return null;
    }
    return ConfigProto.newBuilder().setIntraOpParallelismThreads(int32(intraOp))
        .setInterOpParallelismThreads(int32(interOp)).build();
  }

  /** At most 1,024 threads, so that a mistyped count cannot make TensorFlow start millions; -1 for any negative. */
  private static int int32(long n) {
    return (int) Math.max(-1, Math.min(1024, n));
  }
}
