package org.introvae.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
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
   * As {@link #prepare}, but for a process that only runs models: oneDNN's kernels are on only where they
   * were measured faster for inference, unless the user chose (TF_ENABLE_ONEDNN_OPTS). See
   * {@link #oneDnnForInference}.
   */
  public static synchronized void prepareForServing() {
    if (!prepared) {
      setIfAbsent("TF_ENABLE_ONEDNN_OPTS", oneDnnForInference(cpuVendor()) ? "1" : "0");
    }
    prepare();
  }

  /**
   * Whether oneDNN's kernels serve faster than TensorFlow's own on a CPU of this vendor
   * ({@code vendor_id} in /proc/cpuinfo), measured with {@code tools/benchmark-serving.sh}: on an
   * AVX-512 AMD EPYC the inference graphs ran ~1.7× slower with them (decode at batch 16: 29.3 ms
   * against 15.6 ms), on an AVX-512 Intel Xeon (AMX) faster (decode at batch 64 17–18 ms against
   * 20–21 ms; the server's batch-1 decodes ~15 % more requests/s). Unknown vendors keep them off.
   */
  public static boolean oneDnnForInference(String vendor) {
    return "GenuineIntel".equals(vendor);
  }

  /** The CPU's vendor_id from /proc/cpuinfo, or null where it cannot be read. */
  public static String cpuVendor() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      return lines.filter(l -> l.startsWith("vendor_id")).findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(null);
    } catch (IOException | UncheckedIOException e) {
      return null;
    }
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
