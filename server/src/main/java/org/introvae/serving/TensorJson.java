package org.introvae.serving;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

/**
 * TF Serving's REST predict bodies for any signature, as its API documentation defines them: the row
 * format ({"instances": [...]} → {"predictions": [...]}, one entry per batch row, named objects when
 * there are several inputs or outputs) and the columnar one ({"inputs": ...} → {"outputs": ...}, a
 * lone tensor given bare). Strings are JSON strings or {"b64": "..."}; outputs whose key ends in
 * "_bytes" are answered as {"b64": "..."}. Dtypes and shapes come from the signature's TensorInfo.
 */
final class TensorJson {
  private TensorJson() {}

  /** A parsed predict body: inputs by key, and whether the answer uses the row format. */
  record Request(String signature, Map<String, HostTensor> inputs, boolean rows) {}

  @SuppressWarnings("unchecked")
  static Request decode(Map<String, Object> body, ServableModel model) {
    Object sig = body.getOrDefault("signature_name", "");
    if (!(sig instanceof String name)) {
      throw new InvalidInput("'signature_name' must be a string");
    }
    SignatureDef def;
    try {
      def = model.signature(name);
    } catch (ServableModel.MissingSignature e) {
      // TF Serving's REST handler words this one its own way (http_rest_api_handler.cc).
      throw new InvalidInput("Serving signature name: \"" + (name.isEmpty() ? ServableModel.DEFAULT_SIGNATURE : name)
          + "\" not found in signature def");
    }
    boolean hasInstances = body.containsKey("instances");
    boolean hasInputs = body.containsKey("inputs");
    if (hasInstances == hasInputs) {
      throw new InvalidInput(hasInstances ? "Request body may contain 'instances' or 'inputs' but not both"
          : "Missing 'inputs' or 'instances' key");
    }
    Map<String, TensorInfo> infos = def.getInputsMap();
    Map<String, Object> columns = new LinkedHashMap<>();
    if (hasInstances && body.get("instances") instanceof Json.Numbers stacked && infos.size() == 1) {
      columns.put(infos.keySet().iterator().next(), stacked); // rows of one numeric input, already one array
    } else if (hasInstances) {
      Object instances = body.get("instances") instanceof Json.Numbers n ? n.toList() : body.get("instances");
      if (!(instances instanceof List<?> list) || list.isEmpty()) {
        throw new InvalidInput("'instances' must be a non-empty list");
      }
      for (int i = 0; i < list.size(); i++) {
        Object instance = list.get(i);
        if (instance instanceof Map<?, ?> named && !isB64(instance)) {
          if (!named.keySet().equals(infos.keySet())) {
            throw new InvalidInput("instance " + i + " has inputs " + named.keySet() + "; the signature takes "
                + infos.keySet());
          }
          named.forEach((k, v) -> ((List<Object>) columns.computeIfAbsent((String) k, x -> new ArrayList<>())).add(v));
        } else if (infos.size() == 1) {
          ((List<Object>) columns.computeIfAbsent(infos.keySet().iterator().next(), x -> new ArrayList<>())).add(instance);
        } else {
          throw new InvalidInput("instance " + i + " must be an object with the inputs " + infos.keySet());
        }
      }
    } else {
      Object inputs = body.get("inputs");
      if (inputs instanceof Map<?, ?> named && !isB64(inputs)) {
        columns.putAll((Map<String, Object>) named);
      } else if (infos.size() == 1) {
        columns.put(infos.keySet().iterator().next(), inputs);
      } else {
        throw new InvalidInput("'inputs' must be an object with the inputs " + infos.keySet());
      }
    }
    ServableModel.checkKeys(def, columns.keySet());
    Map<String, HostTensor> tensors = new LinkedHashMap<>();
    columns.forEach((key, value) -> tensors.put(key, tensor(key, value, infos.get(key).getDtype())));
    return new Request(name, tensors, hasInstances);
  }

  /** Numbers inside lists that are not one tensor (ragged, mixed) become lists again for the checks below. */
  private static Object expand(Object value) {
    if (value instanceof Json.Numbers numbers) {
      return numbers.toList();
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      list.forEach(v -> out.add(expand(v)));
      return out;
    }
    return value;
  }

