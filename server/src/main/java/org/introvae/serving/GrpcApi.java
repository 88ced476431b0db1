package org.introvae.serving;

import com.google.protobuf.Any;
import com.google.protobuf.Int64Value;
import io.grpc.BindableService;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.introvae.serving.grpc.ClassificationRequest;
import org.introvae.serving.grpc.ClassificationResponse;
import org.introvae.serving.grpc.GetModelMetadataRequest;
import org.introvae.serving.grpc.GetModelMetadataResponse;
import org.introvae.serving.grpc.GetModelStatusRequest;
import org.introvae.serving.grpc.GetModelStatusResponse;
import org.introvae.serving.grpc.InferenceResult;
import org.introvae.serving.grpc.InferenceTask;
import org.introvae.serving.grpc.ModelServiceGrpc;
import org.introvae.serving.grpc.ModelSpec;
import org.introvae.serving.grpc.ModelVersionStatus;
import org.introvae.serving.grpc.MultiInferenceRequest;
import org.introvae.serving.grpc.MultiInferenceResponse;
import org.introvae.serving.grpc.PredictRequest;
import org.introvae.serving.grpc.PredictResponse;
import org.introvae.serving.grpc.PredictionServiceGrpc;
import org.introvae.serving.grpc.RegressionRequest;
import org.introvae.serving.grpc.ReloadConfigRequest;
import org.introvae.serving.grpc.ReloadConfigResponse;
import org.introvae.serving.grpc.RegressionResponse;
import org.introvae.serving.grpc.SignatureDefMap;
import org.introvae.serving.grpc.StatusProto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.proto.error.Code;

/**
 * TF Serving's gRPC services over a model repository: PredictionService (Predict, Classify, Regress,
 * MultiInference, GetModelMetadata) and ModelService (GetModelStatus), with TF Serving's status codes and messages (NOT_FOUND for an
 * unknown model or version, INVALID_ARGUMENT for a bad request, FAILED_PRECONDITION for a signature
 * the model does not have).
 */
