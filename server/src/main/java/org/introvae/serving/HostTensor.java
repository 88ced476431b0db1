package org.introvae.serving;

import java.util.Arrays;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * A tensor held in a JVM array, between a wire format (JSON, TensorProto) and TensorFlow. The values
 * are row-major in one array whose type follows the dtype: float[] (DT_FLOAT), double[] (DT_DOUBLE),
 * int[] (DT_INT32), long[] (DT_INT64), byte[] (DT_UINT8, unsigned), boolean[] (DT_BOOL) and
 * byte[][] (DT_STRING).
 */
record HostTensor(DataType dtype, long[] shape, Object values) {
  /** The dtypes the server converts; others are refused with INVALID_ARGUMENT. */
  static final java.util.List<DataType> SUPPORTED = java.util.List.of(DataType.DT_FLOAT, DataType.DT_DOUBLE,
      DataType.DT_INT32, DataType.DT_INT64, DataType.DT_UINT8, DataType.DT_BOOL, DataType.DT_STRING);

  HostTensor {
    long n = elements(shape);
    if (java.lang.reflect.Array.getLength(values) != n) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got "
          + java.lang.reflect.Array.getLength(values));
    }
  }

  static long elements(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  int size() {
    return java.lang.reflect.Array.getLength(values);
  }

  /** A zero-filled array of the dtype's Java type. */
  static Object allocate(DataType dtype, int n) {
    return switch (dtype) {
      case DT_FLOAT -> new float[n];
      case DT_DOUBLE -> new double[n];
      case DT_INT32 -> new int[n];
      case DT_INT64 -> new long[n];
      case DT_UINT8 -> new byte[n];
      case DT_BOOL -> new boolean[n];
      case DT_STRING -> new byte[n][];
      default -> throw new InvalidInput("tensors of type " + typeName(dtype) + " are not supported (supported: "
          + SUPPORTED.stream().map(HostTensor::typeName).toList() + ")");
    };
  }

  /** TF's short name of a dtype, as its error messages print it ("float", "int64", ...). */
  static String typeName(DataType dtype) {
    return switch (dtype) {
      case DT_FLOAT -> "float";
      case DT_DOUBLE -> "double";
      case DT_INT32 -> "int32";
      case DT_INT64 -> "int64";
      case DT_UINT8 -> "uint8";
      case DT_BOOL -> "bool";
      case DT_STRING -> "string";
      default -> dtype.name();
    };
  }

  /** A new TensorFlow tensor holding a copy of the values; the caller closes it. */
  Tensor toTensor() {
    Shape s = Shape.of(shape);
    return switch (dtype) {
      case DT_FLOAT -> TFloat32.tensorOf(s, DataBuffers.of((float[]) values, true, false));
      case DT_DOUBLE -> TFloat64.tensorOf(s, DataBuffers.of((double[]) values, true, false));
      case DT_INT32 -> TInt32.tensorOf(s, DataBuffers.of((int[]) values, true, false));
      case DT_INT64 -> TInt64.tensorOf(s, DataBuffers.of((long[]) values, true, false));
      case DT_UINT8 -> TUint8.tensorOf(s, DataBuffers.of((byte[]) values, true, false));
      case DT_BOOL -> TBool.tensorOf(s, DataBuffers.of((boolean[]) values, true, false));
      case DT_STRING -> TString.tensorOfBytes(s, DataBuffers.ofObjects((byte[][]) values));
      default -> throw new InvalidInput("tensors of type " + typeName(dtype) + " are not supported");
    };
  }

  /** A copy of a TensorFlow tensor's values (the tensor stays open). */
  static HostTensor of(Tensor t) {
    long[] shape = t.shape().asArray();
    int n = Math.toIntExact(t.shape().size());
    DataType dtype = t.dataType();
    Object values = allocate(dtype, n);
    switch (dtype) {
      case DT_FLOAT -> ((TFloat32) t).copyTo(DataBuffers.of((float[]) values, false, false));
      case DT_DOUBLE -> ((TFloat64) t).copyTo(DataBuffers.of((double[]) values, false, false));
      case DT_INT32 -> ((TInt32) t).copyTo(DataBuffers.of((int[]) values, false, false));
      case DT_INT64 -> ((TInt64) t).copyTo(DataBuffers.of((long[]) values, false, false));
      case DT_UINT8 -> ((TUint8) t).copyTo(DataBuffers.of((byte[]) values, false, false));
      case DT_BOOL -> ((TBool) t).copyTo(DataBuffers.of((boolean[]) values, false, false));
      default -> ((TString) t).asBytes().copyTo(DataBuffers.ofObjects((byte[][]) values));
    }
    return new HostTensor(dtype, shape, values);
  }

  /** The first non-finite float or double, for answers JSON cannot carry; null if all are finite. */
  Double firstNonFinite() {
    if (values instanceof float[] f) {
      for (float v : f) {
        if (!Float.isFinite(v)) {
          return (double) v;
        }
      }
    } else if (values instanceof double[] d) {
      for (double v : d) {
        if (!Double.isFinite(v)) {
          return v;
        }
      }
    }
    return null;
  }
}