  /** A numeric array read compactly, as the dtype. */
  private static HostTensor tensor(String name, Json.Numbers numbers, DataType dtype) {
    if (numbers.size() > ServableModel.MAX_ELEMENTS) {
      throw new InvalidInput("input '" + name + "' has " + numbers.size() + " elements; the limit is " + ServableModel.MAX_ELEMENTS);
    }
    int n = numbers.size();
    Object values = HostTensor.allocate(dtype, n);
    switch (dtype) {
      case DT_FLOAT, DT_DOUBLE, DT_INT32, DT_INT64, DT_UINT8 -> {
        for (int i = 0; i < n; i++) {
          store(name, numbers.longs() != null ? (Object) numbers.longs()[i] : (Object) numbers.doubles()[i], dtype, values, i);
        }
      }
      default -> throw new InvalidInput("input '" + name + "': expected " + (dtype == DataType.DT_BOOL ? "true or false"
          : "strings") + ", got numbers");
    }
    return new HostTensor(dtype, numbers.shape(), values);
  }

  private static boolean isB64(Object value) {
    return value instanceof Map<?, ?> m && m.size() == 1 && m.containsKey("b64");
  }

  /** A nested JSON value as a tensor of the given dtype; its shape is the nesting. */
  @SuppressWarnings("unchecked")
  static HostTensor tensor(String name, Object value, DataType dtype) {
    Json.Numbers stacked = value instanceof List<?> list ? Json.Numbers.stack((List<Object>) list) : null;
    if (stacked != null) {
      value = stacked; // instances' values of one input, stacked
    }
    if (value instanceof Json.Numbers numbers) {
      return tensor(name, numbers, dtype);
    }
    value = expand(value);
    List<Long> dims = new ArrayList<>();
    for (Object v = value; v instanceof List<?> list; v = list.isEmpty() ? null : list.get(0)) {
      dims.add((long) list.size());
    }
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    long n;
    try {
      n = HostTensor.elements(shape);
    } catch (ArithmeticException e) {
      n = Long.MAX_VALUE;
    }
    if (n > ServableModel.MAX_ELEMENTS) {
      throw new InvalidInput("input '" + name + "' has " + n + " elements; the limit is " + ServableModel.MAX_ELEMENTS);
    }
    Object values = HostTensor.allocate(dtype, (int) n);
    int[] at = {0};
    fill(name, value, shape, 0, dtype, values, at);
    return new HostTensor(dtype, shape, values);
  }

  private static void fill(String name, Object v, long[] shape, int depth, DataType dtype, Object out, int[] at) {
    if (depth == shape.length) {
      if (v instanceof List) {
        throw new InvalidInput("input '" + name + "' is ragged: lists nested deeper than its first element's");
      }
      store(name, v, dtype, out, at[0]++);
      return;
    }
    if (!(v instanceof List<?> list) || list.size() != shape[depth]) {
      throw new InvalidInput("input '" + name + "' is ragged: at depth " + depth + " expected a list of " + shape[depth]
          + ", got " + (v instanceof List<?> l ? "a list of " + l.size() : Json.write(v)));
    }
    for (Object item : list) {
      fill(name, item, shape, depth + 1, dtype, out, at);
    }
  }

  private static void store(String name, Object v, DataType dtype, Object out, int i) {
    String expected = HostTensor.typeName(dtype);
    switch (dtype) {
      case DT_FLOAT, DT_DOUBLE -> {
        if (!(v instanceof Number number) || !Double.isFinite(number.doubleValue())) {
          throw new InvalidInput("input '" + name + "': expected a number (" + expected + "), got " + Json.write(v));
        }
        if (dtype == DataType.DT_FLOAT) {
          if (Math.abs(number.doubleValue()) > Float.MAX_VALUE) {
            throw new InvalidInput("input '" + name + "': " + number + " is outside float32's range (±" + Float.MAX_VALUE + ")");
          }
          ((float[]) out)[i] = number.floatValue();
        } else {
          ((double[]) out)[i] = number.doubleValue();
        }
      }
      case DT_INT32, DT_INT64, DT_UINT8 -> {
        long min = dtype == DataType.DT_INT32 ? Integer.MIN_VALUE : dtype == DataType.DT_UINT8 ? 0 : Long.MIN_VALUE;
        long max = dtype == DataType.DT_INT32 ? Integer.MAX_VALUE : dtype == DataType.DT_UINT8 ? 255 : Long.MAX_VALUE;
        if (!(v instanceof Long l) || l < min || l > max) {
          throw new InvalidInput("input '" + name + "': expected a whole number in " + expected + "'s range, got "
              + Json.write(v));
        }
        switch (dtype) {
          case DT_INT32 -> ((int[]) out)[i] = (int) (long) l;
          case DT_UINT8 -> ((byte[]) out)[i] = (byte) (long) l;
          default -> ((long[]) out)[i] = l;
        }
      }
      case DT_BOOL -> {
        if (!(v instanceof Boolean b)) {
          throw new InvalidInput("input '" + name + "': expected true or false, got " + Json.write(v));
        }
        ((boolean[]) out)[i] = b;
      }
      default -> {
        if (v instanceof String s) {
          ((byte[][]) out)[i] = s.getBytes(StandardCharsets.UTF_8);
        } else if (isB64(v) && ((Map<?, ?>) v).get("b64") instanceof String b64) {
          try {
            ((byte[][]) out)[i] = Base64.getDecoder().decode(b64);
          } catch (IllegalArgumentException e) {
            throw new InvalidInput("input '" + name + "': the b64 value is not base64 (" + e.getMessage() + ")");
          }
        } else {
          throw new InvalidInput("input '" + name + "': expected a string or {\"b64\": ...}, got " + Json.write(v));
        }
      }
    }
  }

