package org.introvae.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.introvae.model.Architecture.Mode;
import org.introvae.model.Architecture.Posterior;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The translation model's encoder pair: z = [z_c, z_s] from the two encoders, the content variance
 * floored at 1, both encoders trained by the one encoder optimizer, and Soft-IntroVAE's gradients over
 * them against finite differences as for the single encoder.
 */
class TranslationNetworksTest {
  static final int CLASS_Z = 1;
  static final TranslationNetworks.Split SPLIT = new TranslationNetworks.Split(CLASS_Z, 1f);

  @BeforeAll
  static void runtime() {
    TensorFlowRuntime.prepare();
  }

  private static float[] values(Result r, int i) {
    TFloat32 t = (TFloat32) r.get(i);
    float[] v = new float[(int) t.size()];
    t.asRawTensor().data().asFloats().read(v);
    return v;
  }

  @Test
  void the_latent_is_the_class_code_then_the_content_code_with_its_variance_floored() {
    try (Graph g = new Graph(); Session s = new Session(g);
        TFloat32 x = TinyGraphs.images(TinyGraphs.randomImages(1))) {
      Ops tf = Ops.create(g);
      TranslationNetworks.TwoEncoders e = new TranslationNetworks.TwoEncoders(tf, TinyGraphs.CONFIG, SPLIT, 3);
      var in = tf.placeholder(TFloat32.class);
      Posterior both = e.apply(tf, in, Mode.INFERENCE);
      Posterior c = e.classCode(tf, in, Mode.INFERENCE);
      Posterior content = e.contentCode(tf, in, Mode.INFERENCE);
      s.initialize();
      try (Result r = s.runner().feed(in, x).fetch(both.mu()).fetch(both.logvar()).fetch(c.mu()).fetch(content.mu())
          .fetch(content.logvar()).run()) {
        float[] mu = values(r, 0);
        float[] logvar = values(r, 1);
        float[] muC = values(r, 2);
        float[] muS = values(r, 3);
        int z = TinyGraphs.CONFIG.zDim();
        for (int i = 0; i < TinyGraphs.BATCH; i++) {
          assertEquals(muC[i], mu[i * z], 0f, "z_c first");
          assertArrayEquals(java.util.Arrays.copyOfRange(muS, i * (z - 1), (i + 1) * (z - 1)),
              java.util.Arrays.copyOfRange(mu, i * z + 1, (i + 1) * z), 0f, "then z_s");
          for (int k = CLASS_Z; k < z; k++) {
            assertTrue(logvar[i * z + k] >= 0f, "content log σ² ≥ 0");
          }
        }
      }
      // Two encoders' stems, blocks and heads under one scope, each of its own size.
      long heads = e.parameters().trainable().stream().filter(v -> v.op().name().endsWith("fc.w")).count();
      assertEquals(2, heads);
    }
    assertThrows(IllegalArgumentException.class,
        () -> TranslationNetworks.contentConfig(TinyGraphs.CONFIG, TinyGraphs.CONFIG.zDim()));
  }

