package org.introvae.model;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.framework.optimizers.Optimizer;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.ApplyAdam;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * Adam whose step count t is fed by the caller (bias corrections β1^t, β2^t are computed from it).
 *
 * <p>Why not the framework's Adam: it keeps β^t in variables named "beta1_power"/"beta2_power"
 * (names collide with two optimizers in one graph) and assigns them without ordering the assign
 * after the ApplyAdam ops that read them, so an update can see β^(t+1): the step is not
 * reproducible. With t fed, nothing races and a resumed run continues bit for bit. Slots (m, v)
 * are named {@code <variable>-m} / {@code <variable>-v}.
 */
public final class SteppedAdam extends Optimizer {
  private final Operand<TFloat32> learningRate;
  private final float beta1;
  private final float beta2;
  private final float epsilon;
  private final Operand<TFloat32> beta1Power;
  private final Operand<TFloat32> beta2Power;
  private final Ops init;

  /** {@code learningRate} is a tensor so a schedule can feed it. */
  public SteppedAdam(Graph graph, String name, Operand<TFloat32> learningRate, float beta1, float beta2, float epsilon,
      Operand<TFloat32> step) {
    super(graph, name);
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    Ops tf = Ops.create(graph);
    init = tf.withInitScope();
    beta1Power = tf.math.pow(tf.constant(beta1), step);
    beta2Power = tf.math.pow(tf.constant(beta2), step);
  }

  /** Slots are created once per variable: several update ops (warm-up, objective step) share them. */
  @Override
  protected void createSlots(java.util.List<Output<? extends TType>> variables) {
    for (Output<? extends TType> v : variables) {
      if (getSlot(v, "m").isEmpty()) {
        zeroSlot(v, "m");
        zeroSlot(v, "v");
      }
    }
  }

  private <T extends TType> void zeroSlot(Output<T> v, String slot) {
    createSlot(v, slot, init.zeros(init.constant(v.shape().asArray()), v.type()));
  }

  @Override
  protected <T extends TType> Op applyDense(Ops deps, Output<T> gradient, Output<T> variable) {
    Class<T> type = variable.type();
    return deps.train.applyAdam(variable,
        getSlot(variable, "m").orElseThrow(),
        getSlot(variable, "v").orElseThrow(),
        deps.dtypes.cast(beta1Power, type),
        deps.dtypes.cast(beta2Power, type),
        deps.dtypes.cast(learningRate, type),
        deps.dtypes.cast(deps.constant(beta1), type),
        deps.dtypes.cast(deps.constant(beta2), type),
        deps.dtypes.cast(deps.constant(epsilon), type),
        gradient,
        ApplyAdam.useLocking(true));
  }

  @Override
  public String getOptimizerName() {
    return "SteppedAdam";
  }
}