  /**
   * {"predictions": [...]} (row) or {"outputs": ...} (columnar). JSON has no NaN or infinity: an
   * output that is not finite is answered 400 with the output's name.
   */
  static String encode(Map<String, HostTensor> outputs, boolean rows) {
    for (Map.Entry<String, HostTensor> e : outputs.entrySet()) {
      Double bad = e.getValue().firstNonFinite();
      if (bad != null) {
        throw new InvalidInput("output '" + e.getKey() + "' is not finite (" + bad
            + ") for this input; the model's inputs must keep its computation in its dtype's range");
      }
    }
    List<String> names = new ArrayList<>(outputs.keySet());
    boolean single = names.size() == 1;
    StringBuilder s = new StringBuilder(rows ? "{\"predictions\":[" : "{\"outputs\":");
    if (rows) {
      long n = -1;
      for (String name : names) {
        long[] shape = outputs.get(name).shape();
        if (shape.length == 0 || (n >= 0 && shape[0] != n)) {
          throw new InvalidInput("output '" + name + "' has no batch dimension shared with the other outputs;"
              + " ask in the columnar format (\"inputs\")");
        }
        n = shape[0];
      }
      for (int row = 0; row < n; row++) {
        s.append(row == 0 ? "" : ",").append(single ? "" : "{");
        for (int k = 0; k < names.size(); k++) {
          if (!single) {
            s.append(k == 0 ? "" : ",");
            quote(s, names.get(k));
            s.append(':');
          }
          HostTensor t = outputs.get(names.get(k));
          int per = (int) (t.size() / n);
          nested(s, t, names.get(k).endsWith("_bytes"), 1, row * per);
        }
        s.append(single ? "" : "}");
      }
      return s.append("]}").toString();
    }
    s.append(single ? "" : "{");
    for (int k = 0; k < names.size(); k++) {
      if (!single) {
        s.append(k == 0 ? "" : ",");
        quote(s, names.get(k));
        s.append(':');
      }
      nested(s, outputs.get(names.get(k)), names.get(k).endsWith("_bytes"), 0, 0);
    }
    return s.append(single ? "}" : "}}").toString();
  }

  /** Writes the sub-tensor from dimension {@code depth} on, starting at flat index {@code start}. */
  private static int nested(StringBuilder s, HostTensor t, boolean bytes, int depth, int start) {
    long[] shape = t.shape();
    if (depth == shape.length) {
      scalar(s, t, bytes, start);
      return start + 1;
    }
    s.append('[');
    int at = start;
    for (long i = 0; i < shape[depth]; i++) {
      s.append(i == 0 ? "" : ",");
      at = nested(s, t, bytes, depth + 1, at);
    }
    s.append(']');
    return at;
  }

  private static void scalar(StringBuilder s, HostTensor t, boolean bytes, int i) {
    switch (t.dtype()) {
      case DT_FLOAT -> s.append(((float[]) t.values())[i]);
      case DT_DOUBLE -> s.append(((double[]) t.values())[i]);
      case DT_INT32 -> s.append(((int[]) t.values())[i]);
      case DT_INT64 -> s.append(((long[]) t.values())[i]);
      case DT_UINT8 -> s.append(((byte[]) t.values())[i] & 0xff);
      case DT_BOOL -> s.append(((boolean[]) t.values())[i]);
      default -> {
        byte[] value = ((byte[][]) t.values())[i];
        if (bytes) {
          s.append("{\"b64\":\"").append(Base64.getEncoder().encodeToString(value)).append("\"}");
        } else {
          quote(s, new String(value, StandardCharsets.UTF_8));
        }
      }
    }
  }

  private static void quote(StringBuilder s, String text) {
    s.append(Json.write(text));
  }
}
