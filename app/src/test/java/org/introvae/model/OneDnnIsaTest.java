package org.introvae.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;

/**
 * ONEDNN_MAX_CPU_ISA caps the instruction set of TF Java's oneDNN kernels (how CI and users reproduce
 * an AVX2-only or older CPU on a newer one): a child JVM with the cap and oneDNN's verbose log runs a
 * convolution, and the log names the capped ISA and a kernel built for it.
 */
class OneDnnIsaTest {
  /** The child's program: one 3×3 convolution. */
  public static final class Probe {
    public static void main(String[] args) {
      TensorFlowRuntime.prepare();
      try (Graph g = new Graph(); Session s = new Session(g)) {
        Ops tf = Ops.create(g);
        var x = tf.random.statelessRandomNormal(tf.constant(new long[] {8, 16, 16, 32}), tf.constant(new long[] {1, 2}));
        var k = tf.random.statelessRandomNormal(tf.constant(new long[] {3, 3, 32, 32}), tf.constant(new long[] {3, 4}));
        try (Result r = s.runner().fetch(tf.nn.conv2d(x, k, List.of(1L, 1L, 1L, 1L), "SAME")).run()) {
          System.out.println("ran " + r.get(0).shape());
        }
      }
    }
  }

  private static String run(String isa) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Probe.class.getName()).redirectErrorStream(true);
    pb.environment().put("ONEDNN_MAX_CPU_ISA", isa);
    pb.environment().put("ONEDNN_VERBOSE", "1");
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), output);
    return output;
  }

  @Test
  void the_instruction_set_cap_reaches_tensorflow_javas_onednn() throws Exception {
    String sse41 = run("SSE41");
    assertTrue(sse41.contains("isa:Intel SSE4.1"), sse41);
    assertTrue(sse41.lines().anyMatch(l -> l.contains(",convolution,") && l.contains("sse41")), sse41);
    if (java.nio.file.Files.readString(Path.of("/proc/cpuinfo")).contains(" avx2")) { // a cap cannot raise the ISA
      String avx2 = run("AVX2");
      assertTrue(avx2.contains("isa:Intel AVX2"), avx2);
      assertTrue(avx2.lines().anyMatch(l -> l.contains(",convolution,") && l.contains("avx2")), avx2);
    }
  }
}
