package org.introvae.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.introvae.model.Architecture.Posterior;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Each loss term on tiny fixed tensors against a hand computation. */
class LossesTest {
  @BeforeAll
  static void runtime() {
    TensorFlowRuntime.prepare();
  }

  private static float[] eval(java.util.function.Function<Ops, Operand<TFloat32>> build) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Operand<TFloat32> out = build.apply(Ops.create(g));
      try (Result r = s.runner().fetch(out).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        float[] values = new float[(int) t.size()];
        t.asRawTensor().data().asFloats().read(values);
        return values;
      }
    }
  }

  @Test
  void L_REG_is_the_KL_to_the_standard_normal_per_sample() {
    // Sample 1: μ = (1, 0), log σ² = (0, 0): −½[(1+0−1−1) + (1+0−0−1)] = 0.5.
    // Sample 2: μ = (0, 2), log σ² = (ln 2, −1): −½[(1+ln2−0−2) + (1−1−4−e⁻¹)] = −½(ln2 − 1 − 4 − e⁻¹).
    float ln2 = (float) Math.log(2);
    float[] kl = eval(tf -> Losses.L_REG(tf, new Posterior(
        tf.constant(new float[][] {{1, 0}, {0, 2}}), tf.constant(new float[][] {{0, 0}, {ln2, -1}}))));
    double second = -0.5 * (Math.log(2) - 1 - 4 - Math.exp(-1));
    assertArrayEquals(new float[] {0.5f, (float) second}, kl, 1e-5f);
  }

  @Test
  void L_REG_weighs_each_dimension_by_the_posteriors_KL_weights() {
    // The samples above with weights (0.5, 0): sample 1 −½·0.5·(1+0−1−1) = 0.25; sample 2 −½·0.5·(1+ln2−0−2).
    float ln2 = (float) Math.log(2);
    float[] kl = eval(tf -> Losses.L_REG(tf, new Posterior(tf.constant(new float[][] {{1, 0}, {0, 2}}),
        tf.constant(new float[][] {{0, 0}, {ln2, -1}}), tf.constant(new float[] {0.5f, 0f}))));
    assertArrayEquals(new float[] {0.25f, (float) (-0.25 * (Math.log(2) - 1))}, kl, 1e-6f);
  }

  @Test
  void L_REG_is_zero_for_the_prior_itself() {
    float[] kl = eval(tf -> Losses.L_REG(tf, new Posterior(tf.constant(new float[][] {{0, 0, 0}}),
        tf.constant(new float[][] {{0, 0, 0}}))));
    assertArrayEquals(new float[] {0f}, kl, 1e-7f);
  }

  @Test
  void L_AE_is_half_the_sum_of_squared_errors_per_image() {
    // One 2×2×1 image: x = (0, 1, .5, .25), x_r = .5 everywhere: ½(.25 + .25 + 0 + .0625) = .28125.
    // Second image identical to its reconstruction: 0.
    float[] ae = eval(tf -> Losses.L_AE(tf,
        tf.constant(new float[][][][] {{{{0}, {1}}, {{.5f}, {.25f}}}, {{{.3f}, {.3f}}, {{.3f}, {.3f}}}}),
        tf.constant(new float[][][][] {{{{.5f}, {.5f}}, {{.5f}, {.5f}}}, {{{.3f}, {.3f}}, {{.3f}, {.3f}}}})));
    assertArrayEquals(new float[] {0.28125f, 0f}, ae, 1e-6f);
  }

  @Test
  void hinge_is_the_positive_part_of_m_minus_the_energy() {
    float[] h = eval(tf -> Losses.hinge(tf, tf.constant(10f), tf.constant(new float[] {3, 12, 10})));
    assertArrayEquals(new float[] {7, 0, 0}, h, 0f);
  }

  private static Losses.Energies energies(Ops tf) {
    return new Losses.Energies(
        tf.constant(new float[] {1, 3}),     // L_REG(x): mean 2
        tf.constant(new float[] {4, 14}),    // L_REG(ng(x_r)): hinge at m=10 → (6, 0), mean 3
        tf.constant(new float[] {10, 2}),    // L_REG(ng(x_p)): hinge → (0, 8), mean 4
        tf.constant(new float[] {4, 14}),    // L_REG(x_r): mean 9
        tf.constant(new float[] {10, 2}),    // L_REG(x_p): mean 6
        tf.constant(new float[] {5, 7}));    // L_AE: mean 6
  }

  @Test
  void L_E_combines_the_terms_as_in_the_paper() {
    // α = .5, β = 2, m = 10: 2 + .5·(3 + 4) + 2·6 = 17.5
    float[] le = eval(tf -> Losses.L_E(tf, energies(tf), tf.constant(.5f), tf.constant(2f), tf.constant(10f)));
    assertEquals(17.5f, le[0], 1e-5f);
  }

  @Test
  void L_G_combines_the_terms_as_in_the_paper() {
    // α = .5, β = 2: .5·(9 + 6) + 2·6 = 19.5
    float[] lg = eval(tf -> Losses.L_G(tf, energies(tf), tf.constant(.5f), tf.constant(2f)));
    assertEquals(19.5f, lg[0], 1e-5f);
  }

  @Test
  void alpha_zero_leaves_the_plain_VAE_objective() {
    float[] le = eval(tf -> Losses.L_E(tf, energies(tf), tf.constant(0f), tf.constant(2f), tf.constant(10f)));
    float[] lg = eval(tf -> Losses.L_G(tf, energies(tf), tf.constant(0f), tf.constant(2f)));
    assertEquals(2f + 2f * 6f, le[0], 1e-5f);
    assertEquals(2f * 6f, lg[0], 1e-5f);
  }

  @Test
  void soft_L_REC_is_the_plain_sum_of_squared_errors() {
    float[] rec = eval(tf -> Losses.Soft.L_REC(tf,
        tf.constant(new float[][][][] {{{{0}, {1}}, {{.5f}, {.25f}}}}),
        tf.constant(new float[][][][] {{{{.5f}, {.5f}}, {{.5f}, {.5f}}}})));
    assertArrayEquals(new float[] {0.5625f}, rec, 1e-6f);
  }

  private static final SoftIntroVaeObjective W = new SoftIntroVaeObjective(1f, 2f, 3f, 0.5f);

  private static Losses.Soft.Energies softEnergies(Ops tf) {
    return new Losses.Soft.Energies(
        tf.constant(new float[] {1, 3}),       // L_REC(x, x_r): mean 2
        tf.constant(new float[] {2, 4}),       // L_REG(x): mean 3
        tf.constant(new float[] {.5f, 1}),     // re-rec of ng(x_r)
        tf.constant(new float[] {1, 0}),       //   KL of ng(x_r): energies 2·.5+3·1 = 4, 2·1+0 = 2
        tf.constant(new float[] {0, 0}),       // re-rec of ng(x_p)
        tf.constant(new float[] {.25f, .5f}),  //   KL of ng(x_p): energies .75, 1.5
        tf.constant(new float[] {1, 2}),       // L_REG(x_r): mean 1.5
        tf.constant(new float[] {3, 5}),       // L_REG(x_p): mean 4
        tf.constant(new float[] {2, 2}),       // L_REC(ng(x_r), D(ng(z_r))): mean 2
        tf.constant(new float[] {4, 0}));      // L_REC(ng(x_p), D(ng(z_p))): mean 2
  }

  @Test
  void soft_expELBO_is_the_batch_mean_of_exp_minus_2s_energy() {
    // s = .5: exp(−E) for E = 4 and 2.
    float[] v = eval(tf -> Losses.Soft.expELBO(tf, tf.constant(new float[] {.5f, 1}), tf.constant(new float[] {1, 0}), W, .5f));
    assertEquals((Math.exp(-4) + Math.exp(-2)) / 2, v[0], 1e-6);
  }

  @Test
  void soft_L_E_combines_the_elbo_and_the_expELBOs() {
    // s(β_rec·2 + β_kl·3) + ¼(mean(e⁻⁴, e⁻²) + mean(e^−.75, e^−1.5)) with s = .5
    double expected = 0.5 * (2 * 2 + 1 * 3) + 0.25 * ((Math.exp(-4) + Math.exp(-2)) / 2 + (Math.exp(-.75) + Math.exp(-1.5)) / 2);
    float[] le = eval(tf -> Losses.Soft.L_E(tf, softEnergies(tf), W, .5f));
    assertEquals(expected, le[0], 1e-5);
  }

  @Test
  void soft_L_D_combines_reconstruction_fake_KL_and_re_reconstruction() {
    // s(β_rec·2 + ½β_kl(1.5 + 4) + ½γ_r·β_rec(2 + 2)) = .5(4 + 2.75 + 2) = 4.375
    float[] ld = eval(tf -> Losses.Soft.L_D(tf, softEnergies(tf), W, .5f));
    assertEquals(4.375f, ld[0], 1e-5f);
  }

  @Test
  void soft_warm_up_is_the_elbo_on_the_games_scale() {
    // s·(β_rec·mean(L_REC) + β_kl·mean(L_REG)) = .25·(2·2 + 1·3)
    float[] l = eval(tf -> Losses.Soft.L_ELBO(tf, tf.constant(new float[] {1, 3}), tf.constant(new float[] {2, 4}), W, .25f));
    assertEquals(1.75f, l[0], 1e-6f);
  }

  @Test
  void the_vae_loss_is_the_negative_elbo() {
    float[] l = eval(tf -> Losses.L_VAE(tf, tf.constant(new float[] {1, 3}), tf.constant(new float[] {5, 7}), tf.constant(2f)));
    assertEquals(2f + 2f * 6f, l[0], 1e-5f);
  }
}
