package org.introvae.train;

import org.introvae.testing.ChildJvm;
import org.introvae.testing.TrainCli;
import org.introvae.testing.TrainCli.Outcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Train across two worker tasks on 127.0.0.1, each its own JVM as on two machines: the losses are those
 * of one process with the combined batch, a worker killed mid-run ends the run with one line naming it,
 * and --resume continues from the last checkpoint once the worker is back.
 */
class ClusterRunTest {
  /**
   * Same model, same batch, the same two shards, on two tasks instead of two devices of one process; only
   * the order of float32 sums may differ (see ReplicaTest), over 10 steps of a diverging-free VAE warm-up
   * and adversarial phase: 1e-3 relative.
   */
  private static final double TOLERANCE = 1e-3;

  @TempDir
  Path runs;
  private final List<ChildJvm> processes = new ArrayList<>();

  @AfterEach
  void stopWorkers() {
    processes.forEach(ChildJvm::close);
  }

  private List<String> args(String... extra) {
    List<String> args = new ArrayList<>(List.of("--runs", runs.toString(), "--widths", "8,16", "--z", "8",
        "--batch", "32", "--vae-epochs", "0", "--log-every", "5", "--image-every", "1000", "--checkpoint-every", "10",
        "--seed", "42", "--threads", "1"));
    args.addAll(Arrays.asList(extra));
    return args;
  }

  private Outcome trainHere(List<String> args) {
    return TrainCli.train(args);
  }

  @Test
  void twoWorkersTrainAsOneProcessWithTheCombinedBatch() throws Exception {
    String cluster = cluster();
    startWorker(cluster);
    Outcome distributed = trainHere(args("--run", "cluster", "--steps", "10", "--cluster", cluster));
    assertEquals(0, distributed.code(), distributed.err());
    assertTrue(distributed.out().contains("/job:worker/replica:0/task:1/device:CPU:0"), distributed.out());
    Outcome local = trainHere(args("--run", "local", "--steps", "10", "--replicas", "2"));
    assertEquals(0, local.code(), local.err());

    List<double[]> a = MetricsLog.read(runs.resolve("cluster/metrics.csv"));
    List<double[]> b = MetricsLog.read(runs.resolve("local/metrics.csv"));
    assertEquals(b.size(), a.size());
    for (int row = 0; row < a.size(); row++) {
      for (int column = 2; column <= 4; column++) {  // L_E, L_G, L_AE
        double expected = b.get(row)[column];
        assertEquals(expected, a.get(row)[column], TOLERANCE * Math.abs(expected), "row " + row + " column " + column);
      }
    }
    assertTrue(processes.get(0).process().waitFor(60, TimeUnit.SECONDS), "the worker stops when the chief's run ends");
    assertEquals(0, processes.get(0).process().exitValue());
    assertTrue(Files.exists(runs.resolve("cluster/images/final.png")), "the chief writes the pictures");
  }

  @Test
  void aKilledWorkerEndsTheRunInOneLineAndResumeContinues() throws Exception {
    String cluster = cluster();
    Process worker = startWorker(cluster);
    ChildJvm chief = ChildJvm.start("Train", args("--run", "killed", "--steps", "100000", "--cluster", cluster));
    processes.add(chief);
    assertTrue(chief.awaitLine("step 20/", 120), "the chief never reached step 20: " + chief.out());

    worker.destroyForcibly().waitFor();
    assertTrue(chief.awaitExit(120), "the chief did not end after losing its worker");
    assertEquals(2, chief.process().exitValue());
    List<String> errors = chief.err().lines().filter(l -> l.startsWith("error:")).toList();
    assertEquals(1, errors.size(), chief.err());
    String port1 = cluster.substring(cluster.lastIndexOf(':') + 1);
    assertTrue(errors.get(0).contains("worker task 1 (127.0.0.1:" + port1 + ") stopped answering"), errors.get(0));
    assertTrue(errors.get(0).contains("--resume"), errors.get(0));

    String latest = Files.readString(runs.resolve("killed/checkpoints/latest")).trim();
    long saved = Long.parseLong(latest.substring("step-".length()));
    assertTrue(saved >= 10, latest);
    startWorker(cluster);
    Outcome resumed = trainHere(List.of("--runs", runs.toString(), "--run", "killed", "--resume", "--cluster", cluster,
        "--steps", String.valueOf(saved + 10)));
    assertEquals(0, resumed.code(), resumed.err());
    assertTrue(resumed.out().contains("resumed from") && resumed.out().contains("(step " + saved + ")"), resumed.out());
    List<double[]> rows = MetricsLog.read(runs.resolve("killed/metrics.csv"));
    assertEquals(saved + 10, (long) rows.get(rows.size() - 1)[0]);
  }

  private Process startWorker(String cluster) throws IOException {
    ChildJvm worker = ChildJvm.start("Train", List.of("--cluster", cluster, "--task", "1", "--threads", "1"));
    processes.add(worker);
    return worker.process();
  }

  private static String cluster() throws IOException {
    return "worker=127.0.0.1:" + freePort() + ",127.0.0.1:" + freePort();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
