package org.introvae.model;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.bytedeco.javacpp.Loader;

/**
 * The CUDA and cuDNN libraries of JavaCPP's redistributable build (org.bytedeco:cuda 12.3-8.9-1.5.10 with
 * the linux-x86_64-redist classifier, which the gpu profile adds), loaded before TensorFlow initialises.
 * TensorFlow 1.0.0's GPU build opens them at run time with dlopen() by soname (libcudart.so.12,
 * libcublas.so.12, libcudnn.so.8, …); the dynamic loader hands back a library already loaded under that
 * soname, so a machine needs the NVIDIA driver (libcuda.so.1) and nothing else.
 *
 * <p>Only the libraries are loaded, not JavaCPP's JNI wrappers for them: those link the driver, which a
 * machine without a GPU lacks. With the CPU build the jar is absent and nothing is loaded.
 */
public final class CudaLibraries {
  private static final String FOLDER = "org/bytedeco/cuda/linux-x86_64/";
  /** The sonames TensorFlow 2.16 built for CUDA 12.3 and cuDNN 8.9 opens (its dso_loader's names and versions). */
  public static final List<String> OPENED_BY_TENSORFLOW = List.of("libcudart.so.12", "libcublas.so.12",
      "libcublasLt.so.12", "libcufft.so.11", "libcusolver.so.11", "libcusparse.so.12", "libcudnn.so.8",
      "libnccl.so.2");
  /**
   * What is loaded, each library after those it needs (cuBLAS needs cuBLASLt; cuSPARSE and cuSOLVER
   * nvJitLink; cuSOLVER cuBLAS and cuSPARSE), and cuDNN's sub-libraries, which cuDNN opens by soname too.
   */
  private static final List<String> LOAD_ORDER = List.of("libnvJitLink.so.12", "libcudart.so.12",
      "libcublasLt.so.12", "libcublas.so.12", "libcufft.so.11", "libcusparse.so.12", "libcusolver.so.11",
      "libcudnn_ops_infer.so.8", "libcudnn_ops_train.so.8", "libcudnn_cnn_infer.so.8", "libcudnn_cnn_train.so.8",
      "libcudnn_adv_infer.so.8", "libcudnn_adv_train.so.8", "libcudnn.so.8", "libnccl.so.2");

  /** What {@link #preload} did: whether the jar is there, the libraries loaded, and each failure as one line. */
  public record Report(boolean present, List<String> loaded, List<String> failures) {}

  private static Report report = new Report(false, List.of(), List.of());

  private CudaLibraries() {}

  /** Loads the libraries when the gpu profile put them on the classpath. Called once, before TensorFlow. */
  static synchronized Report preload() {
    ClassLoader classes = CudaLibraries.class.getClassLoader();
    if (classes.getResource(FOLDER + "libcudart.so.12") == null) {
      return report;  // the CPU build
    }
    List<String> loaded = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (String soname : LOAD_ORDER) {
      URL url = classes.getResource(FOLDER + soname);
      try {
        if (url == null) {
          throw new IOException("not in the jar");
        }
        File file = Loader.cacheResource(url);
        System.load(file.getAbsolutePath());
        loaded.add(soname);
      } catch (IOException | UnsatisfiedLinkError e) {
        failures.add(soname + ": " + e.getMessage());
      }
    }
    report = new Report(true, List.copyOf(loaded), List.copyOf(failures));
    return report;
  }

  public static synchronized Report report() {
    return report;
  }

  /** The file names of the shared libraries this process has mapped (from /proc/self/maps). */
  public static TreeSet<String> mappedLibraries() throws IOException {
    TreeSet<String> names = new TreeSet<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
      int slash = line.lastIndexOf('/');
      if (slash >= 0 && line.contains(".so")) {
        names.add(line.substring(slash + 1));
      }
    }
    return names;
  }
}
