package org.introvae.tools;

import org.introvae.serving.grpc.ModelSpec;
import org.introvae.serving.grpc.PredictRequest;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/** Predict requests of constant-valued float inputs, as REST JSON and as gRPC messages, for load tools. */
final class ServingRequests {
  static final float VALUE = 0.1f;

  private ServingRequests() {}

  /** Nested JSON lists of this shape, every value {@link #VALUE}. */
  static String nestedJson(long[] shape) {
    StringBuilder s = new StringBuilder();
    nested(s, shape, 0);
    return s.toString();
  }

  private static void nested(StringBuilder s, long[] shape, int depth) {
    if (depth == shape.length) {
      s.append(VALUE);
      return;
    }
    s.append('[');
    for (int i = 0; i < shape[depth]; i++) {
      s.append(i == 0 ? "" : ",");
      nested(s, shape, depth + 1);
    }
    s.append(']');
  }

  /** A gRPC Predict request with one float input of this shape. */
  static PredictRequest grpc(String model, String signature, String input, long[] dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    long n = 1;
    for (long d : dims) {
      shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
      n *= d;
    }
    TensorProto.Builder t = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(shape);
    for (long i = 0; i < n; i++) {
      t.addFloatVal(VALUE);
    }
    return PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName(model).setSignatureName(signature))
        .putInputs(input, t.build()).build();
  }
}
