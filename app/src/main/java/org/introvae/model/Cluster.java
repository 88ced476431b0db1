package org.introvae.model;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.exceptions.TFOutOfRangeException;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.op.Ops;
import org.tensorflow.op.io.FifoQueue;
import org.tensorflow.op.io.QueueClose;
import org.tensorflow.op.io.QueueDequeue;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;
import org.tensorflow.Graph;
import org.tensorflow.Server;
import org.tensorflow.Session;
import org.tensorflow.TargetedSession;
import org.tensorflow.proto.ClusterDef;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.JobDef;
import org.tensorflow.proto.ServerDef;

/**
 * The machines of a distributed run on TensorFlow's own runtime: one job, {@code worker}, of tasks at
 * {@code host:port}, and which task this process is. Each process starts a TensorFlow server for its
 * task ({@link #startServer}); task 0, the chief, builds the replicated graph with replica i on
 * {@code /job:worker/task:i} and runs it in a session whose master is its own server ({@link #session}),
 * which ships each task its part of the graph over TensorFlow's gRPC runtime.
 */
public record Cluster(List<String> workers, int task) {
  public static final String JOB = "worker";

  public Cluster {
    workers = List.copyOf(workers);
    if (workers.size() < 1) {
      throw new IllegalArgumentException("a cluster needs at least one worker");
    }
    if (task < 0 || task >= workers.size()) {
      throw new IllegalArgumentException("task " + task + " is not one of the " + workers.size()
          + " workers (0…" + (workers.size() - 1) + ")");
    }
  }

  /** {@code worker=host:port,host:port,…} and this process's task index; a bad text is an IllegalArgumentException. */
  public static Cluster parse(String spec, int task) {
    String s = spec.trim();
    if (!s.startsWith(JOB + "=")) {
      throw new IllegalArgumentException("'" + spec + "' must read worker=host:port,host:port,…");
    }
    List<String> workers = new ArrayList<>();
    for (String address : s.substring(JOB.length() + 1).split(",")) {
      String a = address.trim();
      int colon = a.lastIndexOf(':');
      if (colon < 1 || !a.substring(colon + 1).matches("\\d{1,5}")
          || Integer.parseInt(a.substring(colon + 1)) > 65535) {
        throw new IllegalArgumentException("'" + a + "' is not host:port");
      }
      if (workers.contains(a)) {
        throw new IllegalArgumentException(a + " is listed twice");
      }
      workers.add(a);
    }
    return new Cluster(workers, task);
  }

  /** The text {@link #parse} reads. */
  public String spec() {
    return JOB + "=" + String.join(",", workers);
  }

  public boolean chief() {
    return task == 0;
  }

  public int size() {
    return workers.size();
  }

  /** TensorFlow's name of task {@code t}'s job, replica and task (a device prefix). */
  public static String taskName(int t) {
    return "/job:" + JOB + "/replica:0/task:" + t;
  }

  /**
   * The ServerDef of this process's task: the whole cluster, this task's place in it, gRPC, and the
   * settings ({@code config}: threads) its share of the graph runs with.
   */
  public ServerDef serverDef(ConfigProto config) {
    JobDef.Builder job = JobDef.newBuilder().setName(JOB);
    for (int t = 0; t < workers.size(); t++) {
      job.putTasks(t, workers.get(t));
    }
    return ServerDef.newBuilder().setCluster(ClusterDef.newBuilder().addJob(job)).setJobName(JOB)
        .setTaskIndex(task).setProtocol("grpc").setDefaultSessionConfig(config).build();
  }

  /** This task's TensorFlow server, started: it serves its devices to the cluster until the process ends. */
  public Server startServer(ConfigProto config) {
    Server server = new Server(serverDef(config));
    server.start();
    return server;
  }

  /** A session on {@code graph} whose master is this task's server. */
  public Session session(Graph graph, ConfigProto config) {
    return TargetedSession.open(graph, "grpc://" + workers.get(task), config);
  }

  /**
   * For a worker: blocks until the chief ends the run, by closing the run's queue on task 0 (a FIFO queue
   * shared by name, TensorFlow's own way of signalling between sessions). While the chief is unreachable
   * (not started yet, or restarting to resume) this keeps waiting, reporting through {@code waiting}.
   */
  public void awaitRunEnd(ConfigProto config, Consumer<String> waiting) {
    while (true) {
      try (Graph g = new Graph()) {
        Ops tf = Ops.create(g);
        QueueDequeue dequeue = tf.io.queueDequeue(runQueue(tf), List.of(TInt32.class));
        try (Session s = session(g, filtered(config)); Result r = s.runner().fetch(dequeue.components().get(0)).run()) {
          return;  // nobody enqueues, but an element is an end as good as a close
        } catch (TFOutOfRangeException closed) {
          return;
        } catch (TensorFlowException unreachable) {
          waiting.accept(oneLine(unreachable.getMessage()));
          sleep();
        }
      }
    }
  }

  /** For the chief: ends every worker's {@link #awaitRunEnd}. */
  public void endRun(ConfigProto config) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      QueueClose close = tf.io.queueClose(runQueue(tf));
      try (Session s = session(g, filtered(config))) {
        s.run(close);
      }
    }
  }

  /** The task a TensorFlow error names ({@code /job:worker/replica:0/task:N}), if it names one. */
  public static java.util.OptionalInt taskNamedIn(String message) {
    Matcher m = TASK.matcher(message == null ? "" : message);
    return m.find() ? java.util.OptionalInt.of(Integer.parseInt(m.group(1))) : java.util.OptionalInt.empty();
  }

  private static final Pattern TASK = Pattern.compile("/job:" + JOB + "/replica:\\d+/task:(\\d+)");

  /** The first line of an error's message (TensorFlow's run on over several lines), or "". */
  public static String firstLine(Throwable e) {
    return e.getMessage() == null ? "" : e.getMessage().strip().lines().findFirst().orElse("");
  }

  /** TensorFlow's message on one line ("From /job:…:" and the cause are on separate lines), at most 200 characters. */
  private static String oneLine(String message) {
    String m = message == null ? "" : message.strip().replaceAll("\\s+", " ");
    return m.length() <= 200 ? m : m.substring(0, 197) + "...";
  }

  private static Operand<? extends TType> runQueue(Ops tf) {
    return tf.withDevice(DeviceSpec.newBuilder().job(JOB).replica(0).task(0)
            .deviceType(DeviceSpec.DeviceType.CPU).deviceIndex(0).build())
        .withName("run_queue").io.fifoQueue(List.of(TInt32.class), FifoQueue.sharedName("introvae_run"));
  }

  /** {@code config} for a session that needs only the chief and this task (the others may be down). */
  private ConfigProto filtered(ConfigProto config) {
    ConfigProto.Builder b = config.toBuilder().clearDeviceFilters().addDeviceFilters(taskName(0));
    if (task != 0) {
      b.addDeviceFilters(taskName(task));
    }
    return b.build();
  }

  private static void sleep() {
    try {
      Thread.sleep(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the chief", e);
    }
  }

  @Override
  public String toString() {
    return workers.size() + " worker(s) " + String.join(", ", workers) + ", this is task " + task;
  }
}
