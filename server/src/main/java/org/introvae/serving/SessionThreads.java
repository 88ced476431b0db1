package org.introvae.serving;

import org.tensorflow.proto.ConfigProto;

/**
 * The thread pools of every served model's TensorFlow session, as TF Serving's flags set them:
 * --tensorflow_intra_op_parallelism (threads inside one op), --tensorflow_inter_op_parallelism (ops at
 * once), or --tensorflow_session_parallelism for both; 0 lets TensorFlow choose (one per core).
 * Many requests at once already keep the cores busy, so small pools avoid oversubscription.
 */
record SessionThreads(long intraOp, long interOp) {
  static final SessionThreads AUTO = new SessionThreads(0, 0);

  SessionThreads {
    if (intraOp < 0 || interOp < 0) {
      throw new IllegalArgumentException("TensorFlow's thread counts must be 0 (automatic) or more");
    }
  }

  /**
   * From TF Serving's three flags (null when not given); TF Serving refuses the combined flag beside
   * either separate one.
   */
  static SessionThreads fromFlags(Long session, Long intraOp, Long interOp) {
    if (session != null && (intraOp != null || interOp != null)) {
      throw new IllegalArgumentException("Either configure --tensorflow_session_parallelism or"
          + " (--tensorflow_intra_op_parallelism, --tensorflow_inter_op_parallelism) separately. You cannot configure all.");
    }
    for (Long n : new Long[] {session, intraOp, interOp}) {
      if (n != null && n < 0) {
        throw new IllegalArgumentException("TensorFlow's thread counts must be 0 (automatic) or more, not " + n);
      }
    }
    return session != null ? new SessionThreads(session, session)
        : new SessionThreads(intraOp == null ? 0 : intraOp, interOp == null ? 0 : interOp);
  }

  /** The session configuration to load with; null keeps TensorFlow's defaults. */
  ConfigProto configProto() {
    if (equals(AUTO)) {
      return null;
    }
    return ConfigProto.newBuilder().setIntraOpParallelismThreads((int) Math.min(intraOp, 1024))
        .setInterOpParallelismThreads((int) Math.min(interOp, 1024)).build();
  }
}