  /** The content code's mean and log σ² (in that order) of encoders of the same seed with the given variance floor. */
  private static float[][] contentCode(float contentNoise, TFloat32 x) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      var e = new TranslationNetworks.TwoEncoders(tf, TinyGraphs.CONFIG,
          new TranslationNetworks.Split(CLASS_Z, contentNoise), 3);
      var in = tf.placeholder(TFloat32.class);
      Posterior content = e.contentCode(tf, in, Mode.INFERENCE);
      s.initialize();
      try (Result r = s.runner().feed(in, x).fetch(content.mu()).fetch(content.logvar()).run()) {
        return new float[][] {values(r, 0), values(r, 1)};
      }
    }
  }

  @Test
  void the_content_noise_floors_the_content_variance_and_changes_nothing_else() {
    try (TFloat32 x = TinyGraphs.images(TinyGraphs.randomImages(4))) {
      float[][] unit = contentCode(1f, x);
      float[][] four = contentCode(4f, x);
      float ln4 = (float) Math.log(4);
      assertArrayEquals(unit[0], four[0], 0f, "the same weights give the same means");
      int floored = 0;
      for (int k = 0; k < unit[1].length; k++) {
        // max(max(l, 0), ln 4) = max(l, ln 4): the same op on the same input, so exact.
        assertEquals(Math.max(unit[1][k], ln4), four[1][k], 0f, "log σ² at " + k);
        floored += four[1][k] == ln4 ? 1 : 0;
      }
      assertTrue(floored > 0, "a fresh encoder's log σ² sits near 0, so the floor of ln 4 holds somewhere");
    }
    for (float bad : new float[] {0f, -1f, Float.NaN, 1000f}) {
      assertThrows(IllegalArgumentException.class, () -> new TranslationNetworks.Split(CLASS_Z, bad), "noise " + bad);
    }
  }

  /** L_REG of E(x) under class KL weight w, then of z_c and z_s alone, all from encoders of one seed. */
  private static float[][] klParts(float w, TFloat32 x) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      var e = new TranslationNetworks.TwoEncoders(tf, TinyGraphs.CONFIG, new TranslationNetworks.Split(CLASS_Z, 1f, w), 3);
      var in = tf.placeholder(TFloat32.class);
      Operand<TFloat32> all = Losses.L_REG(tf, e.apply(tf, in, Mode.INFERENCE));
      Operand<TFloat32> c = Losses.L_REG(tf, e.classCode(tf, in, Mode.INFERENCE));
      Operand<TFloat32> content = Losses.L_REG(tf, e.contentCode(tf, in, Mode.INFERENCE));
      s.initialize();
      try (Result r = s.runner().feed(in, x).fetch(all).fetch(c).fetch(content).run()) {
        return new float[][] {values(r, 0), values(r, 1), values(r, 2)};
      }
    }
  }

  @Test
  void the_class_kl_weight_scales_only_the_class_codes_KL() {
    try (TFloat32 x = TinyGraphs.images(TinyGraphs.randomImages(4))) {
      for (float w : new float[] {0f, 0.25f, 1f, 3f}) {
        float[][] kl = klParts(w, x);
        for (int i = 0; i < kl[0].length; i++) {
          // Float sums over a different number of terms: rounding of a few ulps of KLs near 1.
          assertEquals(w * kl[1][i] + kl[2][i], kl[0][i], 1e-5f * (1 + kl[0][i]), "w " + w + ", image " + i);
        }
        assertTrue(kl[1][0] > 0, "a fresh class encoder's KL is above 0, so the weight shows");
      }
    }
    for (float bad : new float[] {-0.1f, Float.NaN, 101f}) {
      assertThrows(IllegalArgumentException.class, () -> new TranslationNetworks.Split(CLASS_Z, 1f, bad), "weight " + bad);
    }
  }

  @Test
  void soft_introvae_encoder_gradient_over_both_encoders_matches_finite_differences() {
    assertEncoderGradientMatchesFiniteDifferences(TranslationNetworks.ClassView.DIRECT, 2);
  }

  @Test
  void encoder_gradient_with_a_lighter_class_kl_matches_finite_differences() {
    assertEncoderGradientMatchesFiniteDifferences(new TranslationNetworks.Split(CLASS_Z, 1f, 0.25f),
        TranslationNetworks.ClassView.DIRECT, 4);
  }

  static final TranslationNetworks.Split MODULATING = new TranslationNetworks.Split(CLASS_Z, 1f, 1f, true);

  /** D(z) of a modulating decoder (seed 3) for each latent batch, its modulation layers' weights zeroed first when asked. */
  private static float[][] modulatedDecodes(boolean zeroModulationWeights, float[]... latents) {
    int z = TinyGraphs.CONFIG.zDim();
    try (Graph g = new Graph(); Session s = new Session(g, TrainingSession.settings(1))) {
      Ops tf = Ops.create(g);
      Architecture.Decoder d = MODULATING.decoder(tf, TinyGraphs.CONFIG, 3, true);
      var in = tf.placeholder(TFloat32.class, org.tensorflow.op.core.Placeholder.shape(org.tensorflow.ndarray.Shape.of(-1, z)));
      Operand<TFloat32> out = d.apply(tf, in, Mode.INFERENCE);
      s.initialize();
      var vars = d.parameters().trainable();
      // The head reads only the content code: its weight is [z − classZ, ·].
      assertEquals(z - CLASS_Z, vars.stream().filter(v -> v.op().name().endsWith("decoder.fc.w")).findFirst().orElseThrow()
          .shape().get(0));
      var styles = vars.stream().filter(v -> v.op().name().endsWith(".style.w")).toList();
      assertEquals(3, styles.size(), "one modulation per residual block (two widths, then the last block)");
      if (zeroModulationWeights) {
        for (var v : styles) {
          s.runner().addTarget(tf.assign(v, tf.zerosLike(v))).run();
        }
      }
      float[][] outs = new float[latents.length][];
      for (int i = 0; i < latents.length; i++) {
        try (TFloat32 t = TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(latents[i].length / z, z),
            org.tensorflow.ndarray.buffer.DataBuffers.of(latents[i]));
            Result r = s.runner().feed(in, t).fetch(out).run()) {
          outs[i] = values(r, 0);
        }
      }
      return outs;
    }
  }

  @Test
  void a_modulating_decoder_reads_the_class_code_only_through_its_scales_and_shifts() {
    int z = TinyGraphs.CONFIG.zDim();
    java.util.Random random = new java.util.Random(5);
    float[] latents = new float[TinyGraphs.BATCH * z];
    for (int k = 0; k < latents.length; k++) {
      latents[k] = (float) random.nextGaussian();
    }
    float[] otherClass = latents.clone();
    for (int i = 0; i < TinyGraphs.BATCH; i++) {
      otherClass[i * z] += 1.5f;  // z_c is the first CLASS_Z dimensions
    }
    float[][] fresh = modulatedDecodes(false, latents, otherClass);
    assertTrue(!java.util.Arrays.equals(fresh[0], fresh[1]), "a fresh decoder's scales and shifts depend on z_c");
    // With the modulation weights at 0, γ and β are their biases whatever z_c is: the same graph and batch
    // run twice on inputs that differ only where nothing reads them, so exactly equal.
    float[][] constant = modulatedDecodes(true, latents, otherClass);
    assertArrayEquals(constant[0], constant[1], 0f, "z_c reaches the image only through γ(z_c) and β(z_c)");
    assertThrows(IllegalArgumentException.class,
        () -> new Architecture.Decoder(Ops.create(new Graph()), TinyGraphs.CONFIG, 3, true, "decoder", z));
  }

  /** The routed decoder gradient (simultaneous updates) through the modulation, against finite differences. */
  @Test
  void decoder_gradient_through_the_modulation_matches_finite_differences() {
    assertGradientMatchesFiniteDifferences(MODULATING, TranslationNetworks.ClassView.DIRECT, UpdateOrder.SIMULTANEOUS,
        false, 3);
  }

  @Test
  void encoder_gradient_through_a_modulating_decoder_matches_finite_differences() {
    assertGradientMatchesFiniteDifferences(MODULATING, TranslationNetworks.ClassView.DIRECT, UpdateOrder.ALTERNATING,
        true, 6);
  }

  private static TrainingGraph softIntroVaeGraph(TranslationNetworks.ClassView view) {
    return softIntroVaeGraph(SPLIT, view);
  }

  private static TrainingGraph softIntroVaeGraph(TranslationNetworks.Split split, TranslationNetworks.ClassView view) {
    return softIntroVaeGraph(split, view, UpdateOrder.ALTERNATING);
  }

  private static TrainingGraph softIntroVaeGraph(TranslationNetworks.Split split, TranslationNetworks.ClassView view,
      UpdateOrder order) {
    return TranslationNetworks.trainingGraph(TinyGraphs.CONFIG, split, view, new SoftIntroVaeObjective(1f, 1f, 1f, 1f),
        order, 1e-3f, TinyGraphs.BATCH, 3, Placement.CPU);
  }

  /** L_E's derivative along a direction near its gradient, analytic against central differences. */
  private static void assertEncoderGradientMatchesFiniteDifferences(TranslationNetworks.ClassView view, long imageSeed) {
    assertEncoderGradientMatchesFiniteDifferences(SPLIT, view, imageSeed);
  }

  private static void assertEncoderGradientMatchesFiniteDifferences(TranslationNetworks.Split split,
      TranslationNetworks.ClassView view, long imageSeed) {
    assertGradientMatchesFiniteDifferences(split, view, UpdateOrder.ALTERNATING, true, imageSeed);
  }

  /** L_E's (encoder) or L_G's (decoder) derivative along a direction near its gradient, analytic against central differences. */
  private static void assertGradientMatchesFiniteDifferences(TranslationNetworks.Split split,
      TranslationNetworks.ClassView view, UpdateOrder order, boolean encoder, long imageSeed) {
    try (TrainingGraph g = softIntroVaeGraph(split, view, order);
        Session s = new Session(g.graph); TFloat32 x = TinyGraphs.images(TinyGraphs.randomImages(imageSeed))) {
      s.initialize();
      var vars = (encoder ? g.encoder.parameters() : g.decoder.parameters()).trainable();
      org.tensorflow.Output<?>[] gradients = encoder ? g.encoderGradients : g.decoderGradients;
      List<float[]> d = GradientTest.towardsGradient(s, g, gradients, x,
          GradientTest.direction(TinyGraphs.readAll(s, vars), 5));
      double exact = GradientTest.analytic(s, g, gradients, x, d);
      Map<Operand<TFloat32>, TFloat32> held = GradientTest.stoppedValues(s, g, x, encoder ? g.ngForEncoder : g.ngForDecoder);
      try {
        double numeric = GradientTest.numeric(s, g, encoder ? g.lossE : g.lossG, vars, d, x, held);
        // GradientTest's tolerance and reasons; the floor max(log σ², 0) is one more kink. The partner view's
        // swap is a permutation, linear, and adds no error.
        assertEquals(numeric, exact, 0.05 * Math.abs(numeric) + 1e-3);
        assertTrue(Math.abs(exact) > 1e-2, "a derivative large enough to compare: " + exact);
      } finally {
        held.values().forEach(Tensor::close);
      }
    }
  }

  @Test
  void with_neighbour_partners_real_images_take_their_partners_class_codes_and_keep_their_own_content_codes() {
    TranslationNetworks.ClassView partners = new TranslationNetworks.ClassView(0f, true);
    try (Graph g = new Graph(); Session s = new Session(g, TrainingSession.settings(1));
        TFloat32 x = TinyGraphs.images(TinyGraphs.randomImages(6))) {
      Ops tf = Ops.create(g);
      var e = new TranslationNetworks.TwoEncoders(tf, TinyGraphs.CONFIG, SPLIT, partners, 3);
      var in = tf.placeholder(TFloat32.class);
      Posterior real = e.applyToRealImages(tf, in, Mode.TRAIN);
      Posterior own = e.apply(tf, in, Mode.TRAIN);
      Operand<TFloat32> swapped = e.partners(tf, tf.constant(new float[][] {{1}, {2}, {3}, {4}}));  // class z 1
      s.initialize();
      try (Result r = s.runner().feed(in, x).fetch(real.mu()).fetch(real.logvar()).fetch(own.mu()).fetch(own.logvar())
          .fetch(swapped).run()) {
        assertArrayEquals(new float[] {2, 1, 4, 3}, values(r, 4), 0f, "rows 2i and 2i + 1 change places");
        int z = TinyGraphs.CONFIG.zDim();
        for (int v = 0; v < 2; v++) {
          float[] fromPartner = values(r, v);
          float[] itsOwn = values(r, v + 2);
          for (int i = 0; i < TinyGraphs.BATCH; i++) {
            int partner = i ^ 1;
            // Two copies of the same ops over the same batch, threads and session: the same kernels give the
            // same values; 1e-6 only allows a kernel that sums in another order.
            assertArrayEquals(java.util.Arrays.copyOfRange(itsOwn, partner * z, partner * z + CLASS_Z),
                java.util.Arrays.copyOfRange(fromPartner, i * z, i * z + CLASS_Z), 1e-6f, "z_c of the partner, image " + i);
            assertArrayEquals(java.util.Arrays.copyOfRange(itsOwn, i * z + CLASS_Z, (i + 1) * z),
                java.util.Arrays.copyOfRange(fromPartner, i * z + CLASS_Z, (i + 1) * z), 1e-6f, "its own z_s, image " + i);
          }
        }
      }
    }
    assertThrows(IllegalArgumentException.class, () -> TranslationNetworks.trainingGraph(TinyGraphs.CONFIG, SPLIT, partners,
        new SoftIntroVaeObjective(1f, 1f, 1f, 1f), UpdateOrder.ALTERNATING, 1e-3f, 3, 3, Placement.CPU), "odd batch");
  }

  @Test
  void with_neighbour_partners_only_real_images_swap_and_the_encoder_gradient_matches_finite_differences() {
    TranslationNetworks.ClassView partners = new TranslationNetworks.ClassView(0f, true);
    try (TrainingGraph direct = softIntroVaeGraph(TranslationNetworks.ClassView.DIRECT);
        TrainingGraph paired = softIntroVaeGraph(partners)) {
      // One swap of μ_c and log σ²_c (two Reverses) in the pass over real images; the passes over generated
      // images read their own codes.
      assertEquals(forwardOps(direct.graph, "ReverseV2") + 2, forwardOps(paired.graph, "ReverseV2"));
    }
    assertEncoderGradientMatchesFiniteDifferences(partners, 7);
  }

  /** TF's CropAndResize (bilinear, extrapolation 0) of one single-channel image at box [y1, x1, y2, x2], by hand. */
  private static float[] cropByHand(float[] image, int size, float[] box) {
    float[] out = new float[size * size];
    for (int i = 0; i < size; i++) {
      double y = box[0] * (size - 1) + i * (box[2] - box[0]) * (size - 1) / (double) (size - 1);
      for (int j = 0; j < size; j++) {
        double x = box[1] * (size - 1) + j * (box[3] - box[1]) * (size - 1) / (double) (size - 1);
        if (y < 0 || y > size - 1 || x < 0 || x > size - 1) {
          continue;  // outside the image: 0
        }
        int y0 = (int) Math.floor(y);
        int x0 = (int) Math.floor(x);
        int y1 = Math.min(y0 + 1, size - 1);
        int x1 = Math.min(x0 + 1, size - 1);
        double top = image[y0 * size + x0] + (image[y0 * size + x1] - image[y0 * size + x0]) * (x - x0);
        double bottom = image[y1 * size + x0] + (image[y1 * size + x1] - image[y1 * size + x0]) * (x - x0);
        out[i * size + j] = (float) (top + (bottom - top) * (y - y0));
      }
    }
    return out;
  }

  @Test
  void with_class_jitter_the_class_encoder_sees_random_crops_in_training_and_the_image_itself_otherwise() {
    float jitter = 0.25f;
    int size = TinyGraphs.CONFIG.imageSize();
    float[] px = TinyGraphs.randomImages(5);
    try (Graph g = new Graph(); Session s = new Session(g); TFloat32 x = TinyGraphs.images(px)) {
      Ops tf = Ops.create(g);
      TranslationNetworks.TwoEncoders e = new TranslationNetworks.TwoEncoders(tf, TinyGraphs.CONFIG, SPLIT,
          new TranslationNetworks.ClassView(jitter, false), 3);
      var in = tf.placeholder(TFloat32.class);
      Operand<TFloat32> boxes = e.jitterBoxes(tf, tf.constant(new int[] {TinyGraphs.BATCH}));
      Operand<TFloat32> crops = e.crops(tf, in, boxes);
      int before = countOps(g, "CropAndResize");
      e.classCode(tf, in, Mode.INFERENCE);
      assertEquals(before, countOps(g, "CropAndResize"), "inference reads the image as it is");
      e.classCode(tf, in, Mode.TRAIN_RECORDING);
      e.classCode(tf, in, Mode.TRAIN);
      assertEquals(before + 2, countOps(g, "CropAndResize"), "each training pass crops");
      s.initialize();
      float[] previous = null;
      for (int run = 0; run < 3; run++) {
        try (Result r = s.runner().feed(in, x).fetch(boxes).fetch(crops).run()) {
          float[] b = values(r, 0);
          float[] c = values(r, 1);
          for (int i = 0; i < TinyGraphs.BATCH; i++) {
            float[] box = java.util.Arrays.copyOfRange(b, 4 * i, 4 * i + 4);
            for (int axis = 0; axis < 2; axis++) {
              float side = box[axis + 2] - box[axis];
              float centre = (box[axis + 2] + box[axis]) / 2;
              assertEquals(box[2] - box[0], box[3] - box[1], 1e-6f, "square boxes");
              assertTrue(side >= 1 - jitter - 1e-6f && side <= 1 + jitter + 1e-6f, "side " + side);
              assertTrue(Math.abs(centre - 0.5f) <= jitter + 1e-6f, "centre " + centre);
            }
            float[] expected = cropByHand(java.util.Arrays.copyOfRange(px, i * size * size, (i + 1) * size * size), size, box);
            // Bilinear weights in float32 against double: a few ulps of values in [0, 1].
            assertArrayEquals(expected, java.util.Arrays.copyOfRange(c, i * size * size, (i + 1) * size * size), 1e-5f,
                "image " + i + " cropped at " + java.util.Arrays.toString(box));
          }
          assertTrue(previous == null || !java.util.Arrays.equals(previous, b), "fresh boxes every run");
          previous = b;
        }
      }
    }
    assertThrows(IllegalArgumentException.class, () -> new TranslationNetworks.ClassView(0.6f, false));
  }

  /** Ops of {@code type} outside the gradients' scopes (grad_…; a Reverse's gradient is a Reverse). */
  private static int forwardOps(Graph g, String type) {
    int n = 0;
    for (java.util.Iterator<org.tensorflow.GraphOperation> it = g.operations(); it.hasNext(); ) {
      org.tensorflow.GraphOperation op = it.next();
      n += op.type().equals(type) && !op.name().contains("grad_") ? 1 : 0;
    }
    return n;
  }

  private static int countOps(Graph g, String type) {
    int n = 0;
    for (java.util.Iterator<org.tensorflow.GraphOperation> it = g.operations(); it.hasNext(); ) {
      if (it.next().type().equals(type)) {
        n++;
      }
    }
    return n;
  }

  @Test
  void a_jittered_model_trains_through_the_crops_and_exports_without_them() {
    try (TrainingSession session = TrainingSession.withThreads(TranslationNetworks.trainingGraph(TinyGraphs.CONFIG, SPLIT,
        new TranslationNetworks.ClassView(0.2f, false), new SoftIntroVaeObjective(1f, 1f, 1f, 1f), UpdateOrder.ALTERNATING, 1e-3f, TinyGraphs.BATCH, 3, Placement.CPU),
        1)) {
      // Real images, reconstructions and samples, in both halves of the alternating step.
      assertTrue(countOps(session.graph(), "CropAndResize") >= 4);
      session.initialize();
      float[] before = TinyGraphs.read(session.session(), session.model().encoder.parameters().trainable().get(0));
      for (int step = 0; step < 2; step++) {
        StepLosses l = session.step(TinyGraphs.randomImages(step), 3, step, 1e-3f, false, true);
        assertEquals(null, l.firstNonFinite(), "finite losses");
      }
      float[] after = TinyGraphs.read(session.session(), session.model().encoder.parameters().trainable().get(0));
      assertTrue(!java.util.Arrays.equals(before, after), "the encoders train through the crops");
    }
    try (InferenceGraph g = new InferenceGraph(TinyGraphs.CONFIG, SPLIT)) {
      assertEquals(0, countOps(g.graph, "CropAndResize"), "the exported graph reads images as they are");
    }
  }
}
