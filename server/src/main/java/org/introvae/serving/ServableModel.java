package org.introvae.serving;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/**
 * One version of any SavedModel, served as TF Serving serves it: signatures, input and output keys,
 * dtypes and shapes come from its MetaGraphDef, and a request names a signature and feeds its inputs
 * by key. A version exported by this project (assets/introvae.json) also opens as an
 * {@link IntroVaeModel} over the same session, for the PNG endpoints and the page.
 */
final class ServableModel implements AutoCloseable {
  /** TF Serving's key of the signature a request without signature_name uses. */
  static final String DEFAULT_SIGNATURE = Signatures.SERVING_DEFAULT;
  /** Largest tensor a request may feed (elements): 64 M floats, the REST body limit's order. */
  static final long MAX_ELEMENTS = 64L << 20;

  private final Path folder;
  private final long version;
  private final SavedModelBundle bundle;
  private final Map<String, SignatureDef> signatures;
  private final IntroVaeModel introVae;
  /** Null when requests run one by one. */
  private final RequestBatcher batcher;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed;

  private ServableModel(Path folder, long version, SavedModelBundle bundle, RequestBatcher batcher) {
    this.folder = folder;
    this.batcher = batcher;
    this.version = version;
    this.bundle = bundle;
    this.signatures = bundle.metaGraphDef().getSignatureDefMap();
    this.introVae = Files.isRegularFile(folder.resolve("assets").resolve(ModelInfo.ASSET))
        ? IntroVaeModel.over(folder, bundle) : null;
  }

  /**
   * Loads a version folder (tag "serve", as TF Serving) with {@code threads}' session pools;
   * {@code batcher} may be null.
   */
  static ServableModel load(Path versionDir, long version, RequestBatcher batcher, SessionThreads threads) {
    SavedModelBundle bundle;
    try {
      SavedModelBundle.Loader loader = SavedModelBundle.loader(versionDir.toString()).withTags(SavedModelBundle.DEFAULT_TAG);
      org.tensorflow.proto.ConfigProto config = threads.configProto();
      bundle = (config == null ? loader : loader.withConfigProto(config)).load();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(versionDir + ": cannot load the SavedModel (" + IntroVaeModel.firstLine(e.getMessage()) + ")", e);
    }
    try {
      return new ServableModel(versionDir, version, bundle, batcher);
    } catch (RuntimeException e) {
      bundle.close();
      throw e;
    }
  }

  long version() {
    return version;
  }

  Path folder() {
    return folder;
  }

  Map<String, SignatureDef> signatures() {
    return signatures;
  }

  /** This version as an IntroVAE, or null when it is some other SavedModel. */
  IntroVaeModel introVae() {
    return introVae;
  }

  /** The signature a request names (the default one when {@code name} is empty), or FAILED_PRECONDITION. */
  SignatureDef signature(String name) {
    SignatureDef def = signatures.get(name.isEmpty() ? DEFAULT_SIGNATURE : name);
    if (def == null) {
      throw new MissingSignature("Serving signature key \"" + (name.isEmpty() ? DEFAULT_SIGNATURE : name) + "\" not found.");
    }
    return def;
  }

  /** A signature the model does not have: gRPC FAILED_PRECONDITION (TF Serving's status), HTTP 400. */
  static final class MissingSignature extends RuntimeException {
    MissingSignature(String message) {
      super(message);
    }
  }

  /**
   * Runs a signature on inputs given by key and returns the outputs by key (all of them, or those in
   * {@code outputFilter}), checked as TF Serving checks a PredictRequest.
   */
  Map<String, HostTensor> run(String signatureName, Map<String, HostTensor> inputs, Collection<String> outputFilter) {
    SignatureDef def = signature(signatureName);
    checkInputs(def, inputs);
    if (introVae != null) {
      checkIntroVaeBatch(inputs);
    }
    List<String> outputs = new ArrayList<>();
    Set<String> seen = new TreeSet<>();
    for (String alias : outputFilter) {
      if (!def.getOutputsMap().containsKey(alias)) {
        throw new InvalidInput("output tensor alias not found in signature: " + alias + " Outputs expected to be in the set {"
            + String.join(",", new TreeSet<>(def.getOutputsMap().keySet())) + "}.");
      }
      if (!seen.add(alias)) {
        throw new InvalidInput("duplicate output tensor alias: " + alias);
      }
      outputs.add(alias);
    }
    if (outputs.isEmpty()) {
      outputs.addAll(new TreeSet<>(def.getOutputsMap().keySet()));
    }
    return batcher != null && batchable(def) ? batcher.run(this, signatureName, inputs, outputs)
        : runNow(signatureName, inputs, outputs);
  }

  /**
   * Whether requests for this signature may be joined along dimension 0: every input declares it of
   * unknown size. An input fixed at size 1 (our exports' image_bytes: one encoded image per call)
   * would be fed a shape its graph refuses.
   */
  static boolean batchable(SignatureDef def) {
    return def.getInputsMap().values().stream().allMatch(info -> info.hasTensorShape()
        && !info.getTensorShape().getUnknownRank() && info.getTensorShape().getDimCount() > 0
        && info.getTensorShape().getDim(0).getSize() == -1);
  }

