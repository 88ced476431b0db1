package org.introvae.model;

import static org.introvae.model.ReplicaTest.assertAllClose;
import static org.introvae.model.ReplicaTest.gradients;
import static org.introvae.model.ReplicaTest.points;
import static org.introvae.model.ReplicaTest.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.proto.ServerDef;

/**
 * TensorFlow's distributed runtime: a cluster of two worker tasks, both servers in this JVM on
 * 127.0.0.1, the chief's session mastered by task 0's server ({@link org.tensorflow.TargetedSession}).
 * The step across the cluster is the step of one process on the combined batch, and each replica's ops
 * really run on its task. Tolerances are {@link ReplicaTest}'s (same reductions, split in two).
 *
 * <p>TensorFlow's gRPC servers cannot be shut down cleanly; each test takes fresh ports, and the servers
 * end with the test JVM.
 */
class ClusterTest {
  private static final ConfigProto ONE_THREAD = TrainingSession.settings(1);

  @BeforeAll
  static void runtime() {
    TensorFlowRuntime.prepare();
  }

  /** The 2-D MLPs (no batch statistics): two workers on one batch take exactly the one-process step. */
  @Test
  void twoWorkersTakeTheOneProcessStep() throws IOException {
    Cluster chief = startedCluster();
    Placement across = Placement.CPU.across(chief);
    int batch = 64;
    float[] batchPoints = points(batch, 7);
    Objective objective = new SoftIntroVaeObjective(1f, 1f, 1f, 1e-8f);
    try (TrainingSession one = new TrainingSession(
            ToyNetworks.trainingGraph(2, objective, UpdateOrder.ALTERNATING, 1e-3f, batch, 5), ONE_THREAD);
        TrainingSession two = new TrainingSession(
            ToyNetworks.trainingGraph(2, objective, UpdateOrder.ALTERNATING, 1e-3f, batch, 5, across), ONE_THREAD)) {
      one.initialize();
      two.initialize();
      assertAllClose("∂L_E/∂θ_E and ∂L_G/∂θ_D", gradients(one, batchPoints, Map.of()),
          gradients(two, batchPoints, Map.of()));
      for (long step = 0; step < 3; step++) {
        assertAllClose("losses of step " + step, List.of(values(one.step(batchPoints, 3, step, 1e-3f, false, true))),
            List.of(values(two.step(batchPoints, 3, step, 1e-3f, false, true))));
      }
      float[] latents = TrainingSession.priorDraws(16, 2, 11);
      assertAllClose("D(z) after three steps", List.of(one.decode(latents)), List.of(two.decode(latents)));
      assertEquals(List.of(Cluster.taskName(0) + "/device:CPU:0", Cluster.taskName(1) + "/device:CPU:0"),
          two.devices());
    }
  }

