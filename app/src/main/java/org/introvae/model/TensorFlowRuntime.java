package org.introvae.model;

import org.bytedeco.systems.global.linux;

/**
 * Prepares the process environment before TensorFlow's native library reads it.
 *
 * <p>TensorFlow reads TF_ENABLE_ONEDNN_OPTS and TF_CPP_MIN_LOG_LEVEL once, from the C environment,
 * when it first initialises. Under {@code mvn exec:java} the program runs inside Maven's JVM, so the
 * only way to have the fast oneDNN kernels and quiet logs "as written" is to setenv() them here,
 * before any TensorFlow class touches the native library. Values the user exported win. With the gpu
 * profile, the CUDA libraries are loaded here too ({@link CudaLibraries}), before TensorFlow looks for them.
 */
public final class TensorFlowRuntime {
  private static boolean prepared;

  private TensorFlowRuntime() {}

  /** Call before creating the first Graph or Tensor. Idempotent. */
  public static synchronized void prepare() {
    if (prepared) {
      return;
    }
    setIfAbsent("TF_ENABLE_ONEDNN_OPTS", "1");
    setIfAbsent("TF_CPP_MIN_LOG_LEVEL", "2");
    CudaLibraries.preload();
    prepared = true;
  }

  /**
   * As {@link #prepare}, but with oneDNN's kernels off unless the user chose (TF_ENABLE_ONEDNN_OPTS),
   * for a process that only runs models. Measured on an AVX-512 EPYC (`tools/benchmark-serving.sh`):
   * oneDNN makes a training step ~1.5× faster but the inference graphs ~1.7× slower (decode at batch
   * 16: 15.6 ms without, 29.3 ms with); on CPUs without AVX-512 VNNI off is TensorFlow's own default.
   */
  public static synchronized void prepareForServing() {
    if (!prepared) {
      setIfAbsent("TF_ENABLE_ONEDNN_OPTS", "0");
    }
    prepare();
  }

  /**
   * Lets TensorFlow's native log through (devices, oneDNN, placement: TF_CPP_MIN_LOG_LEVEL 0) unless
   * the user chose a level. Call before {@link #prepare}, that is, before TensorFlow initialises.
   */
  public static synchronized void verbose() {
    if (prepared) {
      throw new IllegalStateException("TensorFlow's log level is read when it initialises; set it before");
    }
    setIfAbsent("TF_CPP_MIN_LOG_LEVEL", "0");
  }

  /** Whether oneDNN kernels were requested for this process (by the user or by {@link #prepare}). */
  public static boolean oneDnnRequested() {
    prepare();
    return "1".equals(nativeGetenv("TF_ENABLE_ONEDNN_OPTS"));
  }

  private static void setIfAbsent(String name, String value) {
    if (System.getenv(name) == null && nativeGetenv(name) == null) {
      linux.setenv(name, value, 0);
    }
  }

  private static String nativeGetenv(String name) {
    java.nio.ByteBuffer value = linux.getenv(name);
    if (value == null) {
      return null;
    }
    org.bytedeco.javacpp.BytePointer p = new org.bytedeco.javacpp.BytePointer(value);
    return p.getString();
  }
}