final class GrpcApi {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcApi.class);
  static final String SIGNATURE_DEF = "signature_def";

  private final ModelRepository repository;
  /** Null when monitoring is off. */
  private final ServingMetrics metrics;

  GrpcApi(ModelRepository repository, ServingMetrics metrics) {
    this.repository = repository;
    this.metrics = metrics;
  }

  List<BindableService> services() {
    return List.of(new Prediction(), new Models());
  }

  private final class Prediction extends PredictionServiceGrpc.PredictionServiceImplBase {
    @Override
    public void predict(PredictRequest request, StreamObserver<PredictResponse> reply) {
      answer(reply, "Predict", request.getModelSpec().getName(), () -> {
        ServableModel model = model(request.getModelSpec());
        Map<String, HostTensor> inputs = new LinkedHashMap<>();
        request.getInputsMap().forEach((key, proto) ->
            inputs.put(key, TensorProtoCodec.decode(key, proto, ServableModel.MAX_ELEMENTS)));
        String signature = request.getModelSpec().getSignatureName();
        Map<String, HostTensor> outputs = model.run(signature, inputs, request.getOutputFilterList());
        PredictResponse.Builder out = PredictResponse.newBuilder().setModelSpec(spec(request.getModelSpec(), model));
        outputs.forEach((key, tensor) -> out.putOutputs(key, TensorProtoCodec.encode(tensor)));
        return out.build();
      });
    }

    @Override
    public void classify(ClassificationRequest request, StreamObserver<ClassificationResponse> reply) {
      answer(reply, "Classify", request.getModelSpec().getName(), () -> {
        ServableModel model = model(request.getModelSpec());
        byte[][] examples = ExampleInference.serialized(request.getInput());
        return ClassificationResponse.newBuilder().setModelSpec(spec(request.getModelSpec(), model))
            .setResult(ExampleInference.classify(model, request.getModelSpec().getSignatureName(), examples)).build();
      });
    }

    @Override
    public void regress(RegressionRequest request, StreamObserver<RegressionResponse> reply) {
      answer(reply, "Regress", request.getModelSpec().getName(), () -> {
        ServableModel model = model(request.getModelSpec());
        byte[][] examples = ExampleInference.serialized(request.getInput());
        return RegressionResponse.newBuilder().setModelSpec(spec(request.getModelSpec(), model))
            .setResult(ExampleInference.regress(model, request.getModelSpec().getSignatureName(), examples)).build();
      });
    }

    /** Several classify and regress signatures of one model on one input, as TF Serving's MultiInference. */
    @Override
    public void multiInference(MultiInferenceRequest request, StreamObserver<MultiInferenceResponse> reply) {
      answer(reply, "MultiInference", request.getTasksCount() == 0 ? null : request.getTasks(0).getModelSpec().getName(), () -> {
        if (request.getTasksCount() == 0) {
          throw new InvalidInput("Empty number of tasks");
        }
        String name = request.getTasks(0).getModelSpec().getName();
        java.util.Set<String> signatures = new java.util.HashSet<>();
        for (InferenceTask task : request.getTasksList()) {
          if (!task.getModelSpec().getName().equals(name)) {
            throw new InvalidInput("All ModelSpecs in a MultiInferenceRequest must access the same model name");
          }
          String signature = task.getModelSpec().getSignatureName();
          if (!signatures.add(signature.isEmpty() ? ServableModel.DEFAULT_SIGNATURE : signature)) {
            throw new InvalidInput("Duplicate evaluation of signature: " + signature);
          }
          if (!task.getMethodName().equals(ExampleInference.CLASSIFY) && !task.getMethodName().equals(ExampleInference.REGRESS)) {
            throw new InvalidInput("Unsupported signature method_name: " + task.getMethodName());
          }
        }
        ServableModel model = model(request.getTasks(0).getModelSpec());
        byte[][] examples = ExampleInference.serialized(request.getInput());
        MultiInferenceResponse.Builder out = MultiInferenceResponse.newBuilder();
        for (InferenceTask task : request.getTasksList()) {
          InferenceResult.Builder result = InferenceResult.newBuilder().setModelSpec(spec(task.getModelSpec(), model));
          String signature = task.getModelSpec().getSignatureName();
          if (task.getMethodName().equals(ExampleInference.CLASSIFY)) {
            result.setClassificationResult(ExampleInference.classify(model, signature, examples));
          } else {
            result.setRegressionResult(ExampleInference.regress(model, signature, examples));
          }
          out.addResults(result);
        }
        return out.build();
      });
    }

    @Override
    public void getModelMetadata(GetModelMetadataRequest request, StreamObserver<GetModelMetadataResponse> reply) {
      answer(reply, "GetModelMetadata", request.getModelSpec().getName(), () -> {
        if (request.getMetadataFieldCount() == 0) {
          throw new InvalidInput("GetModelMetadataRequest must specify at least one metadata_field");
        }
        for (String field : request.getMetadataFieldList()) {
          if (!field.equals(SIGNATURE_DEF)) {
            throw new InvalidInput("Metadata field " + field + " is not supported");
          }
        }
        ServableModel model = model(request.getModelSpec());
        SignatureDefMap defs = SignatureDefMap.newBuilder().putAllSignatureDef(model.signatures()).build();
        return GetModelMetadataResponse.newBuilder().setModelSpec(spec(request.getModelSpec(), model))
            .putMetadata(SIGNATURE_DEF, Any.pack(defs)).build();
      });
    }
  }

  private final class Models extends ModelServiceGrpc.ModelServiceImplBase {
    /** TF Serving's config reload: the new configuration replaces the old one; the answer carries its status. */
    @Override
    public void handleReloadConfigRequest(ReloadConfigRequest request, StreamObserver<ReloadConfigResponse> reply) {
      answer(reply, "HandleReloadConfigRequest", null, () -> {
        if (!request.getConfig().hasModelConfigList()) {
          throw new InvalidInput("ServerModelConfig type not supported by HandleReloadConfigRequest."
              + " Only ModelConfigList is currently supported");
        }
        repository.replaceSource(ModelSource.fixed(request.getConfig()));
        return ReloadConfigResponse.newBuilder().setStatus(StatusProto.newBuilder().setErrorCode(Code.OK)).build();
      });
    }

    @Override
    public void getModelStatus(GetModelStatusRequest request, StreamObserver<GetModelStatusResponse> reply) {
      answer(reply, "GetModelStatus", request.getModelSpec().getName(), () -> {
        ModelSpec spec = requireSpec(request.hasModelSpec() ? request.getModelSpec() : null);
        Long wanted = spec.hasVersion() ? Long.valueOf(spec.getVersion().getValue())
            : spec.hasVersionLabel() ? Long.valueOf(repository.versionOfLabel(spec.getName(), spec.getVersionLabel())) : null;
        List<ModelRepository.Version> versions = repository.versions(spec.getName());
        if (versions.isEmpty()) {
          throw new ModelRepository.NotFound("Could not find any versions of model " + spec.getName());
        }
        GetModelStatusResponse.Builder out = GetModelStatusResponse.newBuilder();
        for (ModelRepository.Version v : versions) {
          if (wanted == null || wanted == v.number()) {
            out.addModelVersionStatus(ModelVersionStatus.newBuilder().setVersion(v.number())
                .setState(ModelVersionStatus.State.valueOf(v.state()))
                .setStatus(StatusProto.newBuilder().setErrorCode(v.error() == null ? Code.OK : Code.UNKNOWN)
                    .setErrorMessage(v.error() == null ? "" : v.error())));
          }
        }
        if (out.getModelVersionStatusCount() == 0) {
          throw new ModelRepository.NotFound("Could not find version " + wanted + " of model " + spec.getName());
        }
        return out.build();
      });
    }
  }

  private static ModelSpec requireSpec(ModelSpec spec) {
    if (spec == null || spec.getName().isEmpty()) {
      throw new InvalidInput("Missing ModelSpec");
    }
    return spec;
  }

  private ServableModel model(ModelSpec spec) {
    requireSpec(spec);
    Long version = spec.hasVersion() ? Long.valueOf(spec.getVersion().getValue())
        : spec.hasVersionLabel() ? Long.valueOf(repository.versionOfLabel(spec.getName(), spec.getVersionLabel())) : null;
    return repository.get(spec.getName(), version);
  }

  /** The servable that answered: its name, version and the signature used. */
  private static ModelSpec spec(ModelSpec asked, ServableModel model) {
    return ModelSpec.newBuilder().setName(asked.getName()).setVersion(Int64Value.of(model.version()))
        .setSignatureName(asked.getSignatureName().isEmpty() ? ServableModel.DEFAULT_SIGNATURE : asked.getSignatureName())
        .build();
  }

  /** Runs a call and maps our exceptions to TF Serving's status codes; anything else is INTERNAL, logged. */
  private <T> void answer(StreamObserver<T> reply, String api, String model, Supplier<T> call) {
    long start = System.nanoTime();
    Status status = Status.OK;
    T result = null;
    try {
      result = call.get();
    } catch (ModelRepository.NotFound e) {
      status = error(Status.NOT_FOUND, e);
    } catch (ServableModel.MissingSignature | ModelRepository.LabelUnavailable e) {
      status = error(Status.FAILED_PRECONDITION, e);
    } catch (RequestBatcher.QueueFull e) {
      status = error(Status.UNAVAILABLE, e);
    } catch (InvalidInput | IllegalArgumentException e) {
      status = error(Status.INVALID_ARGUMENT, e);
    } catch (RuntimeException e) {
      LOG.error("gRPC call failed", e);
      status = error(Status.INTERNAL, e);
    }
    if (metrics != null) {
      metrics.record(model, api, "GRPC", status.getCode().name(), System.nanoTime() - start);
    }
    if (status.isOk()) {
      reply.onNext(result);
      reply.onCompleted();
    } else {
      reply.onError(status.asRuntimeException());
    }
  }

  private static Status error(Status status, RuntimeException e) {
    return status.withDescription(e.getMessage());
  }
}
