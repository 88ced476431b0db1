package org.introvae.model;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.framework.optimizers.Optimizer.GradAndVar;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/** Gradients of a loss w.r.t. a chosen set of variables, paired for an optimizer. */
public final class Optimization {
  private Optimization() {}

  /** ∂loss/∂v for each variable, in order; a gradient cut off by a stop comes back closed. */
  public static Output<?>[] gradients(Graph graph, String prefix, Operand<TFloat32> loss, List<Variable<TFloat32>> variables) {
    return gradients(graph, prefix, new Output<?>[] {loss.asOutput()}, null, variables);
  }

  /**
   * Σ_i ⟨dy_i, ∂y_i/∂v⟩ for each variable: the backward pass seeded with given gradients at several
   * outputs, e.g. a loss (seed 1) and an intermediate tensor whose gradient came from elsewhere.
   */
  public static Output<?>[] gradients(Graph graph, String prefix, Output<?>[] ys, Output<?>[] dys,
      List<Variable<TFloat32>> variables) {
    Output<?>[] xs = variables.stream().map(Variable::asOutput).toArray(Output<?>[]::new);
    return graph.addGradients(prefix, ys, xs, dys);
  }

  /** (gradient, variable) pairs, each gradient read through {@code tf} (e.g. gated on control dependencies). */
  @SuppressWarnings("unchecked")
  public static List<GradAndVar<? extends TType>> pairs(Ops tf, Output<?>[] gradients, List<Variable<TFloat32>> variables) {
    List<GradAndVar<? extends TType>> list = new ArrayList<>();
    for (int i = 0; i < gradients.length; i++) {
      Output<TFloat32> g = (Output<TFloat32>) gradients[i];
      list.add(new GradAndVar<>(tf.identity(g).asOutput(), variables.get(i).asOutput()));
    }
    return list;
  }
}