  /** One session run of a checked request (or of a batch of them). */
  Map<String, HostTensor> runNow(String signatureName, Map<String, HostTensor> inputs, List<String> outputs) {
    SignatureDef def = signature(signatureName);
    List<Tensor> fed = new ArrayList<>();
    lock.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("the model " + folder + " is closed");
      }
      Session.Runner runner = bundle.session().runner();
      for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
        Tensor t = e.getValue().toTensor();
        fed.add(t);
        runner.feed(def.getInputsMap().get(e.getKey()).getName(), t);
      }
      for (String alias : outputs) {
        runner.fetch(def.getOutputsMap().get(alias).getName());
      }
      try (Result result = runner.run()) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (int i = 0; i < outputs.size(); i++) {
          out.put(outputs.get(i), HostTensor.of(result.get(i)));
        }
        return out;
      } catch (TFInvalidArgumentException e) {
        throw new InvalidInput(IntroVaeModel.firstLine(e.getMessage()));
      }
    } finally {
      lock.readLock().unlock();
      fed.forEach(Tensor::close);
    }
  }

  /** The request must feed exactly the signature's inputs; TF Serving's message otherwise. */
  static void checkKeys(SignatureDef def, Set<String> keys) {
    Map<String, TensorInfo> expected = def.getInputsMap();
    if (!expected.keySet().equals(keys)) {
      Set<String> sent = new TreeSet<>(keys);
      Set<String> wanted = new TreeSet<>(expected.keySet());
      Set<String> extra = new TreeSet<>(sent);
      extra.removeAll(wanted);
      Set<String> missing = new TreeSet<>(wanted);
      missing.removeAll(sent);
      throw new InvalidInput("input size does not match signature: " + sent.size() + "!=" + wanted.size() + " len({"
          + String.join(",", sent) + "}) != len({" + String.join(",", wanted) + "}). Sent extra: {"
          + String.join(",", extra) + "}. Missing but required: {" + String.join(",", missing) + "}.");
    }
  }

  /** Keys, dtypes and the shapes' known dimensions against the signature's TensorInfo. */
  static void checkInputs(SignatureDef def, Map<String, HostTensor> inputs) {
    checkKeys(def, inputs.keySet());
    for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
      TensorInfo info = def.getInputsMap().get(e.getKey());
      HostTensor t = e.getValue();
      if (info.getDtype() != t.dtype()) {
        throw new InvalidInput("input '" + e.getKey() + "' must be " + HostTensor.typeName(info.getDtype()) + " but "
            + HostTensor.typeName(t.dtype()) + " is provided");
      }
      TensorShapeProto expected = info.getTensorShape();
      if (expected.getUnknownRank()) {
        continue;
      }
      boolean fits = expected.getDimCount() == t.shape().length;
      for (int d = 0; fits && d < t.shape().length; d++) {
        long size = expected.getDim(d).getSize();
        fits = size < 0 || size == t.shape()[d];
      }
      if (!fits) {
        throw new InvalidInput("input '" + e.getKey() + "' has shape " + java.util.Arrays.toString(t.shape())
            + "; the signature takes " + shapeText(expected) + " (-1: any size)");
      }
    }
  }

  static String shapeText(TensorShapeProto shape) {
    if (shape.getUnknownRank()) {
      return "any shape";
    }
    List<String> dims = new ArrayList<>();
    shape.getDimList().forEach(d -> dims.add(String.valueOf(d.getSize())));
    return "[" + String.join(", ", dims) + "]";
  }

  /**
   * Our exports' activations grow with the batch (and "sample" allocates count images): the loader's
   * limit of {@link IntroVaeModel#MAX_BATCH} rows per call keeps one request from exhausting memory.
   */
  private static void checkIntroVaeBatch(Map<String, HostTensor> inputs) {
    for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
      HostTensor t = e.getValue();
      long rows = t.shape().length > 0 ? t.shape()[0]
          : e.getKey().equals("count") && t.values() instanceof int[] v ? v[0] : 1;
      if (rows < 1 || rows > IntroVaeModel.MAX_BATCH) {
        throw new InvalidInput("input '" + e.getKey() + "': " + (t.shape().length > 0 ? "a batch of " : "a count of ")
            + rows + "; this model takes 1 to " + IntroVaeModel.MAX_BATCH + " per request");
      }
      if (t.values() instanceof byte[][] encoded) {
        checkImages(e.getKey(), encoded);
      }
    }
  }

  /** Encoded images are decoded in the graph: refuse bombs first, as the PNG endpoints do. */
  private static void checkImages(String input, byte[][] encoded) {
    for (byte[] image : encoded) {
      try {
        ImageLimits.checkFileSize(image.length);
        ImageLimits.Size size = ImageLimits.declaredSize(image);
        ImageLimits.checkPixels(size.width(), size.height());
      } catch (java.io.IOException | RuntimeException e) {
        throw new InvalidInput("input '" + input + "': " + (e.getMessage() == null ? "not a readable image" : e.getMessage()));
      }
    }
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        if (introVae != null) {
          introVae.close();
        }
        bundle.close();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }
}
