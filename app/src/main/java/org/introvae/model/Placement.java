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
 */
public record Placement(Kind kind, int first, int replicas) {
  public enum Kind { CPU, GPU }

  /** One replica on the CPU, ops unpinned: the graph exactly as before devices were configurable. */
  public static final Placement CPU = new Placement(Kind.CPU, 0, 1);

  public Placement {
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

  /** The device option's text: cpu, gpu:N. */
  public String device() {
    return kind == Kind.CPU ? "cpu" : "gpu:" + first;
  }

  /** Whether ops are pinned to devices (several replicas, or any GPU). */
  public boolean pinned() {
    return replicas > 1 || kind == Kind.GPU;
  }

  /** TensorFlow's name of replica {@code i}'s device. */
  public String deviceName(int replica) {
    return "/device:" + kind + ":" + (first + replica);
  }

  /** {@code tf} building replica {@code i}'s ops: under its name scope, on its device (unchanged when not pinned). */
  public Ops on(Ops tf, int replica) {
    if (!pinned()) {
      return tf;
    }
    DeviceSpec spec = DeviceSpec.newBuilder()
        .deviceType(kind == Kind.CPU ? DeviceSpec.DeviceType.CPU : DeviceSpec.DeviceType.GPU)
        .deviceIndex(first + replica).build();
    return tf.withSubScope(scope(replica)).withDevice(spec);
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
    if (kind == Kind.CPU && replicas > 1) {
      config.putDeviceCount("CPU", first + replicas);
    }
    return config;
  }

  /** {@code built} itself when nothing is pinned; else a copy whose replicas' backward ops are pinned too. */
  Graph placed(Graph built) {
    if (!pinned()) {
      return built;
    }
    GraphDef.Builder def = built.toGraphDef().toBuilder();
    for (NodeDef.Builder node : def.getNodeBuilderList()) {
      if (node.getDevice().isEmpty()) {
        for (int i = 0; i < replicas; i++) {
          if (node.getName().startsWith(scope(i) + "/")) {
            node.setDevice(deviceName(i));
          }
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
      try (Session s = new Session(placed(g), configure(config.toBuilder()).build());
          TFloat32 one = TFloat32.scalarOf(1f)) {
        Session.Runner r = s.runner().feed("probe_input", one)
            .setOptions(RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build());
        names.forEach(r::fetch);
        Map<String, String> ran = new HashMap<>();
        try (Result result = r.runAndFetchMetadata()) {
          for (DeviceStepStats d : result.getMetadata().orElseThrow().getStepStats().getDevStatsList()) {
            String device = d.getDevice().substring(Math.max(0, d.getDevice().lastIndexOf("/device:")));
            d.getNodeStatsList().forEach(n -> ran.put(n.getNodeName(), device));
          }
        }
        return names.stream().map(n -> ran.getOrDefault(n, "an unreported device")).toList();
      }
    }
  }

  private static String scope(int replica) {
    return "replica_" + replica;
  }

  @Override
  public String toString() {
    return replicas == 1 ? device() : replicas + " replicas on " + deviceName(0) + "…" + deviceName(replicas - 1);
  }
}
