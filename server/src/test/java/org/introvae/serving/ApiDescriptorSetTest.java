package org.introvae.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.introvae.serving.grpc.ModelSpec;
import org.introvae.serving.grpc.PredictRequest;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * The descriptor set other languages' clients are generated from must stand on its own (each file after
 * its imports, none missing), hold TensorFlow's messages in full rather than the import-only
 * declarations, and describe the wire format the server reads.
 */
class ApiDescriptorSetTest {
  @Test
  void files_build_in_order_from_the_set_alone() throws Exception {
    FileDescriptorSet set = ApiDescriptorSet.of();
    Map<String, FileDescriptor> built = new HashMap<>();
    for (FileDescriptorProto file : set.getFileList()) {
      FileDescriptor[] deps = file.getDependencyList().stream().map(d -> {
        FileDescriptor dep = built.get(d);
        assertNotNull(dep, file.getName() + " imports " + d + ", which the set does not hold before it");
        return dep;
      }).toArray(FileDescriptor[]::new);
      built.put(file.getName(), FileDescriptor.buildFrom(file, deps));
    }
    for (String service : List.of("tensorflow_serving/apis/prediction_service.proto", "tensorflow_serving/apis/model_service.proto")) {
      assertTrue(built.containsKey(service), service);
    }
    assertEquals(List.of("Classify", "Regress", "Predict", "MultiInference", "GetModelMetadata"),
        built.get("tensorflow_serving/apis/prediction_service.proto").findServiceByName("PredictionService")
            .getMethods().stream().map(m -> m.getName()).toList());

    // TensorProto in full: a PredictRequest written by the server's own classes reads back field by field
    // through the set's descriptors.
    Descriptor tensor = built.get("tensorflow/core/framework/tensor.proto").findMessageTypeByName("TensorProto");
    assertEquals(5, tensor.findFieldByName("float_val").getNumber());
    assertEquals(4, tensor.findFieldByName("tensor_content").getNumber());
    PredictRequest request = PredictRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("m").setSignatureName("decode"))
        .putInputs("z", TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
            .setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(2)))
            .addFloatVal(0.5f).addFloatVal(-1.25f).build())
        .build();
    Descriptor predict = built.get("tensorflow_serving/apis/predict.proto").findMessageTypeByName("PredictRequest");
    DynamicMessage parsed = DynamicMessage.parseFrom(predict, request.toByteString());
    assertTrue(parsed.getUnknownFields().asMap().isEmpty());
    assertEquals(request.toByteString(), parsed.toByteString());
    DynamicMessage spec = (DynamicMessage) parsed.getField(predict.findFieldByName("model_spec"));
    assertEquals("decode", spec.getField(spec.getDescriptorForType().findFieldByName("signature_name")));
  }
}
