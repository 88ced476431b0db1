package org.introvae.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The authors' configurations per image size (channel lists and z from the IntroVAE and
 * Soft-IntroVAE codes), with IntroVAE weights and batch sizes. Every value can be overridden.
 */
public enum Preset {
  /**
   * The no-argument default: the 28 preset at half width, sized to train in minutes on a laptop CPU, with
   * a learning rate of 1e-3 instead of the authors' 2e-4 (chosen by FD of 700- and 1,120-step runs;
   * see the README's quality section) and Soft-IntroVAE's β_neg halved (below).
   */
  QUICK28("28-quick", 28, 1, new int[] {32, 64}, 32, new IntroVaeObjective(0.25f, 4f, 40f), 64, Soft.QUICK, 64, 1, 8, 1e-3f),
  P28(28, 1, new int[] {64, 128}, 32, new IntroVaeObjective(0.25f, 4f, 40f), 128, Soft.MNIST, 128, 1),
  P32(32, 3, new int[] {64, 128, 256}, 128, new IntroVaeObjective(0.25f, 4f, 120f), 64, Soft.CIFAR, 32, 1),
  P64(64, 3, new int[] {64, 128, 256, 512}, 256, new IntroVaeObjective(0.25f, 0.1f, 120f), 32, Soft.CELEBA, 16, 0),
  P128(128, 3, new int[] {64, 128, 256, 512, 512}, 256, new IntroVaeObjective(0.25f, 0.05f, 120f), 16, Soft.CELEBA, 8, 0),
  P256(256, 3, new int[] {32, 64, 128, 256, 512, 512}, 512, new IntroVaeObjective(0.25f, 0.05f, 120f), 8, Soft.CELEBA, 8, 0),
  P1024(1024, 3, new int[] {16, 32, 64, 128, 256, 512, 512, 512}, 512, new IntroVaeObjective(0.25f, 0.02f, 500f), 4,
      Soft.CELEBA, 4, 4);

  /** Soft-IntroVAE's recommended (β_kl, β_rec, β_neg) from the official README; γ_r = 1e-8 throughout. */
  private static final class Soft {
    static final SoftIntroVaeObjective MNIST = new SoftIntroVaeObjective(1f, 1f, 256f, 1e-8f);
    static final SoftIntroVaeObjective CIFAR = new SoftIntroVaeObjective(1f, 1f, 256f, 1e-8f);
    static final SoftIntroVaeObjective CELEBA = new SoftIntroVaeObjective(0.5f, 1f, 1024f, 1e-8f);
    /**
     * β_neg 128 for the 1,120-step default run: FD 55.2, 63.5 and 43.0 on three seeds against 88.8, 116.9
     * and 122.7 with the authors' 256, which flattens the push on generated images too early for so short
     * a run (README: β_neg at the default length).
     */
    static final SoftIntroVaeObjective QUICK = new SoftIntroVaeObjective(1f, 1f, 128f, 1e-8f);
  }

  public static final Preset DEFAULT = QUICK28;

  private final String label;
  private final ModelConfig config;
  private final IntroVaeObjective weights;
  private final int batch;
  private final SoftIntroVaeObjective soft;
  private final int softBatch;
  private final int vaeEpochs;
  private final int epochs;
  private final float learningRate;

  Preset(int size, int channels, int[] widths, int z, IntroVaeObjective weights, int batch, SoftIntroVaeObjective soft,
      int softBatch, int vaeEpochs) {
    this(String.valueOf(size), size, channels, widths, z, weights, batch, soft, softBatch, vaeEpochs, 100, 2e-4f);
  }

  Preset(String label, int size, int channels, int[] widths, int z, IntroVaeObjective weights, int batch,
      SoftIntroVaeObjective soft, int softBatch, int vaeEpochs, int epochs, float learningRate) {
    this.label = label;
    this.learningRate = learningRate;
    this.soft = soft;
    this.softBatch = softBatch;
    this.epochs = epochs;
    this.config = new ModelConfig(size, channels, widths, z);
    this.weights = weights;
    this.batch = batch;
    this.vaeEpochs = vaeEpochs;
  }

  public String label() {
    return label;
  }

  public int epochs() {
    return epochs;
  }

  public ModelConfig config() {
    return config;
  }

  public IntroVaeObjective weights() {
    return weights;
  }

  /** IntroVAE's batch size (also used for the plain VAE). */
  public int batch() {
    return batch;
  }

  /** The Soft-IntroVAE authors' recommended weights for this kind of data (28-quick: β_neg halved). */
  public SoftIntroVaeObjective soft() {
    return soft;
  }

  /** Batch size for an objective: Soft-IntroVAE's recommendation for soft, else IntroVAE's. */
  public int batch(String objective) {
    return objective.equals(SoftIntroVaeObjective.NAME) ? softBatch : batch;
  }

  /**
   * VAE warm-up epochs for an objective: none for Soft-IntroVAE, as in the authors' image runs (its
   * 28-quick run reached FD 88.8 and 116.9 without one, 139.1 and 133.4 after one; README: Soft-IntroVAE
   * and the VAE warm-up), the preset's for the others.
   */
  public int vaeEpochs(String objective) {
    return objective.equals(SoftIntroVaeObjective.NAME) ? 0 : vaeEpochs;
  }

  /**
   * Steps between checkpoints: 100 for the short default run, so that the three its model averages
   * lie within its last 120 steps (FD 52.5 against 60.6 for checkpoints 200 apart and 70.8 for the last
   * step alone, README: Averaging checkpoints); 200 otherwise.
   */
  public int checkpointEvery() {
    return this == QUICK28 ? 100 : 200;
  }

  /** Adam learning rate for both networks: the official codes' 2e-4, except for the short default run. */
  public float learningRate() {
    return learningRate;
  }

  public static String names() {
    return Arrays.stream(values()).map(Preset::label).collect(Collectors.joining(", "));
  }

  public static Preset byName(String name) {
    for (Preset p : values()) {
      if (p.label().equals(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown preset '" + name + "' (choose one of " + names() + ")");
  }
}
