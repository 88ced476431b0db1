package org.introvae.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Iterator;
import org.introvae.model.Architecture.Decoder;
import org.introvae.model.Architecture.Encoder;
import org.introvae.model.Architecture.Mode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Each forward pass is built once. Simultaneous updates: IntroVAE's step holds the encoder three times
 * (x, ng(x_r), ng(x_p)) and the decoder twice (z, z_p), each serving both losses; Soft-IntroVAE's adds two
 * decoder passes (the re-reconstructions). Alternating updates add the updated encoder's passes over x_r
 * and x_p (and for Soft-IntroVAE their two re-decodings); x_r and x_p themselves are not decoded again.
 * The outputs for pictures add E once and D three times (the reconstruction and decoding with the moving
 * averages, and decoding prior draws on their batch statistics).
 * Counted by the forward convolutions outside the gradient scopes (the decoder computes some as
 * transposed convolutions).
 */
class SharedPassesTest {
  @BeforeAll
  static void runtime() {
    TensorFlowRuntime.prepare();
  }

  private static int forwardConvolutions(Graph g) {
    int n = 0;
    for (Iterator<GraphOperation> it = g.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      boolean convolution = op.type().equals("Conv2D") || op.type().equals("Conv2DBackpropInput");
      n += convolution && !op.name().startsWith("grad_") ? 1 : 0;
    }
    return n;
  }

  private static int encoderConvolutions() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      new Encoder(tf, TinyGraphs.CONFIG, 1).apply(tf,
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(2, 16, 16, 1))), Mode.INFERENCE);
      return forwardConvolutions(g);
    }
  }

  private static int decoderConvolutions() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      new Decoder(tf, TinyGraphs.CONFIG, 1).apply(tf,
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(2, 4))), Mode.INFERENCE);
      return forwardConvolutions(g);
    }
  }

  private static int convolutionsOf(Objective objective, UpdateOrder order) {
    try (TrainingGraph g = new TrainingGraph(TinyGraphs.CONFIG, objective, order, 1e-3f, TinyGraphs.BATCH, 1)) {
      return forwardConvolutions(g.graph);
    }
  }

  @Test
  void introvae_step_encodes_each_generated_image_once_per_encoder_state() {
    int e = encoderConvolutions();
    int d = decoderConvolutions();
    IntroVaeObjective w = new IntroVaeObjective(0.25f, 1f, 10f);
    assertEquals((3 + 1) * e + (2 + 3) * d, convolutionsOf(w, UpdateOrder.SIMULTANEOUS));
    assertEquals((5 + 1) * e + (2 + 3) * d, convolutionsOf(w, UpdateOrder.ALTERNATING));
  }

  @Test
  void soft_step_encodes_and_decodes_each_generated_image_once_per_encoder_state() {
    int e = encoderConvolutions();
    int d = decoderConvolutions();
    SoftIntroVaeObjective w = new SoftIntroVaeObjective(1f, 1f, 256f, 1e-8f);
    assertEquals((3 + 1) * e + (4 + 3) * d, convolutionsOf(w, UpdateOrder.SIMULTANEOUS));
    assertEquals((5 + 1) * e + (6 + 3) * d, convolutionsOf(w, UpdateOrder.ALTERNATING));
  }
}
