package org.introvae.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * In-graph data parallelism on two CPU devices (ConfigProto device_count): the replicated step is the
 * one-device step's math, and each replica's passes, forward and backward, run on its own device.
 *
 * <p>Tolerance: a replicated batch mean is the mean of two half-batch means, summed in another order, so
 * values differ by float32 rounding of reductions over the batch, amplified through a few layers of the
 * backward pass. 64 terms at 2⁻²⁴ each bound a sum's relative error by 4·10⁻⁶; we allow 10⁻⁴ of each
 * tensor's largest magnitude (25× that bound, for the layers it passes). A wrong shard, a missing
 * replica or a sum instead of a mean is off by tens of percent.
 */
class ReplicaTest {
  private static final Placement TWO_CPUS = new Placement(Placement.Kind.CPU, 0, 2);
  private static final float TOLERANCE = 1e-4f;

  @BeforeAll
  static void runtime() {
    TensorFlowRuntime.prepare();
  }

  static Stream<Arguments> objectives() {
    return Stream.of(
        Arguments.of(new IntroVaeObjective(0.5f, 1f, 20f), UpdateOrder.ALTERNATING),
        Arguments.of(new IntroVaeObjective(0.5f, 1f, 20f), UpdateOrder.SIMULTANEOUS),
        Arguments.of(new SoftIntroVaeObjective(1f, 1f, 1f, 1e-8f), UpdateOrder.ALTERNATING),
        Arguments.of(new SoftIntroVaeObjective(1f, 1f, 1f, 1e-8f), UpdateOrder.SIMULTANEOUS),
        Arguments.of(new VaeObjective(1f), UpdateOrder.ALTERNATING));
  }

  /**
   * The 2-D MLPs have no batch statistics, so two replicas on one batch are exactly one device on it:
   * both gradients (the decoder's after the encoder's averaged update, in the alternating order), the
   * step's losses, and the weights after it.
   */
  @ParameterizedTest
  @MethodSource("objectives")
  void twoReplicasTakeTheOneDeviceStep(Objective objective, UpdateOrder order) {
    int batch = 64;
    float[] points = points(batch, 7);
    try (TrainingSession one = session(ToyNetworks.trainingGraph(2, objective, order, 1e-3f, batch, 5));
        TrainingSession two = session(ToyNetworks.trainingGraph(2, objective, order, 1e-3f, batch, 5, TWO_CPUS))) {
      one.initialize();
      two.initialize();
      assertAllClose("∂L_E/∂θ_E and ∂L_G/∂θ_D", gradients(one, points, Map.of()), gradients(two, points, Map.of()));

      StepLosses a = one.step(points, 3, 1, 1e-3f, false, true);
      StepLosses b = two.step(points, 3, 1, 1e-3f, false, true);
      assertAllClose("step losses", List.of(values(a)), List.of(values(b)));

      float[] latents = TrainingSession.priorDraws(16, 2, 11);
      assertAllClose("D(z) after the step", List.of(one.decode(latents)), List.of(two.decode(latents)));
      assertAllClose("E(x) after the step", List.of(one.reconstruct(points, batch).mu()),
          List.of(two.reconstruct(points, batch).mu()));
    }
  }

