package org.introvae.serving;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * TF Serving's predict request and response bodies for this model's signatures: the row format
 * ({"instances": [...]} → {"predictions": [...]}) and the columnar one ({"inputs": ...} → {"outputs": ...}).
 */
final class PredictCodec {
  /** A request the client got wrong: HTTP 400 with this message. */
  static final class BadRequest extends RuntimeException {
    BadRequest(String message) {
      super(message);
    }
  }

  private PredictCodec() {}

  /** Per-row dimensions of each tensor (batch dimension left out); empty for scalars. */
  static int[] rowDims(String tensor, ModelInfo info) {
    return switch (tensor) {
      case "images", "reconstructions" -> new int[] {info.imageSize(), info.imageSize(), info.imageChannels()};
      case "z", "mu", "logvar" -> new int[] {info.zDim()};
      default -> new int[0];
    };
  }

  static List<String> inputNames(String signature) {
    return switch (signature) {
      case "decode" -> List.of("z");
      case "sample" -> List.of("seed", "count");
      default -> List.of("images");
    };
  }

  /** The parsed request: the tensors to feed and whether the answer uses the row format. */
  record Request(Map<String, Tensor> inputs, boolean rows) {}

  @SuppressWarnings("unchecked")
  static Request decode(Map<String, Object> body, String signature, ModelInfo info) {
    boolean hasInstances = body.containsKey("instances");
    boolean hasInputs = body.containsKey("inputs");
    if (hasInstances && hasInputs) {
      throw new BadRequest("give either 'instances' (row format) or 'inputs' (columnar format), not both");
    }
    if (!hasInstances && !hasInputs) {
      throw new BadRequest("Missing 'inputs' or 'instances' key");
    }
    List<String> names = inputNames(signature);
    Map<String, Object> columns = new LinkedHashMap<>();
    if (hasInstances) {
      if (names.contains("seed")) {
        throw new BadRequest("signature '" + signature + "' takes scalar inputs (seed, count); use the columnar \"inputs\" format");
      }
      Object instances = body.get("instances");
      if (!(instances instanceof List<?> list) || list.isEmpty()) {
        throw new BadRequest("'instances' must be a non-empty list");
      }
      String name = names.get(0);
      List<Object> values = new ArrayList<>();
      for (Object instance : list) {
        if (instance instanceof Map<?, ?> named) {
          if (!named.containsKey(name) || named.size() != 1) {
            throw new BadRequest("each instance must hold exactly the input '" + name + "', got " + named.keySet());
          }
          values.add(named.get(name));
        } else {
          values.add(instance);
        }
      }
      columns.put(name, values);
    } else {
      Object inputs = body.get("inputs");
      if (inputs instanceof Map<?, ?> named) {
        for (String name : names) {
          if (!named.containsKey(name)) {
            throw new BadRequest("input '" + name + "' missing; signature '" + signature + "' takes " + names);
          }
        }
        for (Object key : named.keySet()) {
          if (!names.contains(key)) {
            throw new BadRequest("unknown input '" + key + "'; signature '" + signature + "' takes " + names);
          }
        }
        columns.putAll((Map<String, Object>) named);
      } else if (names.size() == 1) {
        columns.put(names.get(0), inputs);
      } else {
        throw new BadRequest("signature '" + signature + "' takes named inputs " + names);
      }
    }
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Object> e : columns.entrySet()) {
        tensors.put(e.getKey(), tensor(e.getKey(), e.getValue(), info));
      }
    } catch (RuntimeException e) {
      tensors.values().forEach(Tensor::close);
      throw e;
    }
    return new Request(tensors, hasInstances);
  }

  private static Tensor tensor(String name, Object value, ModelInfo info) {
    switch (name) {
      case "seed":
        return TInt64.scalarOf(whole(name, value, Long.MIN_VALUE, Long.MAX_VALUE));
      case "count":
        return TInt32.scalarOf((int) whole(name, value, 1, IntroVaeModel.MAX_BATCH));
      default:
        int[] dims = rowDims(name, info);
        if (!(value instanceof List<?> batch) || batch.isEmpty()) {
          throw new BadRequest("input '" + name + "' must be a non-empty list of " + shapeText(dims) + " tensors");
        }
        if (batch.size() > IntroVaeModel.MAX_BATCH) {
          throw new BadRequest("batch of " + batch.size() + " exceeds the limit of " + IntroVaeModel.MAX_BATCH);
        }
        int per = 1;
        for (int d : dims) {
          per *= d;
        }
        float[] flat = new float[batch.size() * per];
        int[] at = {0};
        for (int i = 0; i < batch.size(); i++) {
          fill(batch.get(i), dims, 0, flat, at, name, i);
        }
        if (name.equals("images")) {
          for (int k = 0; k < flat.length; k++) {
            if (!(flat[k] >= 0f && flat[k] <= 1f)) {
              throw new BadRequest("input 'images' has value " + flat[k] + " in instance " + (k / per)
                  + "; pixels must be in [0, 1]");
            }
          }
        }
        long[] shape = new long[dims.length + 1];
        shape[0] = batch.size();
        for (int d = 0; d < dims.length; d++) {
          shape[d + 1] = dims[d];
        }
        return TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(flat, true, false));
    }
  }

  private static void fill(Object v, int[] dims, int depth, float[] out, int[] at, String name, int instance) {
    if (depth == dims.length) {
      if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
        throw new BadRequest("input '" + name + "', instance " + instance + ": expected a number, got " + Json.write(v));
      }
      if (Math.abs(n.doubleValue()) > Float.MAX_VALUE) {
        throw new BadRequest("input '" + name + "', instance " + instance + ": " + n + " is outside float32's range (±"
            + Float.MAX_VALUE + ")");
      }
      out[at[0]++] = n.floatValue();
      return;
    }
    if (!(v instanceof List<?> list) || list.size() != dims[depth]) {
      throw new BadRequest("input '" + name + "', instance " + instance + ": expected shape " + shapeText(dims)
          + " but dimension " + depth + " has " + (v instanceof List<?> l ? l.size() + " entries" : "a scalar"));
    }
    for (Object item : list) {
      fill(item, dims, depth + 1, out, at, name, instance);
    }
  }

  private static long whole(String name, Object value, long min, long max) {
    if (!(value instanceof Long l) || l < min || l > max) {
      throw new BadRequest("input '" + name + "' must be a whole number" + (min > Long.MIN_VALUE ? " from " + min + " to " + max : ""));
    }
    return l;
  }

  static String shapeText(int[] dims) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < dims.length; i++) {
      s.append(i == 0 ? "" : ",").append(dims[i]);
    }
    return s.append(']').toString();
  }

  /**
   * {"predictions": [...]} (row) or {"outputs": ...} (columnar), nested as the tensors' shapes. JSON has
   * no NaN or infinity: an output that is not finite (inputs that overflow the model, e.g. z = 3e38) is
   * the request's error, answered 400 with the output's name.
   */
  static String encode(Map<String, float[][]> outputs, boolean rows, ModelInfo info) {
    for (Map.Entry<String, float[][]> e : outputs.entrySet()) {
      for (int i = 0; i < e.getValue().length; i++) {
        for (float v : e.getValue()[i]) {
          if (!Float.isFinite(v)) {
            throw new BadRequest("output '" + e.getKey() + "' of instance " + i + " is not finite (" + v
                + ") for this input; the model's inputs must keep its computation in float32's range");
          }
        }
      }
    }
    StringBuilder s = new StringBuilder(rows ? "{\"predictions\":[" : "{\"outputs\":");
    List<String> names = new ArrayList<>(outputs.keySet());
    boolean single = names.size() == 1;
    if (rows) {
      int n = outputs.get(names.get(0)).length;
      for (int i = 0; i < n; i++) {
        s.append(i == 0 ? "" : ",");
        if (single) {
          nested(s, outputs.get(names.get(0))[i], rowDims(names.get(0), info));
        } else {
          s.append('{');
          for (int k = 0; k < names.size(); k++) {
            s.append(k == 0 ? "" : ",").append('"').append(names.get(k)).append("\":");
            nested(s, outputs.get(names.get(k))[i], rowDims(names.get(k), info));
          }
          s.append('}');
        }
      }
      return s.append("]}").toString();
    }
    if (!single) {
      s.append('{');
    }
    for (int k = 0; k < names.size(); k++) {
      if (!single) {
        s.append(k == 0 ? "" : ",").append('"').append(names.get(k)).append("\":");
      }
      float[][] batch = outputs.get(names.get(k));
      s.append('[');
      for (int i = 0; i < batch.length; i++) {
        s.append(i == 0 ? "" : ",");
        nested(s, batch[i], rowDims(names.get(k), info));
      }
      s.append(']');
    }
    return s.append(single ? "}" : "}}").toString();
  }

  private static void nested(StringBuilder s, float[] values, int[] dims) {
    nested(s, values, dims, 0, new int[] {0});
  }

  private static void nested(StringBuilder s, float[] values, int[] dims, int depth, int[] at) {
    if (depth == dims.length) {
      s.append(values[at[0]++]);
      return;
    }
    s.append('[');
    for (int i = 0; i < dims[depth]; i++) {
      s.append(i == 0 ? "" : ",");
      nested(s, values, dims, depth + 1, at);
    }
    s.append(']');
  }
}
