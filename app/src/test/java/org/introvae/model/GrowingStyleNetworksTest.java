package org.introvae.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.introvae.model.Architecture.Mode;
import org.introvae.model.Architecture.Posterior;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Progressive growing of the style networks ({@link Growth}) on the 16×16 tiny shape (levels 4×4, 8×8,
 * 16×16): grown in full they are the networks that do not grow; below, the decoder draws and the encoder
 * reads only the grown resolutions; between two levels the image is the blend of theirs; the ungrown
 * layers get exactly no gradient; and the gradients mid-fade match finite differences.
 */
class GrowingStyleNetworksTest {
  static final ModelConfig GROWING = StyleNetworksTest.CONFIG.withProgressive(true);
  static final int N = 3;
  static final int SIDE = 16;

  @BeforeAll
  static void runtime() {
    TensorFlowRuntime.prepare();
  }

  /** Images whose pixels are multiples of 1/64, so sums of four and their quarters are exact in float. */
  static float[] images(long seed) {
    Random r = new Random(seed);
    float[] px = new float[N * SIDE * SIDE];
    for (int i = 0; i < px.length; i++) {
      px[i] = r.nextInt(65) / 64f;
    }
    return px;
  }

  /** ±1/4 in a checkerboard: zero mean over every 2×2 block, so invisible below the image's resolution. */
  static float[] fineDetail(float[] images) {
    float[] out = images.clone();
    for (int i = 0; i < out.length; i++) {
      int row = (i / SIDE) % SIDE;
      int col = i % SIDE;
      out[i] += (row + col) % 2 == 0 ? 0.25f : -0.25f;
    }
    return out;
  }

  /** Encoder (seed 3) and decoder (seed 4) of a config in one graph; inference passes at a growth. */
  static final class Networks implements AutoCloseable {
    final Graph graph = new Graph();
    final Session session = new Session(graph);
    final Ops tf = Ops.create(graph);
    final ModelConfig config;
    final StyleNetworks.Encoder encoder;
    final StyleNetworks.Decoder decoder;
    final Operand<TFloat32> z;
    final Operand<TFloat32> x;
    final Operand<TFloat32> decoded;
    final Posterior posterior;

    Networks(ModelConfig config) {
      this.config = config;
      encoder = new StyleNetworks.Encoder(tf, config, 3);
      decoder = new StyleNetworks.Decoder(tf, config, 4, "decoder");
      z = tf.placeholder(TFloat32.class);
      x = tf.placeholder(TFloat32.class);
      decoded = decoder.apply(tf, tf.ensureShape(z, Shape.of(-1, config.zDim())), Mode.INFERENCE);
      posterior = encoder.apply(tf, tf.ensureShape(x, Shape.of(-1, SIDE, SIDE, 1)), Mode.INFERENCE);
      session.initialize();
    }

    void grow(float g) {
      for (Variable<TFloat32> v : List.of(encoder.growth(), decoder.growth())) {
        session.runner().addTarget(tf.assign(v, tf.constant(g))).run().close();
      }
    }

    float[] decode(float[] latents) {
      try (TFloat32 t = TFloat32.tensorOf(Shape.of(latents.length / config.zDim(), config.zDim()), DataBuffers.of(latents, true, false));
          Result r = session.runner().feed(z, t).fetch(decoded).run()) {
        return values((TFloat32) r.get(0));
      }
    }

    /** μ then log σ² of every image, concatenated. */
    float[] encode(float[] images) {
      try (TFloat32 t = TFloat32.tensorOf(Shape.of(images.length / (SIDE * SIDE), SIDE, SIDE, 1), DataBuffers.of(images, true, false));
          Result r = session.runner().feed(x, t).fetch(posterior.mu()).fetch(posterior.logvar()).run()) {
        float[] mu = values((TFloat32) r.get(0));
        float[] logvar = values((TFloat32) r.get(1));
        float[] both = java.util.Arrays.copyOf(mu, mu.length + logvar.length);
        System.arraycopy(logvar, 0, both, mu.length, logvar.length);
        return both;
      }
    }

    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }

  static float[] values(TFloat32 t) {
    float[] out = new float[(int) t.size()];
    t.asRawTensor().data().asFloats().read(out);
    return out;
  }

  static final float[] Z = TrainingSession.priorDraws(N, 4, 5);

  @Test
  void grown_in_full_they_are_the_networks_that_do_not_grow() {
    float[] x = images(1);
    float[] plainImages;
    float[] plainCodes;
    try (Networks plain = new Networks(StyleNetworksTest.CONFIG)) {
      plainImages = plain.decode(Z);
      plainCodes = plain.encode(x);
    }
    try (Networks growing = new Networks(GROWING)) {
      growing.grow(2);
      // The shared variables have the same seeds (the growing layers are created after them) and the
      // other levels enter with weights exactly 0 and 1; the two graphs differ, so grappler may fuse
      // their ops differently: 1e-5 on values of order 1.
      assertArrayEquals(plainImages, growing.decode(Z), 1e-5f, "D(z)");
      assertArrayEquals(plainCodes, growing.encode(x), 1e-5f, "E(x)");
    }
  }

