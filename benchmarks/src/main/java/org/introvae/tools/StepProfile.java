package org.introvae.tools;

import org.introvae.model.TrainingSession;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;

/**
 * Where a training step's time goes: TF's step stats (RunOptions FULL_TRACE) summed per op type over
 * traced steps after warm-up, with how often each op type ran per step. The op types are the kernels
 * that actually ran after grappler's rewrites (e.g. oneDNN's fused convolutions), so the counts also
 * show whether duplicate passes were merged.
 * Usage: StepProfile [preset] [batch] [objective] [traced steps] [--intra N] [--inter N] [--xla]
 */
public final class StepProfile {
  private record Cost(long count, long micros, long flops) {
    Cost plus(Cost other) {
      return new Cost(count + other.count, micros + other.micros, flops + other.flops);
    }
  }

  public static void main(String[] args) {
    BenchmarkCase c = BenchmarkCase.parse(args, 2);
    int traced = c.intArg(1, 3);
    System.out.println(c.describe());
    RunOptions trace = RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();
    Map<String, Cost> byType = new TreeMap<>();
    Map<String, Cost> byNode = new java.util.HashMap<>();
    float[] x = c.images();
    try (TrainingSession session = c.session()) {
      for (int step = 0; step < 2; step++) {
        c.step(session, x, step);
      }
      long start = System.nanoTime();
      for (int step = 2; step < 2 + traced; step++) {
        RunMetadata metadata = session.tracedStep(x, 1, step, trace);
        for (DeviceStepStats device : metadata.getStepStats().getDevStatsList()) {
          for (NodeExecStats node : device.getNodeStatsList()) {
            String type = opType(node);
            Cost cost = new Cost(1, node.getAllEndRelMicros(), KernelFlops.of(session.graph(), node.getNodeName(), type));
            byType.merge(type, cost, Cost::plus);
            byNode.merge(type + " " + node.getNodeName(), cost, Cost::plus);
          }
        }
      }
      double wall = (System.nanoTime() - start) / 1e6 / traced;
      print(byType, traced, wall);
      System.out.printf("%nslowest single nodes:%n");
      byNode.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue().micros(), a.getValue().micros())).limit(12)
          .forEach(e -> System.out.printf("  %8.1f ms/step %8s GFLOP/s  %s%n", e.getValue().micros() / 1e3 / traced,
              e.getValue().flops() == 0 ? "" : String.format("%.1f", e.getValue().flops() / 1e3 / e.getValue().micros()),
              e.getKey()));
      long kernelFlops = byType.values().stream().mapToLong(Cost::flops).sum() / traced;
      FlopCount.Passes passes = FlopCount.passes(c.objectiveName, c.order);
      System.out.printf("convolution and matrix-product kernels that ran: %.1f MFLOP per image; analytic count (%s): %.1f MFLOP%n",
          kernelFlops / 1e6 / c.batch, passes.description(), passes.flops(c.config) / 1e6);
    }
  }

  /** The kernel's op type from the timeline label "name = Type(inputs)". */
  private static String opType(NodeExecStats node) {
    String label = node.getTimelineLabel();
    int eq = label.indexOf(" = ");
    int paren = label.indexOf('(', Math.max(eq, 0));
    if (eq < 0 || paren < 0) {
      return node.getNodeName().startsWith("_SOURCE") ? "_SOURCE" : "?" + node.getNodeName();
    }
    return label.substring(eq + 3, paren);
  }

  private static void print(Map<String, Cost> byType, int traced, double wallMs) {
    long total = byType.values().stream().mapToLong(Cost::micros).sum();
    System.out.printf("%-40s %9s %10s %7s %10s%n", "op type", "runs/step", "ms/step", "share", "GFLOP/s");
    byType.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue().micros(), a.getValue().micros()))
        .filter(e -> e.getValue().micros() * 1000 >= total)
        .forEach(e -> System.out.printf("%-40s %9.0f %10.1f %6.1f%% %10s%n", e.getKey(), e.getValue().count() / (double) traced,
            e.getValue().micros() / 1e3 / traced, 100.0 * e.getValue().micros() / total,
            e.getValue().flops() == 0 ? "" : String.format("%.1f", e.getValue().flops() / 1e3 / e.getValue().micros())));
    System.out.printf("(GFLOP/s of a kernel type: its FLOPs over its own run time, while other ops may share the cores)%n");
    System.out.printf("(op types under 0.1 %% of the op time not listed)%n");
    System.out.printf("sum of op times %.1f ms/step; traced wall clock %.1f ms/step (ops overlap across the inter-op pool: %.2f×)%n",
        total / 1e3 / traced, wallMs, total / 1e3 / traced / wallMs);
  }
}
