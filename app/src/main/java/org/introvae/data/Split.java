package org.introvae.data;

import java.util.Random;

/**
 * A seeded split of an image set into training and held-out images, and the per-epoch order of the
 * training images. Orders are pure functions of (seed, epoch), so a resumed run sees the same batches.
 */
public final class Split {
  private final ImageSet images;
  private final int[] train;
  private final int[] heldOut;
  private final long seed;

  public Split(ImageSet images, double heldOutFraction, long seed) {
    this.images = images;
    this.seed = seed;
    int[] all = permutation(images.count(), new Random(seed));
    int held = (int) Math.round(images.count() * heldOutFraction);
    held = Math.min(Math.max(held, heldOutFraction > 0 ? 1 : 0), images.count() - 1);
    heldOut = java.util.Arrays.copyOfRange(all, 0, held);
    train = java.util.Arrays.copyOfRange(all, held, all.length);
    java.util.Arrays.sort(train);
  }

  public ImageSet images() {
    return images;
  }

  public int trainCount() {
    return train.length;
  }

  public int heldOutCount() {
    return heldOut.length;
  }

  /** Full batches per epoch (the last partial batch is dropped so every step has the same shape). */
  public int batchesPerEpoch(int batch) {
    return train.length / batch;
  }

  /** Fills {@code out} with batch {@code index} of epoch {@code epoch}, as floats in [0,1], NHWC. */
  public void trainBatch(int epoch, int index, int batch, float[] out) {
    int[] order = epochOrder(epoch);
    int n = images.imageBytes();
    for (int i = 0; i < batch; i++) {
      images.copyTo(train[order[index * batch + i]], out, i * n);
    }
  }

  /** The first {@code count} held-out images (or training images if none are held out). */
  public float[] heldOutImages(int count) {
    int[] source = heldOut.length > 0 ? heldOut : train;
    int k = Math.min(count, source.length);
    float[] out = new float[k * images.imageBytes()];
    for (int i = 0; i < k; i++) {
      images.copyTo(source[i], out, i * images.imageBytes());
    }
    return out;
  }

  /** The held-out images as a set of their own (the training images if none are held out). */
  public ImageSet heldOutSet() {
    int[] source = heldOut.length > 0 ? heldOut : train;
    int n = images.imageBytes();
    byte[] pixels = new byte[source.length * n];
    for (int i = 0; i < source.length; i++) {
      System.arraycopy(images.pixels(), source[i] * n, pixels, i * n, n);
    }
    return new ImageSet(pixels, source.length, images.size(), images.channels(),
        images.source() + " (the run's held-out images)", 0, null);
  }

  private int[] cachedOrder;
  private int cachedEpoch = -1;

  private int[] epochOrder(int epoch) {
    if (epoch != cachedEpoch) {
      cachedOrder = permutation(train.length, new Random(seed * 1_000_003L + epoch + 1));
      cachedEpoch = epoch;
    }
    return cachedOrder;
  }

  /** 0 … n − 1 in the order of a Fisher–Yates shuffle drawn from {@code random}. */
  public static int[] permutation(int n, Random random) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
