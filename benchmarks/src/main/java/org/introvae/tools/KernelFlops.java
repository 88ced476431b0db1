package org.introvae.tools;

import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.ndarray.Shape;

/**
 * FLOPs of one executed convolution or matrix-product kernel, from the static shapes of the graph
 * node it came from (2 per multiply-add, as the counting rule); 0 for every other op.
 */
final class KernelFlops {
  private KernelFlops() {}

  /** {@code kernelType} is what ran (e.g. _MklNativeFusedConv2D); {@code nodeName} is its node. */
  static long of(Graph graph, String nodeName, String kernelType) {
    if (!kernelType.contains("Conv2D") && !kernelType.contains("MatMul")) {
      return 0;
    }
    GraphOperation op = graph.operation(nodeName);
    // A fused kernel carries the name of the last node it absorbed (bias add, activation): walk back.
    for (int hops = 0; op != null && hops < 3 && !isCounted(op.type()); hops++) {
      op = op.numInputs() > 0 ? (GraphOperation) op.input(0).op() : null;
    }
    if (op == null || !isCounted(op.type())) {
      return 0;
    }
    return switch (op.type()) {
      // 2 · (output elements) · k·k·C_in, with the filter [k, k, C_in, C_out]
      case "Conv2D" -> 2 * size(op.output(0).shape()) * perOutput(op.input(1).shape());
      case "Conv2DBackpropInput" -> 2 * size(op.input(2).shape()) * perOutput(op.input(1).shape());
      case "Conv2DBackpropFilter" -> 2 * size(op.input(2).shape()) * perOutput(op.output(0).shape());
      // [M, K] × [K, N]: K² = |A|·|B| / |C|
      default -> 2 * size(op.output(0).shape()) * Math.round(Math.sqrt(
          (double) size(op.input(0).shape()) * size(op.input(1).shape()) / size(op.output(0).shape())));
    };
  }

  private static boolean isCounted(String type) {
    return type.equals("Conv2D") || type.equals("Conv2DBackpropInput") || type.equals("Conv2DBackpropFilter")
        || type.equals("MatMul");
  }

  private static long perOutput(Shape filter) {
    return filter.get(0) * filter.get(1) * filter.get(2);
  }

  private static long size(Shape s) {
    long n = 1;
    for (int i = 0; i < s.numDimensions(); i++) {
      n *= s.get(i);
    }
    return n;
  }
}
