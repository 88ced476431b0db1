package org.introvae.translation;

import java.util.Random;
import org.introvae.data.ImageSet;
import org.introvae.data.Split;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Training batches of pairs for the translation model's partner view: slot 2i holds the next image of a
 * shuffled epoch, slot 2i + 1 a partner drawn at random from its candidates, either
 * <ul>
 *   <li>its M nearest training images by Euclidean pixel distance (no labels): near neighbours mostly
 *       share the class (measured on 9,000 images: 88 % of the 30 nearest for MNIST digits, 72 % for
 *       Fashion-MNIST) but also much of their style; or
 *   <li>the other training images of its label (supervised, as LORD's class embeddings are).
 * </ul>
 */
final class ClassPairs {
  /** Rows of the distance matrix computed per run: 1,024 × n floats at a time. */
  private static final int CHUNK = 1024;

  private final int[][] candidates;
  private final Random random;
  private int[] epoch = new int[0];
  private int next;

  /** Pairs of training positions p and one of {@code candidates[p]} (p itself is never drawn while there are others). */
  ClassPairs(int[][] candidates, long seed) {
    this.candidates = candidates;
    this.random = new Random(seed);
  }

  /** The partners image p may get. */
  int[] of(int p) {
    return candidates[p].clone();
  }

  /**
   * Fills {@code batch} (an even number of images of {@code per} values) from {@code images}[{@code
   * training}[·]] as pairs of an image and one of its candidates.
   */
  void fill(ImageSet images, int[] training, float[] batch, int per) {
    int count = batch.length / per;
    for (int i = 0; i + 1 < count; i += 2) {
      if (next == epoch.length) {
        epoch = Split.permutation(training.length, random);
        next = 0;
      }
      int a = epoch[next++];
      int[] near = candidates[a];
      int b = near[random.nextInt(near.length)];
      while (b == a && near.length > 1) {
        b = near[random.nextInt(near.length)];
      }
      images.copyTo(training[a], batch, i * per);
      images.copyTo(training[b], batch, (i + 1) * per);
    }
  }

  /**
   * The {@code m} nearest of each of {@code images}[{@code training}[·]] among the same images, as
   * positions in {@code training}. Ranks by 2·a·b − |b|², which orders b as −|a − b|² does for a fixed a.
   */
  static int[][] nearest(ImageSet images, int[] training, int m, int threads) {
    int n = training.length;
    if (m < 1 || m >= n) {
      throw new IllegalArgumentException("expected 1 to " + (n - 1) + " neighbours, not " + m);
    }
    int per = images.imageBytes();
    float[] all = new float[n * per];
    for (int i = 0; i < n; i++) {
      images.copyTo(training[i], all, i * per);
    }
    int[][] out = new int[n][];
    try (Graph g = new Graph();
        Session s = new Session(g, org.introvae.model.TrainingSession.settings(threads));
        TFloat32 everything = TFloat32.tensorOf(Shape.of(n, per), DataBuffers.of(all, true, false))) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> rows = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> b = tf.placeholder(TFloat32.class);
      Operand<TFloat32> squares = tf.reduceSum(tf.math.square(b), tf.constant(1));
      Operand<TFloat32> scores = tf.math.sub(tf.math.mul(tf.constant(2f),
          tf.linalg.matMul(rows, b, org.tensorflow.op.linalg.MatMul.transposeB(true))), squares);
      var top = tf.nn.topK(scores, tf.constant(m + 1), TInt32.class);
      for (int from = 0; from < n; from += CHUNK) {
        int to = Math.min(n, from + CHUNK);
        float[] chunk = java.util.Arrays.copyOfRange(all, from * per, to * per);
        try (TFloat32 fed = TFloat32.tensorOf(Shape.of(to - from, per), DataBuffers.of(chunk, true, false));
            Result r = s.runner().feed(rows, fed).feed(b, everything).fetch(top.indices()).run()) {
          TInt32 indices = (TInt32) r.get(0);
          int[] flat = new int[(to - from) * (m + 1)];
          indices.asRawTensor().data().asInts().read(flat);
          for (int i = from; i < to; i++) {
            out[i] = withoutSelf(flat, (i - from) * (m + 1), m, i);
          }
        }
      }
    }
    return out;
  }

  /**
   * For each of {@code training}'s positions, the positions of the same label (itself among them, shared
   * arrays: a class's list is built once).
   */
  static int[][] sameLabel(int[] labels, int[] training) {
    java.util.Map<Integer, java.util.List<Integer>> byLabel = new java.util.HashMap<>();
    for (int p = 0; p < training.length; p++) {
      byLabel.computeIfAbsent(labels[training[p]], k -> new java.util.ArrayList<>()).add(p);
    }
    java.util.Map<Integer, int[]> lists = new java.util.HashMap<>();
    byLabel.forEach((label, positions) -> lists.put(label, positions.stream().mapToInt(Integer::intValue).toArray()));
    int[][] out = new int[training.length][];
    for (int p = 0; p < training.length; p++) {
      out[p] = lists.get(labels[training[p]]);
    }
    return out;
  }

  /** The m of the m + 1 candidates at {@code at} other than {@code self} (the farthest dropped when self is absent, a duplicate image ranking first). */
  private static int[] withoutSelf(int[] candidates, int at, int m, int self) {
    int[] out = new int[m];
    int k = 0;
    for (int j = 0; j <= m && k < m; j++) {
      if (candidates[at + j] != self) {
        out[k++] = candidates[at + j];
      }
    }
    return out;
  }
}