  /**
   * The convolutional step: across two workers it is the step of two CPU replicas in one process (each
   * replica normalises its own shard, as {@link ReplicaTest} proves against the half batches), and replica
   * 1's forward and backward ops ran on task 1, the variables, averaging and updates on the chief.
   */
  @Test
  void convolutionalStepRunsEachReplicaOnItsTask() throws IOException {
    Cluster chief = startedCluster();
    Objective objective = new IntroVaeObjective(0.5f, 1f, 20f);
    float[] images = TinyGraphs.randomImages(4);
    try (TrainingSession local = new TrainingSession(new TrainingGraph(TinyGraphs.CONFIG, objective,
            UpdateOrder.ALTERNATING, 1e-3f, TinyGraphs.BATCH, 5, new Placement(Placement.Kind.CPU, 0, 2)), ONE_THREAD);
        TrainingSession remote = new TrainingSession(new TrainingGraph(TinyGraphs.CONFIG, objective,
            UpdateOrder.ALTERNATING, 1e-3f, TinyGraphs.BATCH, 5, Placement.CPU.across(chief)), ONE_THREAD)) {
      local.initialize();
      remote.initialize();
      for (long step = 0; step < 2; step++) {
        assertAllClose("losses of step " + step, List.of(values(local.step(images, 3, step, 1e-3f, false, true))),
            List.of(values(remote.step(images, 3, step, 1e-3f, false, true))));
      }
      RunMetadata m = remote.tracedStep(images, 3, 2,
          RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build());
      Map<String, Set<String>> tasks = new HashMap<>();
      for (DeviceStepStats d : m.getStepStats().getDevStatsList()) {
        OptionalInt task = Cluster.taskNamedIn(d.getDevice());
        for (NodeExecStats n : d.getNodeStatsList()) {
          String node = n.getNodeName();
          String kind = node.startsWith("replica_0/") ? "replica 0" : node.startsWith("replica_1/") ? "replica 1"
              : "shared";
          if (remote.graph().operation(node) != null) {  // not a transfer the runtime inserted
            tasks.computeIfAbsent(kind, k -> new TreeSet<>()).add("task " + task.orElse(-1));
          }
        }
      }
      assertEquals(Set.of("task 0"), tasks.get("replica 0"), tasks.toString());
      assertEquals(Set.of("task 1"), tasks.get("replica 1"), tasks.toString());
      assertEquals(Set.of("task 0"), tasks.get("shared"), "variables, averaging, updates: " + tasks);
    }
  }

  /** A worker waits (through the chief's absence) until the chief ends the run by closing the run queue. */
  @Test
  void aWorkerServesUntilTheChiefEndsTheRun() throws Exception {
    Cluster chief = startedCluster();
    Cluster worker = new Cluster(chief.workers(), 1);
    List<String> waits = java.util.Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> worker.awaitRunEnd(ONE_THREAD, waits::add));
    Thread.sleep(1500);
    assertFalse(serving.isDone(), "the worker stopped before the chief ended the run");
    chief.endRun(ONE_THREAD);
    serving.get(60, TimeUnit.SECONDS);
    assertEquals(List.of(), waits, "the chief was up the whole time");
  }

  @Test
  void clusterSpecsParseAsTheOptionSaysThem() {
    Cluster c = Cluster.parse("worker=10.0.0.1:2222, 10.0.0.2:2222", 1);
    assertEquals(List.of("10.0.0.1:2222", "10.0.0.2:2222"), c.workers());
    assertEquals("worker=10.0.0.1:2222,10.0.0.2:2222", c.spec());
    assertFalse(c.chief());
    ServerDef def = c.serverDef(ONE_THREAD);
    assertEquals("worker", def.getJobName());
    assertEquals(1, def.getTaskIndex());
    assertEquals("10.0.0.2:2222", def.getCluster().getJob(0).getTasksMap().get(1));
    assertEquals("grpc", def.getProtocol());
    assertEquals(1, def.getDefaultSessionConfig().getIntraOpParallelismThreads());
    for (String bad : List.of("ps=a:1", "worker=a", "worker=a:x", "worker=a:70000", "worker=a:1,a:1", "worker=:1")) {
      assertThrows(IllegalArgumentException.class, () -> Cluster.parse(bad, 0), bad);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cluster.parse("worker=a:1,b:2", 2));
    assertTrue(e.getMessage().contains("task 2"), e.getMessage());
    assertEquals(OptionalInt.of(3), Cluster.taskNamedIn("Unavailable: from /job:worker/replica:0/task:3: gone"));
    assertEquals(OptionalInt.empty(), Cluster.taskNamedIn("Unavailable: socket closed"));
  }

  /** Two servers on fresh ports of 127.0.0.1, started; the chief's view of them. */
  private static Cluster startedCluster() throws IOException {
    List<String> workers = List.of("127.0.0.1:" + freePort(), "127.0.0.1:" + freePort());
    new Cluster(workers, 1).startServer(ONE_THREAD);
    Cluster chief = new Cluster(workers, 0);
    chief.startServer(ONE_THREAD);
    return chief;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
