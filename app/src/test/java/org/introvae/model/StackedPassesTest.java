package org.introvae.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.introvae.model.Architecture.DecoderNet;
import org.introvae.model.Architecture.EncoderNet;
import org.introvae.model.Architecture.Mode;
import org.introvae.model.Architecture.Parameters;
import org.introvae.model.Architecture.Posterior;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The 2-D MLPs' passes over x_r and x_p (and their re-decodings) run as one stacked pass; with the
 * same weights and noise, the losses and both gradients equal those of separate passes.
 */
class StackedPassesTest {
  @BeforeAll
  static void runtime() {
    TensorFlowRuntime.prepare();
  }

  /** The same network, claiming batch dependence, so TrainingGraph keeps its passes separate. */
  private record Separate(EncoderNet e) implements EncoderNet {
    public Posterior apply(Ops tf, Operand<TFloat32> x, Mode mode) {
      return e.apply(tf, x, mode);
    }

    public Parameters parameters() {
      return e.parameters();
    }

    public EncoderNet readingAfter(Ops tf, List<Op> updates) {
      return new Separate(e.readingAfter(tf, updates));
    }
  }

  private record SeparateD(DecoderNet d) implements DecoderNet {
    public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> z, Mode mode) {
      return d.apply(tf, z, mode);
    }

    public Parameters parameters() {
      return d.parameters();
    }
  }

  static java.util.stream.Stream<Objective> objectives() {
    return java.util.stream.Stream.of(new SoftIntroVaeObjective(0.3f, 0.2f, 0.9f, 1f), new IntroVaeObjective(0.25f, 1f, 10f),
        new VaeObjective(1f));
  }

  private static double[] values(Objective objective, UpdateOrder order, boolean stacked) {
    int batch = 64;
    try (TrainingGraph g = stacked ? ToyNetworks.trainingGraph(2, objective, order, 1e-3f, batch, 5)
        : new TrainingGraph(null, new DataShape(1, 1, ToyNetworks.DIM), 2, objective, order, 1e-3f, batch,
            tf -> new Separate(new ToyNetworks.Encoder(tf, 2, 5)), tf -> new SeparateD(new ToyNetworks.Decoder(tf, 2, 6)),
            Placement.CPU);
        Session s = new Session(g.graph)) {
      s.initialize();
      float[] points = new float[batch * 2];
      Random r = new Random(3);
      for (int i = 0; i < points.length; i++) {
        points[i] = (float) r.nextGaussian();
      }
      try (TFloat32 x = TFloat32.tensorOf(Shape.of(batch, 1, 1, 2), DataBuffers.of(points, true, false));
          TInt64 seed = TInt64.vectorOf(9, 0); TFloat32 t = TFloat32.scalarOf(1f)) {
        Session.Runner runner = s.runner().feed(g.x, x).feed(g.noiseSeed, seed).feed(g.adamStep, t)
            .fetch(g.lossE).fetch(g.lossG);
        Output<?>[][] grads = {g.encoderGradients, g.decoderGradients};
        for (Output<?>[] list : grads) {
          for (Output<?> o : list) {
            runner.fetch(o);
          }
        }
        try (Result res = runner.run()) {
          double[] out = new double[res.size()];
          out[0] = ((TFloat32) res.get(0)).getFloat();
          out[1] = ((TFloat32) res.get(1)).getFloat();
          for (int i = 2; i < res.size(); i++) {
            TFloat32 v = (TFloat32) res.get(i);
            float[] f = new float[(int) v.size()];
            v.copyTo(DataBuffers.of(f, false, false));
            double norm = 0;
            for (float e : f) {
              norm += e * (double) e;
            }
            out[i] = Math.sqrt(norm);
          }
          return out;
        }
      }
    }
  }

  /**
   * Losses and the norm of each variable's gradient within 1e-4 relative: a stacked pass runs its matrix
   * products over 2·batch rows, which changes float32 summation order only (~1e-6).
   */
  @ParameterizedTest
  @MethodSource("objectives")
  void stacked_and_separate_passes_give_the_same_losses_and_gradients(Objective objective) {
    for (UpdateOrder order : UpdateOrder.values()) {
      double[] stacked = values(objective, order, true);
      double[] separate = values(objective, order, false);
      assertEquals(separate.length, stacked.length);
      for (int i = 0; i < stacked.length; i++) {
        assertEquals(separate[i], stacked[i], 1e-4 * Math.abs(separate[i]) + 1e-7, objective.name() + " " + order + " value " + i);
      }
      assertTrue(Math.abs(stacked[2]) > 0, "gradients are not zero");
    }
  }
}
