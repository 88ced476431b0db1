package org.introvae.serving;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * TensorProto ↔ {@link HostTensor}, as TensorFlow reads and writes them: values either packed
 * little-endian in tensor_content or in the typed field of the dtype (float_val, int_val, ...); a
 * typed field with one value fills the whole shape, as tensor_util does.
 */
final class TensorProtoCodec {
  private TensorProtoCodec() {}

  static HostTensor decode(String name, TensorProto proto, long maxElements) {
    TensorShapeProto shapeProto = proto.getTensorShape();
    if (shapeProto.getUnknownRank()) {
      throw new InvalidInput("input '" + name + "': the tensor's shape has unknown rank");
    }
    long[] shape = new long[shapeProto.getDimCount()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = shapeProto.getDim(i).getSize();
      if (shape[i] < 0) {
        throw new InvalidInput("input '" + name + "': dimension " + i + " is " + shape[i]);
      }
    }
    long n;
    try {
      n = HostTensor.elements(shape);
    } catch (ArithmeticException e) {
      n = Long.MAX_VALUE;
    }
    if (n > maxElements) {
      throw new InvalidInput("input '" + name + "' has " + n + " elements; the limit is " + maxElements);
    }
    DataType dtype = proto.getDtype();
    Object values = HostTensor.allocate(dtype, (int) n);
    if (!proto.getTensorContent().isEmpty()) {
      unpack(name, proto.getTensorContent(), dtype, values);
    } else {
      typed(name, proto, dtype, values);
    }
    return new HostTensor(dtype, shape, values);
  }

  private static void unpack(String name, ByteString content, DataType dtype, Object values) {
    int n = java.lang.reflect.Array.getLength(values);
    int width = switch (dtype) {
      case DT_FLOAT, DT_INT32 -> 4;
      case DT_DOUBLE, DT_INT64 -> 8;
      case DT_UINT8, DT_BOOL -> 1;
      default -> throw new InvalidInput("input '" + name + "': " + HostTensor.typeName(dtype)
          + " tensors cannot use tensor_content");
    };
    if (content.size() != (long) n * width) {
      throw new InvalidInput("input '" + name + "': tensor_content has " + content.size() + " bytes; its shape and "
          + HostTensor.typeName(dtype) + " need " + (long) n * width);
    }
    ByteBuffer b = content.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    switch (dtype) {
      case DT_FLOAT -> b.asFloatBuffer().get((float[]) values);
      case DT_INT32 -> b.asIntBuffer().get((int[]) values);
      case DT_DOUBLE -> b.asDoubleBuffer().get((double[]) values);
      case DT_INT64 -> b.asLongBuffer().get((long[]) values);
      case DT_UINT8 -> b.get((byte[]) values);
      default -> {
        boolean[] out = (boolean[]) values;
        for (int i = 0; i < n; i++) {
          out[i] = b.get() != 0;
        }
      }
    }
  }

  private static void typed(String name, TensorProto p, DataType dtype, Object values) {
    int n = java.lang.reflect.Array.getLength(values);
    int given = switch (dtype) {
      case DT_FLOAT -> p.getFloatValCount();
      case DT_DOUBLE -> p.getDoubleValCount();
      case DT_INT32, DT_UINT8 -> p.getIntValCount();
      case DT_INT64 -> p.getInt64ValCount();
      case DT_BOOL -> p.getBoolValCount();
      default -> p.getStringValCount();
    };
    if (given != n && !(given == 1 && n > 1) && !(given == 0 && n == 0)) {
      throw new InvalidInput("input '" + name + "': " + given + " values for a shape of " + n + " elements");
    }
    for (int i = 0; i < n; i++) {
      int k = given == 1 ? 0 : i;
      switch (dtype) {
        case DT_FLOAT -> ((float[]) values)[i] = p.getFloatVal(k);
        case DT_DOUBLE -> ((double[]) values)[i] = p.getDoubleVal(k);
        case DT_INT32 -> ((int[]) values)[i] = p.getIntVal(k);
        case DT_UINT8 -> ((byte[]) values)[i] = (byte) p.getIntVal(k);
        case DT_INT64 -> ((long[]) values)[i] = p.getInt64Val(k);
        case DT_BOOL -> ((boolean[]) values)[i] = p.getBoolVal(k);
        default -> ((byte[][]) values)[i] = p.getStringVal(k).toByteArray();
      }
    }
  }

  /** In the typed fields, as TF Serving answers by default. */
  static TensorProto encode(HostTensor t) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : t.shape()) {
      shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    TensorProto.Builder b = TensorProto.newBuilder().setDtype(t.dtype()).setTensorShape(shape);
    switch (t.dtype()) {
      case DT_FLOAT -> {
        for (float v : (float[]) t.values()) {
          b.addFloatVal(v);
        }
      }
      case DT_DOUBLE -> {
        for (double v : (double[]) t.values()) {
          b.addDoubleVal(v);
        }
      }
      case DT_INT32 -> {
        for (int v : (int[]) t.values()) {
          b.addIntVal(v);
        }
      }
      case DT_UINT8 -> {
        for (byte v : (byte[]) t.values()) {
          b.addIntVal(v & 0xff);
        }
      }
      case DT_INT64 -> {
        for (long v : (long[]) t.values()) {
          b.addInt64Val(v);
        }
      }
      case DT_BOOL -> {
        for (boolean v : (boolean[]) t.values()) {
          b.addBoolVal(v);
        }
      }
      default -> {
        for (byte[] v : (byte[][]) t.values()) {
          b.addStringVal(ByteString.copyFrom(v));
        }
      }
    }
    return b.build();
  }
}
