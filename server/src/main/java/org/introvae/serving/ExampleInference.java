package org.introvae.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.introvae.serving.grpc.Class;
import org.introvae.serving.grpc.ClassificationResult;
import org.introvae.serving.grpc.Classifications;
import org.introvae.serving.grpc.Input;
import org.introvae.serving.grpc.Regression;
import org.introvae.serving.grpc.RegressionResult;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.SignatureDef;

/**
 * TF Serving's Classify and Regress: tf.Examples, serialized, fed to a classify or regress signature's
 * one input "inputs"; its "classes" (string [n, k]) and "scores" (float [n, k]) or "outputs" (float
 * [n] or [n, 1]) read back into TF Serving's result messages, checked as TF Serving checks them.
 */
final class ExampleInference {
  static final String CLASSIFY = "tensorflow/serving/classify";
  static final String REGRESS = "tensorflow/serving/regress";

  private ExampleInference() {}

  /** The input's examples, serialized; with a context, each example merged over it. */
  static byte[][] serialized(Input input) {
    List<Example> examples;
    Example context = null;
    switch (input.getKindCase()) {
      case EXAMPLE_LIST -> examples = input.getExampleList().getExamplesList();
      case EXAMPLE_LIST_WITH_CONTEXT -> {
        examples = input.getExampleListWithContext().getExamplesList();
        context = input.getExampleListWithContext().getContext();
      }
      default -> throw new InvalidInput("Input is empty.");
    }
    if (examples.isEmpty()) {
      throw new InvalidInput("Input is empty.");
    }
    byte[][] out = new byte[examples.size()][];
    for (int i = 0; i < out.length; i++) {
      Example e = context == null ? examples.get(i) : context.toBuilder().mergeFrom(examples.get(i)).build();
      out[i] = e.toByteArray();
    }
    return out;
  }

  private static SignatureDef signature(ServableModel model, String name, String method) {
    SignatureDef def;
    try {
      def = model.signature(name);
    } catch (ServableModel.MissingSignature e) {
      throw new InvalidInput("No signature was found with the name: "
          + (name.isEmpty() ? ServableModel.DEFAULT_SIGNATURE : name));
    }
    String kind = method.equals(CLASSIFY) ? "classification" : "regression";
    if (!def.getMethodName().equals(method)) {
      throw new InvalidInput("Expected " + kind + " signature method_name to be " + method + ". Was: "
          + def.getMethodName());
    }
    if (def.getInputsCount() != 1) {
      throw new InvalidInput("Expected one input Tensor.");
    }
    if (!def.getInputsMap().containsKey("inputs")) {
      throw new InvalidInput("No " + kind + " inputs found in SignatureDef: " + name);
    }
    return def;
  }

  private static Map<String, HostTensor> run(ServableModel model, String name, byte[][] examples, List<String> outputs) {
    HostTensor inputs = new HostTensor(DataType.DT_STRING, new long[] {examples.length}, examples);
    return model.run(name, Map.of("inputs", inputs), outputs);
  }

  static ClassificationResult classify(ServableModel model, String name, byte[][] examples) {
    SignatureDef def = signature(model, name, CLASSIFY);
    if (def.getOutputsCount() != 1 && def.getOutputsCount() != 2) {
      throw new InvalidInput("Expected one or two output Tensors, found " + def.getOutputsCount());
    }
    List<String> wanted = new ArrayList<>();
    for (String key : List.of("classes", "scores")) {
      if (def.getOutputsMap().containsKey(key)) {
        wanted.add(key);
      }
    }
    if (wanted.isEmpty()) {
      throw new InvalidInput("Expected classification signature outputs to contain at least one of \"classes\" or"
          + " \"scores\". Signature was: " + name);
    }
    Map<String, HostTensor> out = run(model, name, examples, wanted);
    HostTensor classes = out.get("classes");
    HostTensor scores = out.get("scores");
    long k = -1;
    for (HostTensor t : new HostTensor[] {classes, scores}) {
      if (t == null) {
        continue;
      }
      boolean isClasses = t == classes;
      if (t.shape().length != 2) {
        throw new InvalidInput("Expected Tensor shape: [batch_size num_classes] but got " + java.util.Arrays.toString(t.shape()));
      }
      if (t.dtype() != (isClasses ? DataType.DT_STRING : DataType.DT_FLOAT)) {
        throw new InvalidInput("Expected " + (isClasses ? "classes Tensor of DT_STRING" : "scores Tensor of DT_FLOAT")
            + ". Got: " + t.dtype().name());
      }
      if (t.shape()[0] != examples.length) {
        throw new InvalidInput("Expected " + (isClasses ? "classes" : "scores") + " output batch size of "
            + examples.length + ". Got: " + t.shape()[0]);
      }
      if (k >= 0 && t.shape()[1] != k) {
        throw new InvalidInput("Tensors class and score should match in dim_size(1). Got " + k + " vs. " + t.shape()[1]);
      }
      k = t.shape()[1];
    }
    ClassificationResult.Builder result = ClassificationResult.newBuilder();
    for (int i = 0; i < examples.length; i++) {
      Classifications.Builder row = Classifications.newBuilder();
      for (int c = 0; c < k; c++) {
        Class.Builder cl = Class.newBuilder();
        int at = (int) (i * k + c);
        if (classes != null) {
          cl.setLabelBytes(com.google.protobuf.ByteString.copyFrom(((byte[][]) classes.values())[at]));
        }
        if (scores != null) {
          cl.setScore(((float[]) scores.values())[at]);
        }
        row.addClasses(cl);
      }
      result.addClassifications(row);
    }
    return result.build();
  }

  static RegressionResult regress(ServableModel model, String name, byte[][] examples) {
    SignatureDef def = signature(model, name, REGRESS);
    if (def.getOutputsCount() != 1) {
      throw new InvalidInput("Expected one output Tensor.");
    }
    if (!def.getOutputsMap().containsKey("outputs")) {
      throw new InvalidInput("No regression outputs found in SignatureDef: " + name);
    }
    HostTensor outputs = run(model, name, examples, List.of("outputs")).get("outputs");
    long[] shape = outputs.shape();
    if (!(shape.length == 1 || (shape.length == 2 && shape[1] == 1))) {
      throw new InvalidInput("Expected output Tensor shape to be either [batch_size] or [batch_size, 1] but got "
          + java.util.Arrays.toString(shape));
    }
    if (outputs.dtype() != DataType.DT_FLOAT) {
      throw new InvalidInput("Expected output Tensor of DT_FLOAT. Got: " + outputs.dtype().name());
    }
    if (shape[0] != examples.length) {
      throw new InvalidInput("Input batch size did not match output batch size: " + examples.length + " vs. " + shape[0]);
    }
    RegressionResult.Builder result = RegressionResult.newBuilder();
    for (float v : (float[]) outputs.values()) {
      result.addRegressions(Regression.newBuilder().setValue(v));
    }
    return result.build();
  }
}
