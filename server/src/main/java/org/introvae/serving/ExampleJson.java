package org.introvae.serving;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.introvae.serving.grpc.Class;
import org.introvae.serving.grpc.ClassificationResult;
import org.introvae.serving.grpc.Classifications;
import org.introvae.serving.grpc.ExampleList;
import org.introvae.serving.grpc.ExampleListWithContext;
import org.introvae.serving.grpc.Input;
import org.introvae.serving.grpc.Regression;
import org.introvae.serving.grpc.RegressionResult;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;

/**
 * TF Serving's REST bodies for :classify and :regress: {"signature_name", "context", "examples"} with
 * tf.Example features as JSON (a whole number or true/false → int64_list, other numbers → float_list,
 * a string or {"b64": ...} → bytes_list, a list of one kind → that list), and the answer
 * {"results": [[[label, score], ...], ...]} or {"results": [value, ...]}.
 */
final class ExampleJson {
  private ExampleJson() {}

  static Input input(Map<String, Object> body, String method) {
    Object examples = body.get("examples");
    if (examples == null) {
      throw new InvalidInput("When method is " + method + ", key 'examples' is expected and was not found");
    }
    if (!(examples instanceof List<?> list)) {
      throw new InvalidInput("Expecting 'examples' value to be an list/array");
    }
    if (list.isEmpty()) {
      throw new InvalidInput("'examples' value is an empty array");
    }
    if (body.containsKey("context")) {
      ExampleListWithContext.Builder b = ExampleListWithContext.newBuilder().setContext(example(body.get("context")));
      list.forEach(e -> b.addExamples(example(e)));
      return Input.newBuilder().setExampleListWithContext(b).build();
    }
    ExampleList.Builder b = ExampleList.newBuilder();
    list.forEach(e -> b.addExamples(example(e)));
    return Input.newBuilder().setExampleList(b).build();
  }

  static String signature(Map<String, Object> body) {
    Object sig = body.getOrDefault("signature_name", "");
    if (!(sig instanceof String name)) {
      throw new InvalidInput("'signature_name' must be a string");
    }
    return name;
  }

  private static Example example(Object value) {
    if (!(value instanceof Map<?, ?> features)) {
      throw new InvalidInput("Example must be JSON object but got JSON " + Json.write(value));
    }
    Features.Builder out = Features.newBuilder();
    features.forEach((name, content) -> {
      Feature.Builder feature = Feature.newBuilder();
      if (content instanceof List<?> values) {
        values.forEach(v -> add(feature, (String) name, v));
      } else {
        add(feature, (String) name, content);
      }
      out.putFeature((String) name, feature.build());
    });
    return Example.newBuilder().setFeatures(out).build();
  }

  private static void add(Feature.Builder feature, String name, Object v) {
    Feature.KindCase kind;
    if (v instanceof Boolean || v instanceof Long) {
      kind = Feature.KindCase.INT64_LIST;
    } else if (v instanceof Double) {
      kind = Feature.KindCase.FLOAT_LIST;
    } else if (v instanceof String || (v instanceof Map<?, ?> m && m.size() == 1 && m.get("b64") instanceof String)) {
      kind = Feature.KindCase.BYTES_LIST;
    } else {
      throw new InvalidInput("Feature: " + name + " has element with unexpected JSON type: " + Json.write(v));
    }
    if (feature.getKindCase() != Feature.KindCase.KIND_NOT_SET && feature.getKindCase() != kind) {
      String expected = switch (feature.getKindCase()) {
        case BYTES_LIST -> "bytes";
        case FLOAT_LIST -> "float";
        default -> "int64";
      };
      throw new InvalidInput("Unexpected element type in feature: " + name + " expecting type: " + expected);
    }
    switch (kind) {
      case INT64_LIST -> feature.getInt64ListBuilder().addValue(v instanceof Boolean b ? (b ? 1 : 0) : (Long) v);
      case FLOAT_LIST -> feature.getFloatListBuilder().addValue(((Double) v).floatValue());
      default -> {
        ByteString bytes;
        if (v instanceof String s) {
          bytes = ByteString.copyFrom(s, StandardCharsets.UTF_8);
        } else {
          try {
            bytes = ByteString.copyFrom(Base64.getDecoder().decode((String) ((Map<?, ?>) v).get("b64")));
          } catch (IllegalArgumentException e) {
            throw new InvalidInput("Feature: " + name + ": the b64 value is not base64 (" + e.getMessage() + ")");
          }
        }
        feature.getBytesListBuilder().addValue(bytes);
      }
    }
  }

  static String classification(ClassificationResult result) {
    StringBuilder s = new StringBuilder("{\"results\":[");
    for (int i = 0; i < result.getClassificationsCount(); i++) {
      Classifications row = result.getClassifications(i);
      s.append(i == 0 ? "[" : ",[");
      for (int c = 0; c < row.getClassesCount(); c++) {
        Class cl = row.getClasses(c);
        s.append(c == 0 ? "[" : ",[").append(Json.write(cl.getLabel())).append(',').append(number(cl.getScore())).append(']');
      }
      s.append(']');
    }
    return s.append("]}").toString();
  }

  static String regression(RegressionResult result) {
    StringBuilder s = new StringBuilder("{\"results\":[");
    for (int i = 0; i < result.getRegressionsCount(); i++) {
      Regression r = result.getRegressions(i);
      s.append(i == 0 ? "" : ",").append(number(r.getValue()));
    }
    return s.append("]}").toString();
  }

  private static String number(float v) {
    if (!Float.isFinite(v)) {
      throw new InvalidInput("a result is not finite (" + v + "); JSON cannot carry it");
    }
    return Float.toString(v);
  }
}