  @Test
  void below_full_growth_the_decoder_draws_and_the_encoder_reads_only_the_grown_resolutions() {
    float[] x = images(2);
    float[] detailed = fineDetail(x);
    try (Networks n = new Networks(GROWING)) {
      for (int level = 0; level <= 2; level++) {
        n.grow(level);
        int block = 1 << (2 - level);  // a level-k pixel covers 2^(K−k) image pixels a side
        float[] images = n.decode(Z);
        assertTrue(blockConstant(images, block), "level " + level + ": constant over blocks of " + block);
        assertTrue(!blockConstant(images, 2 * block), "level " + level + " draws more than the level below");
        if (level < 2) {
          // avg-pooled exactly to the same maps, and the full image's path enters with weight exactly 0
          assertArrayEquals(n.encode(x), n.encode(detailed), 0f, "level " + level + ": 2×2 detail is invisible");
        } else {
          float[] a = n.encode(x);
          float[] b = n.encode(detailed);
          double diff = 0;
          for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
          }
          assertTrue(diff > 1e-4, "grown in full the encoder sees the detail: " + diff);
        }
      }
    }
  }

  /** Whether every image is constant over each block×block square. */
  static boolean blockConstant(float[] images, int block) {
    for (int i = 0; i < images.length; i++) {
      int image = i / (SIDE * SIDE);
      int row = (i / SIDE) % SIDE;
      int col = i % SIDE;
      int corner = image * SIDE * SIDE + (row - row % block) * SIDE + (col - col % block);
      if (images[i] != images[corner]) {
        return false;
      }
    }
    return true;
  }

  @Test
  void mid_fade_the_image_is_the_blend_of_the_two_levels_images() {
    try (Networks n = new Networks(GROWING)) {
      n.grow(1);
      float[] one = n.decode(Z);
      n.grow(2);
      float[] two = n.decode(Z);
      n.grow(1.25f);
      float[] fading = n.decode(Z);
      for (int i = 0; i < one.length; i++) {
        // the levels' images do not depend on g: only their weights 0.75 and 0.25 do
        float expected = 0.75f * one[i] + 0.25f * two[i];
        assertEquals(expected, fading[i], 1e-6f + 1e-6f * Math.abs(expected), "pixel " + i);
      }
    }
  }

  @Test
  void the_ungrown_layers_get_exactly_no_gradient() {
    Objective soft = new SoftIntroVaeObjective(1f, 1f, 1f, 1f);
    try (TrainingGraph g = new TrainingGraph(GROWING, soft, UpdateOrder.SIMULTANEOUS, 1e-3f, TinyGraphs.BATCH, 3);
        Session s = new Session(g.graph); TFloat32 x = TinyGraphs.images(TinyGraphs.randomImages(2))) {
      s.initialize();
      StyleNetworksTest.setGrowth(g, s, 0);
      // At 4×4 only level 0, its image layers and the mapping networks (and the decoder's constant) learn.
      expectGradients(s, g, x, name -> name.contains("level0") || name.contains("mapping") || name.contains("const"));
      StyleNetworksTest.setGrowth(g, s, 2);
      // Grown in full, the smaller levels' image layers are out of every path.
      expectGradients(s, g, x, name -> !name.matches(".*(to|from)_image\\.level\\d.*"));
    }
  }

  /** Both networks' gradients are exactly 0 for the variables {@code grown} rejects, and not all 0 for each other. */
  private static void expectGradients(Session s, TrainingGraph g, TFloat32 x, java.util.function.Predicate<String> grown) {
    for (boolean encoder : new boolean[] {true, false}) {
      List<Variable<TFloat32>> vars = (encoder ? g.encoder.parameters() : g.decoder.parameters()).trainable();
      List<float[]> grads = GradientTest.values(s, g, encoder ? g.encoderGradients : g.decoderGradients, x);
      for (int i = 0; i < vars.size(); i++) {
        String name = vars.get(i).op().name();
        double largest = 0;
        for (float v : grads.get(i)) {
          largest = Math.max(largest, Math.abs(v));
        }
        if (grown.test(name)) {
          // the noise strengths start at 0 and multiply fresh noise: their gradients are not 0 either
          assertTrue(largest > 0, name + " learns");
        } else {
          assertEquals(0.0, largest, 0.0, name + " is not grown yet");
        }
      }
    }
  }

  @Test
  void mid_fade_gradients_match_finite_differences_with_ng_held() {
    // g = 1.5: the 16×16 level half in, every weight strictly between 0 and 1 somewhere.
    StyleNetworksTest.check(GROWING, 1.5f, StyleMixing.OFF, new SoftIntroVaeObjective(1f, 1f, 1f, 1f),
        UpdateOrder.SIMULTANEOUS, true, false);
  }
}