  /**
   * The convolutional networks normalise each replica's shard with its own statistics: the replicated
   * gradients are the mean of two one-device graphs' gradients on the half batches, each fed the noise
   * its replica drew.
   */
  @Test
  void convolutionalReplicasNormaliseTheirOwnShard() {
    Objective objective = new IntroVaeObjective(0.5f, 1f, 20f);
    int batch = TinyGraphs.BATCH;
    int half = batch / 2;
    float[] images = TinyGraphs.randomImages(4);
    int pixels = images.length / batch;
    try (TrainingSession two = session(new TrainingGraph(TinyGraphs.CONFIG, objective, UpdateOrder.SIMULTANEOUS,
            1e-3f, batch, 5, TWO_CPUS));
        TrainingSession one = session(new TrainingGraph(TinyGraphs.CONFIG, objective, UpdateOrder.SIMULTANEOUS,
            1e-3f, half, 5))) {
      two.initialize();
      one.initialize();
      float[] noise = fetch(two, "noise:0", images);
      int draws = SharedPasses.NOISE_DRAWS;
      int z = TinyGraphs.CONFIG.zDim();
      List<float[]> mean = null;
      for (int shard = 0; shard < 2; shard++) {
        float[] shardNoise = new float[draws * half * z];
        for (int d = 0; d < draws; d++) {
          System.arraycopy(noise, (d * batch + shard * half) * z, shardNoise, d * half * z, half * z);
        }
        float[] shardImages = new float[half * pixels];
        System.arraycopy(images, shard * half * pixels, shardImages, 0, shardImages.length);
        try (TFloat32 fed = TFloat32.tensorOf(Shape.of(draws, half, z), DataBuffers.of(shardNoise, true, false))) {
          List<float[]> g = gradients(one, shardImages, Map.of("noise:0", fed));
          mean = mean == null ? g : sum(mean, g);
        }
      }
      mean.forEach(g -> scale(g, 0.5f));
      assertAllClose("mean of the half batches' gradients", mean, gradients(two, images, Map.of()));
    }
  }

  /**
   * Each replica's forward and backward ops ran on its own device; the gradient ops, which TensorFlow
   * adds without a device, too.
   */
  @Test
  void eachReplicasPassesRunOnItsDevice() {
    try (TrainingSession two = session(new TrainingGraph(TinyGraphs.CONFIG, new IntroVaeObjective(0.5f, 1f, 20f),
        UpdateOrder.ALTERNATING, 1e-3f, TinyGraphs.BATCH, 5, TWO_CPUS))) {
      two.initialize();
      RunMetadata m = two.tracedStep(TinyGraphs.randomImages(1), 1, 0,
          RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build());
      Map<String, Set<String>> devices = new HashMap<>();
      for (DeviceStepStats d : m.getStepStats().getDevStatsList()) {
        String device = d.getDevice().substring(d.getDevice().lastIndexOf("/device:"));
        for (NodeExecStats n : d.getNodeStatsList()) {
          if (two.graph().operation(n.getNodeName()) == null) {
            continue;  // inserted by the runtime to bring a tensor to its consumer's device: runs there
          }
          for (String kind : List.of("replica_0/grad", "replica_1/grad", "replica_0/", "replica_1/")) {
            if (n.getNodeName().startsWith(kind)) {
              devices.computeIfAbsent(kind, k -> new TreeSet<>()).add(device);
              break;
            }
          }
        }
      }
      assertEquals(Set.of("/device:CPU:0"), devices.get("replica_0/grad"), devices.toString());
      assertEquals(Set.of("/device:CPU:1"), devices.get("replica_1/grad"), devices.toString());
      assertEquals(Set.of("/device:CPU:0"), devices.get("replica_0/"), devices.toString());
      assertEquals(Set.of("/device:CPU:1"), devices.get("replica_1/"), devices.toString());
    }
  }

