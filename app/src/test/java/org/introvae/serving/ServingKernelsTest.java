package org.introvae.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.introvae.model.TensorFlowRuntime;
import org.introvae.testing.ChildJvm;
import org.introvae.testkit.GenericSavedModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Serve runs models with oneDNN's kernels on Intel CPUs and TensorFlow's own elsewhere (the faster for
 * inference where each was measured) unless the user's TF_ENABLE_ONEDNN_OPTS says otherwise. TensorFlow
 * says at start-up when oneDNN's operations are on, in its native log (TF_CPP_MIN_LOG_LEVEL 0).
 */
class ServingKernelsTest {
  private static final String ONEDNN_ON = "oneDNN custom operations are on";

  @TempDir
  static Path root;

  @BeforeAll
  static void model() throws Exception {
    GenericSavedModel.write(root.resolve("generic"), 1);
  }

  private static String nativeLogOfServe(Map<String, String> env) throws Exception {
    try (ChildJvm serve = ChildJvm.start("Serve", List.of("--models", root.toString(), "--port", "-1",
        "--rest_api_port", "0"), env, List.of("TF_ENABLE_ONEDNN_OPTS"))) {
      assertTrue(serve.awaitLine("serving ", 120), serve.out() + serve.err());
      return serve.err();
    }
  }

  @Test
  void serve_picks_the_kernels_by_cpu_vendor_unless_the_user_asks() throws Exception {
    String byDefault = nativeLogOfServe(Map.of("TF_CPP_MIN_LOG_LEVEL", "0"));
    assertTrue(byDefault.contains("SavedModel load"), "TensorFlow's native log was not captured: " + byDefault);
    assertEquals(TensorFlowRuntime.oneDnnForInference(TensorFlowRuntime.cpuVendor()), byDefault.contains(ONEDNN_ON), byDefault);
    String asked = nativeLogOfServe(Map.of("TF_CPP_MIN_LOG_LEVEL", "0", "TF_ENABLE_ONEDNN_OPTS", "1"));
    assertTrue(asked.contains(ONEDNN_ON), asked);
    String refused = nativeLogOfServe(Map.of("TF_CPP_MIN_LOG_LEVEL", "0", "TF_ENABLE_ONEDNN_OPTS", "0"));
    assertFalse(refused.contains(ONEDNN_ON), refused);
  }

  @Test
  void onednn_serves_on_intel_cpus_only() {
    assertTrue(TensorFlowRuntime.oneDnnForInference("GenuineIntel"));
    assertFalse(TensorFlowRuntime.oneDnnForInference("AuthenticAMD"));
    assertFalse(TensorFlowRuntime.oneDnnForInference(null));
    String vendor = TensorFlowRuntime.cpuVendor();
    assertTrue(vendor == null || !vendor.isBlank(), "vendor_id read as blank");
  }
}
