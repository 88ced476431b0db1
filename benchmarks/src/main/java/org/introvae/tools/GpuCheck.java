package org.introvae.tools;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_CloseSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteDeviceList;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListCount;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListMemoryBytes;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListName;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SessionListDevices;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.introvae.model.CudaLibraries;
import org.introvae.model.IntroVaeObjective;
import org.introvae.model.Placement;
import org.introvae.model.Preset;
import org.introvae.model.TensorFlowRuntime;
import org.introvae.model.TrainingGraph;
import org.introvae.model.TrainingSession;
import org.introvae.model.UpdateOrder;
import org.tensorflow.TensorFlow;
import org.tensorflow.internal.c_api.TF_DeviceList;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;

/**
 * What a GPU install looks like to this program (tools/gpu-check.sh runs it, then trains): the CUDA
 * libraries loaded from JavaCPP's redistributable jars and whether each library TensorFlow's GPU build
 * opens is mapped, the devices TensorFlow sees, and where one step of the given preset (default 32),
 * placed on {@code --device} (default gpu), ran its ops.
 * Usage: GpuCheck [preset] [device]
 */
public final class GpuCheck {
  private GpuCheck() {}

  public static void main(String[] args) throws IOException {
    TensorFlowRuntime.prepare();
    Preset preset = Preset.byName(args.length > 0 ? args[0] : "32");
    Placement placement = Placement.parse(args.length > 1 ? args[1] : "gpu", 1);
    System.out.println("TensorFlow " + TensorFlow.version());

    CudaLibraries.Report cuda = CudaLibraries.report();
    if (!cuda.present()) {
      System.out.println("CUDA libraries: none on the classpath (the CPU build; build with -Pgpu)");
    } else {
      System.out.println("CUDA libraries loaded from JavaCPP's redistributable jar: " + String.join(", ", cuda.loaded()));
      cuda.failures().forEach(f -> System.out.println("  could not load " + f));
    }
    Set<String> mapped = CudaLibraries.mappedLibraries();
    System.out.println("libraries TensorFlow's GPU build opens by soname:");
    for (String soname : CudaLibraries.OPENED_BY_TENSORFLOW) {
      System.out.printf("  %-20s %s%n", soname, mapped.contains(soname) ? "loaded" : "not loaded");
    }
    System.out.printf("  %-20s %s%n", "libcuda.so.1", mapped.contains("libcuda.so.1")
        ? "loaded (the NVIDIA driver)" : "not loaded (the NVIDIA driver's library: no driver, or no GPU used yet)");

    System.out.println("devices TensorFlow sees:");
    devices().forEach((name, bytes) -> System.out.printf("  %s%s%n", name,
        bytes > 0 ? String.format(" (%.1f GB)", bytes / 1e9) : ""));

    try (TrainingSession s = TrainingSession.withThreads(new TrainingGraph(preset.config(),
        new IntroVaeObjective(0.25f, 4f, 120f), UpdateOrder.ALTERNATING, 2e-4f, 8, 1, placement), 0)) {
      s.initialize();
      System.out.println("step placed on " + placement.device() + ": ran on " + s.devices());
      float[] images = new float[8 * preset.config().imageSize() * preset.config().imageSize()
          * preset.config().imageChannels()];
      RunMetadata m = s.tracedStep(images, 1, 0,
          RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build());
      Map<String, Integer> ops = new TreeMap<>();
      for (DeviceStepStats d : m.getStepStats().getDevStatsList()) {
        ops.merge(d.getDevice(), d.getNodeStatsCount(), Integer::sum);
      }
      System.out.println("ops of one training step (batch 8) per device:");
      ops.forEach((device, n) -> System.out.printf("  %-50s %d%n", device, n));
    }
  }

  /** Every device a plain session gets, with its memory, from TensorFlow's C API (TF Java's Session has no such call). */
  private static Map<String, Long> devices() {
    Map<String, Long> out = new TreeMap<>();
    TF_Status status = TF_Status.newStatus();
    TF_Graph graph = TF_NewGraph();
    TF_SessionOptions options = TF_NewSessionOptions();
    TF_Session session = TF_NewSession(graph, options, status);
    status.throwExceptionIfNotOK();
    TF_DeviceList list = TF_SessionListDevices(session, status);
    status.throwExceptionIfNotOK();
    for (int i = 0; i < TF_DeviceListCount(list); i++) {
      out.put(TF_DeviceListName(list, i, status).getString(), TF_DeviceListMemoryBytes(list, i, status));
    }
    TF_DeleteDeviceList(list);
    TF_CloseSession(session, status);
    TF_DeleteSession(session, status);
    TF_DeleteSessionOptions(options);
    TF_DeleteGraph(graph);
    status.delete();
    return out;
  }
}
