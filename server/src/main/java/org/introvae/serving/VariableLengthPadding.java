package org.introvae.serving;

import java.util.Arrays;
import java.util.List;

/**
 * TF Serving's {@code pad_variable_length_inputs}: tensors of one input whose shapes differ beyond the
 * batch dimension are padded at the end of each dimension to the largest size in the batch, with the
 * tensor's own first element (TF Serving's batching_util pads with {@code input.flat<T>()(0)}); ranks
 * 1 to 6, as TensorFlow's Pad op. Outputs are split along the batch dimension only, so they keep the
 * padded sizes: the model is expected to know each row's true length (e.g. from another input).
 */
final class VariableLengthPadding {
  static final int MAX_RANK = 6;

  private VariableLengthPadding() {}

  /** The largest size of each dimension over {@code parts} (all of one rank); dimension 0 is the first part's. */
  static long[] maxShape(List<HostTensor> parts) {
    long[] max = parts.get(0).shape().clone();
    for (HostTensor p : parts) {
      for (int d = 1; d < max.length; d++) {
        max[d] = Math.max(max[d], p.shape()[d]);
      }
    }
    return max;
  }

  /** {@code t} padded at the end of dimensions 1… to {@code shape}'s sizes with its first element. */
  static HostTensor padTo(String name, HostTensor t, long[] shape) {
    long[] from = t.shape();
    long[] to = shape.clone();
    to[0] = from[0];
    if (Arrays.equals(from, to)) {
      return t;
    }
    if (from.length > MAX_RANK) {
      throw new InvalidInput("Only tensors with rank from 1 to 6 can be padded; '" + name + "' has rank " + from.length);
    }
    if (t.size() == 0) {
      throw new InvalidInput("Got empty tensor in batch of non-empty tensors ('" + name + "')");
    }
    int n = Math.toIntExact(Arrays.stream(to).reduce(1, Math::multiplyExact));
    Object out = HostTensor.allocate(t.dtype(), n);
    System.arraycopy(t.values(), 0, out, 0, 1);
    for (int filled = 1; filled < n; filled *= 2) {
      System.arraycopy(out, 0, out, filled, Math.min(filled, n - filled));
    }
    int k = from.length;
    long[] stride = new long[k];
    stride[k - 1] = 1;
    for (int d = k - 2; d >= 0; d--) {
      stride[d] = stride[d + 1] * to[d + 1];
    }
    // Copy each run along the last dimension to where its index lands in the larger shape.
    int run = (int) from[k - 1];
    long[] index = new long[k];
    for (int src = 0; src < t.size(); src += run) {
      long at = 0;
      for (int d = 0; d < k - 1; d++) {
        at += index[d] * stride[d];
      }
      System.arraycopy(t.values(), src, out, (int) at, run);
      for (int d = k - 2; d >= 0 && ++index[d] == from[d]; d--) {
        index[d] = 0;
      }
    }
    return new HostTensor(t.dtype(), to, out);
  }
}
