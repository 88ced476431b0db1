package org.introvae.serving;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * The calls a loaded SavedModel answers, shared by the typed models (images, point clouds): one
 * function per signature, concurrent calls, and a close that waits for calls in flight.
 */
final class SignatureCalls implements AutoCloseable {
  private final Path versionDir;
  private final SavedModelBundle bundle;
  private final boolean ownsBundle;
  private final Map<String, SessionFunction> functions = new LinkedHashMap<>();
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed;

  /** Loads {@code versionDir}; a one-line IllegalArgumentException when it is not a SavedModel. */
  static SignatureCalls load(Path versionDir, List<String> required, List<String> optional) {
    SavedModelBundle bundle;
    try {
      bundle = SavedModelBundle.load(versionDir.toString(), SavedModelBundle.DEFAULT_TAG);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(versionDir + ": cannot load the SavedModel (" + e.getMessage() + ")", e);
    }
    try {
      return new SignatureCalls(versionDir, bundle, true, required, optional);
    } catch (RuntimeException e) {
      bundle.close();
      throw e;
    }
  }

  SignatureCalls(Path versionDir, SavedModelBundle bundle, boolean ownsBundle, List<String> required,
      List<String> optional) {
    this.versionDir = versionDir;
    this.bundle = bundle;
    this.ownsBundle = ownsBundle;
    List<String> present = bundle.signatures().stream().map(Signature::key).toList();
    for (String key : required) {
      if (!present.contains(key)) {
        throw new IllegalArgumentException(versionDir + ": the SavedModel lacks signature '" + key + "' (has " + present + ")");
      }
      functions.put(key, bundle.function(key));
    }
    for (String key : optional) {
      if (present.contains(key)) {
        functions.put(key, bundle.function(key));
      }
    }
  }

  boolean has(String signature) {
    return functions.containsKey(signature);
  }

  SavedModelBundle bundle() {
    return bundle;
  }

  /** Runs a signature (taking ownership of the inputs) and returns every output as rows of floats. */
  Map<String, float[][]> run(String signature, Map<String, Tensor> inputs) {
    try {
      lock.readLock().lock();
      try {
        if (closed) {
          throw new IllegalStateException("the model " + versionDir + " is closed");
        }
        SessionFunction f = functions.get(signature);
        if (f == null) {
          throw new IllegalArgumentException("unknown signature '" + signature + "' (have " + functions.keySet() + ")");
        }
        try (Result result = f.call(inputs)) {
          Map<String, float[][]> out = new LinkedHashMap<>();
          for (Map.Entry<String, Tensor> e : result) {
            out.put(e.getKey(), rows((TFloat32) e.getValue()));
          }
          return out;
        }
      } finally {
        lock.readLock().unlock();
      }
    } finally {
      inputs.values().forEach(Tensor::close);
    }
  }

  /** A tensor as rows along its first dimension (a scalar as one row). */
  static float[][] rows(TFloat32 t) {
    long[] shape = t.shape().asArray();
    int n = shape.length == 0 ? 1 : (int) shape[0];
    int per = n == 0 ? 0 : (int) (t.size() / n);
    float[] flat = new float[(int) t.size()];
    t.copyTo(DataBuffers.of(flat, false, false));
    float[][] out = new float[n][per];
    for (int i = 0; i < n; i++) {
      System.arraycopy(flat, i * per, out[i], 0, per);
    }
    return out;
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        if (ownsBundle) {
          bundle.close();
        }
      }
    } finally {
      lock.writeLock().unlock();
    }
  }
}
