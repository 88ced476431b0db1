package org.introvae.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Int64Value;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.introvae.data.IdxReader;
import org.introvae.data.ImageSet;
import org.introvae.export.TinyExport;
import org.introvae.serving.grpc.ClassificationRequest;
import org.introvae.serving.grpc.ClassificationResponse;
import org.introvae.serving.grpc.ExampleList;
import org.introvae.serving.grpc.ExampleListWithContext;
import org.introvae.serving.grpc.GetModelMetadataRequest;
import org.introvae.serving.grpc.GetModelMetadataResponse;
import org.introvae.serving.grpc.GetModelStatusRequest;
import org.introvae.serving.grpc.GetModelStatusResponse;
import org.introvae.serving.grpc.InferenceTask;
import org.introvae.serving.grpc.Input;
import org.introvae.serving.grpc.ModelServiceGrpc;
import org.introvae.serving.grpc.ModelSpec;
import org.introvae.serving.grpc.ModelVersionStatus;
import org.introvae.serving.grpc.MultiInferenceRequest;
import org.introvae.serving.grpc.MultiInferenceResponse;
import org.introvae.serving.grpc.PredictRequest;
import org.introvae.serving.grpc.PredictResponse;
import org.introvae.serving.grpc.PredictionServiceGrpc;
import org.introvae.serving.grpc.RegressionRequest;
import org.introvae.serving.grpc.RegressionResponse;
import org.introvae.serving.grpc.SignatureDefMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;
import org.introvae.testkit.GenericSavedModel;
import org.introvae.testkit.ImageBomb;

/**
 * TF Serving's two APIs for any SavedModel: a model the test builds (every supported dtype), the
 * shipped Fashion-MNIST classifier and an IntroVAE export, over gRPC through stubs generated from
 * TF Serving's service definitions on a real channel, and over REST.
 */
@org.junit.jupiter.api.Tag("cross-kernel")
class TfServingApiTest {
  @TempDir
  static Path root;
  static ModelServer server;
  static ManagedChannel channel;
  static PredictionServiceGrpc.PredictionServiceBlockingStub predictions;
  static ModelServiceGrpc.ModelServiceBlockingStub models;
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static String rest;

