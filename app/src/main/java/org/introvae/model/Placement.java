package org.introvae.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;

/**
 * Where a training step runs: on the CPU or a GPU, as one replica or as {@code replicas} copies of the
 * step on consecutive devices ({@code first}, {@code first + 1}, …), each over its shard of the batch
 * (in-graph data parallelism).
 *
 * <p>Each replica's ops are named under {@code replica_<i>/} and pinned to its device. TensorFlow's
 * gradient builder (Graph.addGradients, the C API's TF_AddGradientsWithPrefix) gives the backward ops it
 * adds no device, so the placer would put every replica's backward pass on the default device;
 * {@link #placed(Graph)} therefore re-imports the built graph with each unpinned op under
 * {@code replica_<i>/} pinned to replica i's device. Variables, optimizer updates and the averaging of
 * the replicas' gradients stay unpinned: TensorFlow puts them on its default device (the first GPU when
 * there is one). Soft placement lets a GPU placement run on a machine without a GPU, on the CPU.
 *
 * <p>Across a {@link Cluster}, replica i runs on task i's device {@code kind:first}
 * ({@code /job:worker/replica:0/task:i/device:CPU:0}), the variables, updates and averaging are pinned
 * to the chief (task 0), and the session's master is the chief's TensorFlow server.
 */
public record Placement(Kind kind, int first, int replicas, Cluster cluster) {
  public enum Kind { CPU, GPU }

  /** One replica on the CPU, ops unpinned: the graph exactly as before devices were configurable. */
  public static final Placement CPU = new Placement(Kind.CPU, 0, 1);

  /** {@code replicas} on this process's devices. */
  public Placement(Kind kind, int first, int replicas) {
    this(kind, first, replicas, null);
  }

  public Placement {
    if (cluster != null && cluster.size() != replicas) {
      throw new IllegalArgumentException("a cluster of " + cluster.size() + " workers runs " + cluster.size()
          + " replicas, not " + replicas);
    }
    if (first < 0) {
      throw new IllegalArgumentException("device index must be ≥ 0, not " + first);
    }
    if (replicas < 1) {
      throw new IllegalArgumentException("replicas must be ≥ 1, not " + replicas);
    }
  }

  /** {@code cpu}, {@code gpu} (the first GPU) or {@code gpu:N}; a bad text is an IllegalArgumentException. */
  public static Placement parse(String device, int replicas) {
    String d = device.trim().toLowerCase(Locale.ROOT);
    if (d.equals("cpu")) {
      return new Placement(Kind.CPU, 0, replicas);
    }
    if (d.equals("gpu")) {
      return new Placement(Kind.GPU, 0, replicas);
    }
    if (d.startsWith("gpu:")) {
      try {
        return new Placement(Kind.GPU, Integer.parseInt(d.substring(4)), replicas);
      } catch (NumberFormatException e) {
        // fall through to the complaint
      }
    }
    throw new IllegalArgumentException("'" + device + "' is not cpu, gpu or gpu:N");
  }

  /** One replica on each of {@code cluster}'s workers, on this placement's device kind and index. */
  public Placement across(Cluster cluster) {
    return new Placement(kind, first, cluster.size(), cluster);
  }

  /** The device option's text: cpu, gpu:N. */
  public String device() {
    return kind == Kind.CPU ? "cpu" : "gpu:" + first;
  }

  /** Whether ops are pinned to devices (several replicas, or any GPU). */
  public boolean pinned() {
    return replicas > 1 || kind == Kind.GPU || cluster != null;
  }

  /** TensorFlow's name of replica {@code i}'s device. */
  public String deviceName(int replica) {
    return cluster == null ? "/device:" + kind + ":" + (first + replica)
        : Cluster.taskName(replica) + "/device:" + kind + ":" + first;
  }