  @Test
  void aBatchThatDoesNotSplitEvenlyIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ToyNetworks.trainingGraph(2,
        new VaeObjective(1f), UpdateOrder.ALTERNATING, 1e-3f, 63, 5, TWO_CPUS).close());
    assertTrue(e.getMessage().contains("63"), e.getMessage());
  }

  @Test
  void devicesParseAsTheOptionSaysThem() {
    assertEquals(new Placement(Placement.Kind.GPU, 1, 2), Placement.parse("gpu:1", 2));
    assertEquals("gpu:0", Placement.parse("GPU", 1).device());
    assertEquals(Placement.CPU, Placement.parse("cpu", 1));
    assertFalse(Placement.CPU.pinned());
    for (String bad : List.of("tpu", "gpu:", "gpu:-1", "gpu:x")) {
      assertThrows(IllegalArgumentException.class, () -> Placement.parse(bad, 1), bad);
    }
  }

  private static TrainingSession session(TrainingGraph g) {
    return TrainingSession.withThreads(g, 1);
  }

  /** ∂L_E/∂θ_E then ∂L_G/∂θ_D of the objective's step (one session call), fetched by name. */
  static List<float[]> gradients(TrainingSession s, float[] batch, Map<String, Tensor> feeds) {
    TrainingGraph g = s.model();
    List<Output<?>> all = new ArrayList<>();
    for (Output<?>[] list : List.of(g.encoderGradients, g.decoderGradients)) {
      for (Output<?> o : list) {
        if (!o.isClosed()) {
          all.add(o);
        }
      }
    }
    try (TFloat32 x = TFloat32.tensorOf(g.x.shape(), DataBuffers.of(batch, true, false));
        TInt64 seed = TInt64.vectorOf(3, 0);
        TFloat32 t = TFloat32.scalarOf(1f)) {
      Session.Runner r = s.session().runner().feed(name(g.x.asOutput()), x).feed(name(g.noiseSeed.asOutput()), seed)
          .feed(name(g.adamStep.asOutput()), t);
      feeds.forEach(r::feed);
      all.forEach(o -> r.fetch(name(o)));
      try (Result result = r.run()) {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < result.size(); i++) {
          out.add(floats((TFloat32) result.get(i)));
        }
        return out;
      }
    }
  }

  private static float[] fetch(TrainingSession s, String name, float[] batch) {
    TrainingGraph g = s.model();
    try (TFloat32 x = TFloat32.tensorOf(g.x.shape(), DataBuffers.of(batch, true, false));
        TInt64 seed = TInt64.vectorOf(3, 0);
        Result r = s.session().runner().feed(name(g.x.asOutput()), x).feed(name(g.noiseSeed.asOutput()), seed)
            .fetch(name).run()) {
      return floats((TFloat32) r.get(0));
    }
  }

  private static String name(Output<?> o) {
    return o.op().name() + ":" + o.index();
  }

  private static float[] floats(TFloat32 t) {
    float[] out = new float[(int) t.size()];
    t.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  static float[] values(StepLosses l) {
    return new float[] {l.lossE(), l.lossG(), l.reconstruction(), l.klReal(), l.klReconstructed(),
        l.klSampled()};
  }

  static float[] points(int n, long seed) {
    Random r = new Random(seed);
    float[] p = new float[n * 2];
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) r.nextGaussian() * 2f;
    }
    return p;
  }

  private static List<float[]> sum(List<float[]> a, List<float[]> b) {
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      float[] s = a.get(i).clone();
      for (int j = 0; j < s.length; j++) {
        s[j] += b.get(i)[j];
      }
      out.add(s);
    }
    return out;
  }

  private static void scale(float[] v, float by) {
    for (int i = 0; i < v.length; i++) {
      v[i] *= by;
    }
  }

  /** Each pair of tensors agrees within {@link #TOLERANCE} of the larger one's largest magnitude. */
  static void assertAllClose(String what, List<float[]> expected, List<float[]> actual) {
    assertEquals(expected.size(), actual.size(), what + ": tensor count");
    for (int i = 0; i < expected.size(); i++) {
      float[] e = expected.get(i);
      float[] a = actual.get(i);
      assertEquals(e.length, a.length, what + " #" + i + ": size");
      float scale = 1e-30f;
      for (int j = 0; j < e.length; j++) {
        scale = Math.max(scale, Math.max(Math.abs(e[j]), Math.abs(a[j])));
      }
      for (int j = 0; j < e.length; j++) {
        if (Float.isNaN(e[j]) && Float.isNaN(a[j])) {
          continue;
        }
        assertEquals(e[j], a[j], TOLERANCE * scale, what + " #" + i + "[" + j + "]");
      }
    }
  }
}