  @BeforeAll
  static void start() throws Exception {
    TinyExport.trainAndExport(root);
    GenericSavedModel.write(root.resolve("models/generic"), 7);
    copy(Path.of("models/fmnist-classifier"), root.resolve("models/classifier"));
    server = new ModelServer(root.resolve("models"), "127.0.0.1", 0, 0, 2);
    rest = "http://127.0.0.1:" + server.port();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    predictions = PredictionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    models = ModelServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  private static void copy(Path from, Path to) throws Exception {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  private static ModelSpec spec(String name, String signature) {
    return ModelSpec.newBuilder().setName(name).setSignatureName(signature).build();
  }

  private static TensorProto.Builder tensor(DataType dtype, long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return TensorProto.newBuilder().setDtype(dtype).setTensorShape(shape);
  }

  private static Status.Code code(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
  }

  private static String message(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus().getDescription();
  }

  @Test
  void grpc_predict_on_a_model_that_is_not_an_introvae() {
    PredictResponse r = predictions.predict(PredictRequest.newBuilder().setModelSpec(spec("generic", ""))
        .putInputs("x", tensor(DataType.DT_FLOAT, 2, 3).addAllFloatVal(List.of(1f, 2f, 3f, -4f, 0.5f, 6f)).build())
        .putInputs("n", tensor(DataType.DT_INT64).addInt64Val(41).build()).build());
    assertEquals("serving_default", r.getModelSpec().getSignatureName());
    assertEquals(7, r.getModelSpec().getVersion().getValue());
    TensorProto y = r.getOutputsOrThrow("y");
    assertEquals(DataType.DT_FLOAT, y.getDtype());
    assertEquals(List.of(2L, 3L), y.getTensorShape().getDimList().stream().map(TensorShapeProto.Dim::getSize).toList());
    // ×2 is exact in binary floating point on every CPU.
    assertEquals(List.of(2f, 4f, 6f, -8f, 1f, 12f), y.getFloatValList());
    assertEquals(List.of(42L), r.getOutputsOrThrow("n_next").getInt64ValList());
  }

  @Test
  void grpc_predict_reads_tensor_content_and_filters_outputs() {
    ByteBuffer packed = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f).putFloat(8f);
    PredictResponse r = predictions.predict(PredictRequest.newBuilder().setModelSpec(spec("generic", "serving_default"))
        .putInputs("x", tensor(DataType.DT_FLOAT, 1, 3).setTensorContent(ByteString.copyFrom(packed.array())).build())
        .putInputs("n", tensor(DataType.DT_INT64).addInt64Val(0).build()).addOutputFilter("y").build());
    assertEquals(List.of("y"), List.copyOf(r.getOutputsMap().keySet()));
    assertEquals(List.of(3f, -4f, 16f), r.getOutputsOrThrow("y").getFloatValList());
  }

  @Test
  void grpc_predict_converts_every_supported_dtype() {
    PredictResponse r = predictions.predict(PredictRequest.newBuilder().setModelSpec(spec("generic", "types"))
        .putInputs("d", tensor(DataType.DT_DOUBLE, 2).addDoubleVal(0.25).addDoubleVal(-1e300).build())
        .putInputs("i", tensor(DataType.DT_INT32, 2).addIntVal(7).addIntVal(-3).build())
        .putInputs("u", tensor(DataType.DT_UINT8, 2).addIntVal(0).addIntVal(255).build())
        .putInputs("b", tensor(DataType.DT_BOOL, 2).addBoolVal(true).addBoolVal(false).build())
        .putInputs("s", tensor(DataType.DT_STRING, 2).addStringVal(ByteString.copyFromUtf8("héllo"))
            .addStringVal(ByteString.copyFrom(new byte[] {0, (byte) 0xff})).build())
        .build());
    assertEquals(List.of(0.5, -2e300), r.getOutputsOrThrow("d2").getDoubleValList());
    assertEquals(List.of(14, -6), r.getOutputsOrThrow("i2").getIntValList());
    assertEquals(List.of(0, 255), r.getOutputsOrThrow("u_as_int").getIntValList());
    assertEquals(List.of(false, true), r.getOutputsOrThrow("not_b").getBoolValList());
    assertEquals(List.of(ByteString.copyFromUtf8("héllo"), ByteString.copyFrom(new byte[] {0, (byte) 0xff})),
        r.getOutputsOrThrow("s_bytes").getStringValList());
  }

  @Test
  void grpc_predict_on_an_introvae_export_matches_the_loader() {
    float[] z = {0.5f, -1f, 0.25f, 2f, 0f, -0.75f, 1f, 0.1f};
    PredictResponse r = predictions.predict(PredictRequest.newBuilder().setModelSpec(spec("tiny", "decode"))
        .putInputs("z", tensor(DataType.DT_FLOAT, 1, 8).addAllFloatVal(boxed(z)).build()).build());
    TensorProto images = r.getOutputsOrThrow("images");
    assertEquals(List.of(1L, 28L, 28L, 1L),
        images.getTensorShape().getDimList().stream().map(TensorShapeProto.Dim::getSize).toList());
    try (IntroVaeModel loader = IntroVaeModel.load(root.resolve("models/tiny"))) {
      float[] expected = loader.decode(new float[][] {z})[0];
      float[] got = new float[expected.length];
      for (int k = 0; k < got.length; k++) {
        got[k] = images.getFloatVal(k);
      }
      // Same graph, batch 1, same process and thread settings, but a second session: oneDNN may pick
      // another kernel for it, so allow float rounding on [0, 1] outputs (observed differences are 0).
      assertArrayEquals(expected, got, 1e-6f);
    }
  }

  private static List<Float> boxed(float[] values) {
    List<Float> out = new java.util.ArrayList<>();
    for (float v : values) {
      out.add(v);
    }
    return out;
  }

  @Test
  void grpc_metadata_lists_the_signatures_from_the_metagraph() throws Exception {
    GetModelMetadataResponse r = predictions.getModelMetadata(GetModelMetadataRequest.newBuilder()
        .setModelSpec(spec("generic", "")).addMetadataField("signature_def").build());
    assertEquals(7, r.getModelSpec().getVersion().getValue());
    Map<String, SignatureDef> defs = r.getMetadataOrThrow("signature_def").unpack(SignatureDefMap.class).getSignatureDefMap();
    assertEquals(java.util.Set.of("serving_default", "types", "classify", "regress"), defs.keySet());
    assertEquals("tensorflow/serving/classify", defs.get("classify").getMethodName());
    assertEquals(DataType.DT_UINT8, defs.get("types").getInputsOrThrow("u").getDtype());
    assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> predictions.getModelMetadata(
        GetModelMetadataRequest.newBuilder().setModelSpec(spec("generic", "")).build())));
    assertTrue(message(() -> predictions.getModelMetadata(GetModelMetadataRequest.newBuilder()
        .setModelSpec(spec("generic", "")).addMetadataField("labels").build())).contains("labels is not supported"));
  }

  @Test
  void grpc_model_status_reports_each_version() {
    GetModelStatusResponse r = models.getModelStatus(GetModelStatusRequest.newBuilder().setModelSpec(spec("generic", ""))
        .build());
    assertEquals(1, r.getModelVersionStatusCount());
    ModelVersionStatus v = r.getModelVersionStatus(0);
    assertEquals(7, v.getVersion());
    assertEquals(ModelVersionStatus.State.AVAILABLE, v.getState());
    assertEquals(org.tensorflow.proto.error.Code.OK, v.getStatus().getErrorCode());
    assertEquals(Status.Code.NOT_FOUND, code(() -> models.getModelStatus(GetModelStatusRequest.newBuilder()
        .setModelSpec(spec("ghost", "")).build())));
    assertEquals(Status.Code.NOT_FOUND, code(() -> models.getModelStatus(GetModelStatusRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("generic").setVersion(Int64Value.of(8))).build())));
    assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> models.getModelStatus(GetModelStatusRequest.getDefaultInstance())));
  }

  @Test
  void grpc_errors_carry_tf_servings_codes_and_the_server_keeps_serving() {
    TensorProto x = tensor(DataType.DT_FLOAT, 1, 3).addFloatVal(1f).build(); // one value fills the shape
    TensorProto n = tensor(DataType.DT_INT64).addInt64Val(1).build();
    assertEquals(Status.Code.NOT_FOUND, code(() -> predictions.predict(PredictRequest.newBuilder()
        .setModelSpec(spec("ghost", "")).putInputs("x", x).build())));
    assertEquals(Status.Code.NOT_FOUND, code(() -> predictions.predict(PredictRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("generic").setVersion(Int64Value.of(3))).putInputs("x", x).build())));
    assertEquals(Status.Code.FAILED_PRECONDITION, code(() -> predictions.predict(PredictRequest.newBuilder()
        .setModelSpec(spec("generic", "nope")).putInputs("x", x).build())));
    assertEquals("input size does not match signature: 1!=2 len({x}) != len({n,x}). Sent extra: {}. Missing but"
        + " required: {n}.", message(() -> predictions.predict(PredictRequest.newBuilder()
        .setModelSpec(spec("generic", "")).putInputs("x", x).build())));
    assertTrue(message(() -> predictions.predict(PredictRequest.newBuilder().setModelSpec(spec("generic", ""))
        .putInputs("x", tensor(DataType.DT_DOUBLE, 1, 3).addDoubleVal(1).build()).putInputs("n", n).build()))
        .contains("must be float but double is provided"));
    assertTrue(message(() -> predictions.predict(PredictRequest.newBuilder().setModelSpec(spec("generic", ""))
        .putInputs("x", tensor(DataType.DT_FLOAT, 1, 4).addFloatVal(1).build()).putInputs("n", n).build()))
        .contains("has shape [1, 4]; the signature takes [-1, 3]"));
    assertTrue(message(() -> predictions.predict(PredictRequest.newBuilder().setModelSpec(spec("generic", ""))
        .putInputs("x", tensor(DataType.DT_FLOAT, 1, 3).setTensorContent(ByteString.copyFrom(new byte[5])).build())
        .putInputs("n", n).build())).contains("tensor_content has 5 bytes"));
    assertTrue(message(() -> predictions.predict(PredictRequest.newBuilder().setModelSpec(spec("generic", ""))
        .putInputs("x", x).putInputs("n", n).addOutputFilter("zz").build()))
        .startsWith("output tensor alias not found in signature: zz"));
    assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> predictions.predict(PredictRequest.newBuilder()
        .setModelSpec(spec("tiny", "sample")).putInputs("seed", tensor(DataType.DT_INT64).addInt64Val(1).build())
        .putInputs("count", tensor(DataType.DT_INT32).addIntVal(2_000_000_000).build()).build())));
    PredictResponse ok = predictions.predict(PredictRequest.newBuilder().setModelSpec(spec("generic", ""))
        .putInputs("x", x).putInputs("n", n).build());
    assertEquals(List.of(2f, 2f, 2f), ok.getOutputsOrThrow("y").getFloatValList());
  }

  private static org.tensorflow.proto.Example example(float... x) {
    org.tensorflow.proto.FloatList.Builder values = org.tensorflow.proto.FloatList.newBuilder();
    for (float v : x) {
      values.addValue(v);
    }
    return org.tensorflow.proto.Example.newBuilder().setFeatures(org.tensorflow.proto.Features.newBuilder()
        .putFeature("x", org.tensorflow.proto.Feature.newBuilder().setFloatList(values).build())).build();
  }

  private static Input examples(org.tensorflow.proto.Example... examples) {
    return Input.newBuilder().setExampleList(ExampleList.newBuilder().addAllExamples(List.of(examples))).build();
  }

  @Test
  void grpc_classify_regress_and_multi_inference_on_tf_examples() {
    ClassificationResponse c = predictions.classify(ClassificationRequest.newBuilder()
        .setModelSpec(spec("generic", "classify")).setInput(examples(example(1, 2, 3), example(-1, 0, 0.5f))).build());
    assertEquals(2, c.getResult().getClassificationsCount());
    assertEquals("c", c.getResult().getClassifications(0).getClasses(2).getLabel());
    assertEquals(6f, c.getResult().getClassifications(0).getClasses(2).getScore());
    assertEquals(-2f, c.getResult().getClassifications(1).getClasses(0).getScore());
    // With a context: each example is merged over it (here the example's x replaces the context's).
    Input withContext = Input.newBuilder().setExampleListWithContext(ExampleListWithContext.newBuilder()
        .setContext(example(9, 9, 9)).addExamples(example(1, 1, 2))).build();
    RegressionResponse r = predictions.regress(RegressionRequest.newBuilder().setModelSpec(spec("generic", "regress"))
        .setInput(withContext).build());
    assertEquals(4f, r.getResult().getRegressions(0).getValue());
    MultiInferenceResponse m = predictions.multiInference(MultiInferenceRequest.newBuilder()
        .addTasks(InferenceTask.newBuilder().setModelSpec(spec("generic", "classify")).setMethodName("tensorflow/serving/classify"))
        .addTasks(InferenceTask.newBuilder().setModelSpec(spec("generic", "regress")).setMethodName("tensorflow/serving/regress"))
        .setInput(examples(example(1, 2, 3))).build());
    assertEquals(2f, m.getResults(0).getClassificationResult().getClassifications(0).getClasses(0).getScore());
    assertEquals(6f, m.getResults(1).getRegressionResult().getRegressions(0).getValue());
    assertEquals("regress", m.getResults(1).getModelSpec().getSignatureName());
    assertTrue(message(() -> predictions.classify(ClassificationRequest.newBuilder().setModelSpec(spec("generic", "regress"))
        .setInput(examples(example(1, 2, 3))).build()))
        .contains("Expected classification signature method_name to be tensorflow/serving/classify"));
    assertEquals("Input is empty.", message(() -> predictions.regress(RegressionRequest.newBuilder()
        .setModelSpec(spec("generic", "regress")).build())));
    assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> predictions.classify(ClassificationRequest.newBuilder()
        .setModelSpec(spec("generic", "classify")).setInput(examples(example(1, 2))).build())));
    assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> predictions.multiInference(MultiInferenceRequest.newBuilder()
        .addTasks(InferenceTask.newBuilder().setModelSpec(spec("generic", "regress")).setMethodName("tensorflow/serving/regress"))
        .addTasks(InferenceTask.newBuilder().setModelSpec(spec("tiny", "regress")).setMethodName("tensorflow/serving/regress"))
        .setInput(examples(example(1, 2, 3))).build())));
  }

  @Test
  void rest_classify_and_regress() throws Exception {
    HttpResponse<String> c = post("/v1/models/generic:classify",
        "{\"signature_name\": \"classify\", \"examples\": [{\"x\": [1.5, 2.0, -3.0]}]}");
    assertEquals(200, c.statusCode(), c.body());
    assertEquals(Map.of("results", List.of(List.of(List.of("a", 3.0), List.of("b", 4.0), List.of("c", -6.0)))),
        Json.parse(c.body()));
    HttpResponse<String> r = post("/v1/models/generic:regress",
        "{\"signature_name\": \"regress\", \"context\": {\"x\": [0.0, 0.0, 0.0]}, \"examples\": [{\"x\": [1.0, 2.0, 0.5]}, {}]}");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(Map.of("results", List.of(3.5, 0.0)), Json.parse(r.body()));
    HttpResponse<String> mixed = post("/v1/models/generic:regress",
        "{\"signature_name\": \"regress\", \"examples\": [{\"x\": [1.0, 2, 0.5]}]}");
    assertEquals(400, mixed.statusCode());
    assertTrue(mixed.body().contains("Unexpected element type in feature: x expecting type: float"), mixed.body());
    assertTrue(post("/v1/models/generic:classify", "{\"signature_name\": \"classify\"}").body()
        .contains("key 'examples' is expected and was not found"));
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(rest + path)).POST(HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(rest + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void rest_predict_on_a_model_that_is_not_an_introvae() throws Exception {
    HttpResponse<String> rows = post("/v1/models/generic:predict",
        "{\"instances\": [{\"x\": [1, 2, 3], \"n\": 5}]}");
    // n is a scalar input: the row format cannot split it per instance, as in TF Serving.
    assertEquals(400, rows.statusCode(), rows.body());
    HttpResponse<String> columns = post("/v1/models/generic:predict", "{\"inputs\": {\"x\": [[1, 2, 3]], \"n\": 5}}");
    assertEquals(200, columns.statusCode(), columns.body());
    assertEquals(Map.of("outputs", Map.of("y", List.of(List.of(2.0, 4.0, 6.0)), "n_next", 6L)), Json.parse(columns.body()));
    HttpResponse<String> types = post("/v1/models/generic:predict", "{\"signature_name\": \"types\", \"instances\": ["
        + "{\"d\": 0.5, \"i\": 3, \"u\": 200, \"b\": true, \"s\": {\"b64\": \"AP8=\"}},"
        + "{\"d\": -1, \"i\": -4, \"u\": 0, \"b\": false, \"s\": \"hi\"}]}");
    assertEquals(200, types.statusCode(), types.body());
    assertEquals(Map.of("predictions", List.of(
        Map.of("d2", 1.0, "i2", 6L, "u_as_int", 200L, "not_b", false, "s_bytes", Map.of("b64", "AP8=")),
        Map.of("d2", -2.0, "i2", -8L, "u_as_int", 0L, "not_b", true, "s_bytes", Map.of("b64", "aGk=")))),
        Json.parse(types.body()));
    assertTrue(post("/v1/models/generic:predict", "{\"signature_name\": \"types\", \"inputs\": {\"d\": [1], \"i\": [1],"
        + " \"u\": [256], \"b\": [true], \"s\": [\"a\"]}}").body().contains("uint8's range"));
    HttpResponse<String> metadata = get("/v1/models/generic/metadata");
    assertEquals(200, metadata.statusCode());
    assertTrue(metadata.body().contains("\"regress\"") && !metadata.body().contains("model_facts"), metadata.body());
    assertEquals(404, get("/v1/models/generic/samples.png").statusCode());
  }

  /** Any TF Serving client can send a photo: encoded bytes in, fitted in the graph as training fits images. */
  @Test
  void an_introvae_export_takes_encoded_images() throws Exception {
    java.awt.image.BufferedImage photo = new java.awt.image.BufferedImage(90, 70, java.awt.image.BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 70; y++) {
      for (int x = 0; x < 90; x++) {
        photo.setRGB(x, y, ((x * 2) << 16) | ((y * 3) << 8) | ((x + y) & 0xff));
      }
    }
    java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
    javax.imageio.ImageIO.write(photo, "png", png);
    String b64 = java.util.Base64.getEncoder().encodeToString(png.toByteArray());
    HttpResponse<String> r = post("/v1/models/tiny:predict",
        "{\"signature_name\": \"reconstruct_image\", \"instances\": [{\"b64\": \"" + b64 + "\"}]}");
    assertEquals(200, r.statusCode(), r.body());
    @SuppressWarnings("unchecked")
    Map<String, Object> prediction = (Map<String, Object>) ((List<Object>) ((Map<String, Object>) Json.parse(r.body()))
        .get("predictions")).get(0);
    @SuppressWarnings("unchecked")
    List<Object> mu = (List<Object>) prediction.get("mu");
    try (IntroVaeModel loader = IntroVaeModel.load(root.resolve("models/tiny"))) {
      float[] expected = loader.encode(new float[][] {Png.read(png.toByteArray(), 28, 1)}).mu()[0];
      for (int j = 0; j < expected.length; j++) {
        // The same fitted pixels (ImageFitOpsTest) through the same encoder, in another session:
        // float rounding only.
        assertEquals(expected[j], ((Number) mu.get(j)).floatValue(), 1e-4f, "mu[" + j + "]");
      }
    }
    HttpResponse<String> two = post("/v1/models/tiny:predict", "{\"signature_name\": \"reconstruct_image\", "
        + "\"instances\": [{\"b64\": \"" + b64 + "\"}, {\"b64\": \"" + b64 + "\"}]}");
    assertEquals(400, two.statusCode(), two.body());
    String bomb = java.util.Base64.getEncoder().encodeToString(ImageBomb.png(20_000, 20_000));
    HttpResponse<String> refused = post("/v1/models/tiny:predict", "{\"signature_name\": \"reconstruct_image\", "
        + "\"instances\": [{\"b64\": \"" + bomb + "\"}]}");
    assertEquals(400, refused.statusCode(), refused.body());
    assertTrue(refused.body().contains("megapixels") || refused.body().contains("pixels"), refused.body());
    HttpResponse<String> garbage = post("/v1/models/tiny:predict", "{\"signature_name\": \"reconstruct_image\", "
        + "\"instances\": [{\"b64\": \"aGVsbG8=\"}]}");
    assertEquals(400, garbage.statusCode(), garbage.body());
  }

  /**
   * With batching on, concurrent encoded-image requests are not joined: the signature takes exactly one
   * image (image_bytes [1]), so a joined batch would be refused by the graph. Decode requests, whose
   * input has an open first dimension, still share batches.
   */
  @Test
  void batching_leaves_signatures_with_a_fixed_first_dimension_alone() throws Exception {
    java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
    javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(28, 28, java.awt.image.BufferedImage.TYPE_BYTE_GRAY),
        "png", png);
    String photo = "{\"signature_name\": \"reconstruct_image\", \"instances\": [{\"b64\": \""
        + java.util.Base64.getEncoder().encodeToString(png.toByteArray()) + "\"}]}";
    String decode = "{\"signature_name\": \"decode\", \"instances\": [[0, 0, 0, 0, 0, 0, 0, 0]]}";
    // 50 ms batch timeout: requests sent together wait for one another.
    try (ModelServer batching = ModelServer.withBatching(root.resolve("models"), 16, 64, 50_000)) {
      URI predict = URI.create("http://127.0.0.1:" + batching.port() + "/v1/models/tiny:predict");
      java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(16);
      try {
        List<java.util.concurrent.Future<HttpResponse<String>>> answers = new java.util.ArrayList<>();
        for (int i = 0; i < 16; i++) {
          String body = i % 2 == 0 ? photo : decode;
          answers.add(clients.submit(() -> HTTP.send(HttpRequest.newBuilder(predict)
              .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString())));
        }
        for (java.util.concurrent.Future<HttpResponse<String>> a : answers) {
          HttpResponse<String> r = a.get(60, TimeUnit.SECONDS);
          assertEquals(200, r.statusCode(), r.body());
        }
      } finally {
        clients.shutdownNow();
      }
    }
  }

  /** The shipped classifier, served as any SavedModel, labels the bundled test images. */
  @Test
  void rest_serves_the_shipped_classifier() throws Exception {
    ImageSet images = IdxReader.read(Path.of("data/fashion-mnist/t10k-images-idx3-ubyte.gz"));
    int[] labels = IdxReader.readLabels(Path.of("data/fashion-mnist/t10k-labels-idx1-ubyte.gz"));
    String metadata = get("/v1/models/classifier/metadata").body();
    @SuppressWarnings("unchecked")
    Map<String, Object> defs = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
        Json.parse(metadata)).get("metadata")).get("signature_def")).get("signature_def");
    @SuppressWarnings("unchecked")
    String input = ((Map<String, Object>) ((Map<String, Object>) defs.get("serving_default")).get("inputs")).keySet()
        .iterator().next();
    int n = 50;
    StringBuilder body = new StringBuilder("{\"instances\": [");
    float[] pixels = new float[28 * 28];
    for (int i = 0; i < n; i++) {
      images.copyTo(i, pixels, 0);
      body.append(i == 0 ? "" : ",").append("{\"").append(input).append("\":[");
      for (int r = 0; r < 28; r++) {
        body.append(r == 0 ? "[" : ",[");
        for (int c = 0; c < 28; c++) {
          body.append(c == 0 ? "" : ",").append('[').append(pixels[r * 28 + c]).append(']');
        }
        body.append(']');
      }
      body.append("]}");
    }
    HttpResponse<String> r = post("/v1/models/classifier:predict", body.append("]}").toString());
    assertEquals(200, r.statusCode(), r.body().substring(0, Math.min(300, r.body().length())));
    @SuppressWarnings("unchecked")
    List<Object> predictions = (List<Object>) ((Map<String, Object>) Json.parse(r.body())).get("predictions");
    assertEquals(n, predictions.size());
    int right = 0;
    for (int i = 0; i < n; i++) {
      Object p = predictions.get(i);
      @SuppressWarnings("unchecked")
      List<Object> scores = (List<Object>) (p instanceof Map<?, ?> m ? m.values().stream()
          .filter(v -> v instanceof List<?> l && l.size() == 10).findFirst().orElseThrow() : p);
      int best = 0;
      for (int k = 1; k < 10; k++) {
        best = ((Number) scores.get(k)).doubleValue() > ((Number) scores.get(best)).doubleValue() ? k : best;
      }
      right += best == labels[i] ? 1 : 0;
    }
    // 91 % test accuracy: 50 images fall below 80 % correct with probability < 1e-3.
    assertTrue(right >= 40, right + " of " + n + " right");
  }
}