  /** {@code tf} building replica {@code i}'s ops: under its name scope, on its device (unchanged when not pinned). */
  public Ops on(Ops tf, int replica) {
    if (!pinned()) {
      return tf;
    }
    DeviceSpec.Builder spec = DeviceSpec.newBuilder()
        .deviceType(kind == Kind.CPU ? DeviceSpec.DeviceType.CPU : DeviceSpec.DeviceType.GPU);
    if (cluster == null) {
      spec.deviceIndex(first + replica);
    } else {
      spec.job(Cluster.JOB).replica(0).task(replica).deviceIndex(first);
    }
    return tf.withSubScope(scope(replica)).withDevice(spec.build());
  }

  /** A gradient prefix for replica {@code i}: its name scope when pinned, so {@link #placed} pins its ops. */
  public String name(int replica, String name) {
    return pinned() ? scope(replica) + "/" + name : name;
  }

  /**
   * The session settings placement needs: soft placement (a GPU placement on a machine without one runs on
   * the CPU, as do ops without a GPU kernel) and, for CPU replicas, that many CPU devices.
   */
  public ConfigProto.Builder configure(ConfigProto.Builder config) {
    config.setAllowSoftPlacement(true);
    if (kind == Kind.CPU && replicas > 1 && cluster == null) {
      config.putDeviceCount("CPU", first + replicas);
    }
    return config;
  }

  /**
   * {@code built} itself when nothing is pinned; else a copy whose replicas' backward ops are pinned too,
   * and across a cluster the shared ops (variables, updates, averaging) to the chief.
   */
  Graph placed(Graph built) {
    return pinned() ? placedCopy(built) : built;
  }

  private Graph placedCopy(Graph built) {
    GraphDef.Builder def = built.toGraphDef().toBuilder();
    for (NodeDef.Builder node : def.getNodeBuilderList()) {
      if (node.getDevice().isEmpty()) {
        for (int i = 0; i < replicas; i++) {
          if (node.getName().startsWith(scope(i) + "/")) {
            node.setDevice(deviceName(i));
          }
        }
        if (cluster != null && node.getDevice().isEmpty()) {
          node.setDevice(Cluster.taskName(0));
        }
      }
    }
    Graph placed = new Graph();
    placed.importGraphDef(def.build());
    return placed;
  }

  /**
   * The devices the replicas really run on under {@code config}: one small op per replica, placed as the
   * step's ops are, run once with tracing. Soft placement moves a GPU op to the CPU when no GPU is
   * visible; this is how a run finds out, and says so.
   */
  public List<String> resolve(ConfigProto config) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.withName("probe_input").placeholder(TFloat32.class);
      List<String> names = new ArrayList<>();
      for (int i = 0; i < replicas; i++) {
        names.add(on(tf, i).withName("probe_" + i).math.add(x, x).op().name());
      }
      try (Graph placedGraph = placedCopy(g); Session s = session(placedGraph, config);
          TFloat32 one = TFloat32.scalarOf(1f)) {
        Session.Runner r = s.runner().feed("probe_input", one)
            .setOptions(RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build());
        names.forEach(r::fetch);
        Map<String, String> ran = new HashMap<>();
        try (Result result = r.runAndFetchMetadata()) {
          for (DeviceStepStats d : result.getMetadata().orElseThrow().getStepStats().getDevStatsList()) {
            String device = cluster != null ? d.getDevice()
                : d.getDevice().substring(Math.max(0, d.getDevice().lastIndexOf("/device:")));
            d.getNodeStatsList().forEach(n -> ran.put(n.getNodeName(), device));
          }
        }
        return names.stream().map(n -> ran.getOrDefault(n, "an unreported device")).toList();
      }
    }
  }

  /** A session on {@code graph} configured for this placement: in this process, or mastered by the chief's server. */
  public Session session(Graph graph, ConfigProto config) {
    ConfigProto configured = configure(config.toBuilder()).build();
    return cluster == null ? new Session(graph, configured) : cluster.session(graph, configured);
  }

  private static String scope(int replica) {
    return "replica_" + replica;
  }

  @Override
  public String toString() {
    return cluster != null ? replicas + " replicas on " + device() + " of " + cluster
        : replicas == 1 ? device() : replicas + " replicas on " + deviceName(0) + "…" + deviceName(replicas - 1);
  }
}
