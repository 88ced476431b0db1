package org.introvae.translation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.introvae.data.ImageSet;
import org.introvae.model.TensorFlowRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The pairs of the translation model's partner view: nearest images by pixel distance or the same label, batches of pairs. */
class ClassPairsTest {
  static final int SIDE = 4;

  @BeforeAll
  static void runtime() {
    TensorFlowRuntime.prepare();
  }

  private static ImageSet randomImages(int n, long seed) {
    byte[] pixels = new byte[n * SIDE * SIDE];
    new Random(seed).nextBytes(pixels);
    return new ImageSet(pixels, n, SIDE, 1, "random", 0, null);
  }

  private static double distance(ImageSet images, int a, int b) {
    int per = images.imageBytes();
    float[] x = new float[2 * per];
    images.copyTo(a, x, 0);
    images.copyTo(b, x, per);
    double d = 0;
    for (int i = 0; i < per; i++) {
      d += (x[i] - x[per + i]) * (double) (x[i] - x[per + i]);
    }
    return d;
  }

  @Test
  void finds_each_images_nearest_others_as_a_brute_force_search_does() {
    ImageSet images = randomImages(1500, 1);
    // 1,285 positions (not image indices): two chunks of up to 1,024 rows.
    int[] training = IntStream.range(0, 1500).filter(i -> i % 7 != 0).toArray();
    assertTrue(training.length > 1024);
    int m = 4;
    int[][] found = ClassPairs.nearest(images, training, m, 1);
    int checked = 0;
    int checkedInSecondChunk = 0;
    for (int p = 0; p < training.length; p += 7) {
      int self = p;
      Integer[] order = IntStream.range(0, training.length).filter(q -> q != self).boxed().toArray(Integer[]::new);
      Arrays.sort(order, Comparator.comparingDouble(q -> distance(images, training[self], training[q])));
      double last = distance(images, training[p], training[order[m - 1]]);
      double beyond = distance(images, training[p], training[order[m]]);
      // Float32 scores 2·a·b − |b|² of sums up to 16 values in [0, 1] round at about 1e-6 of their size (≤ 16):
      // where the m-th and (m + 1)-th distances are that close, either may rank m-th.
      if (beyond - last < 1e-4) {
        continue;
      }
      int[] expected = Arrays.stream(order, 0, m).mapToInt(Integer::intValue).sorted().toArray();
      assertArrayEquals(expected, Arrays.stream(found[p]).sorted().toArray(), "neighbours of " + p);
      checked++;
      checkedInSecondChunk += p >= 1024 ? 1 : 0;
    }
    assertTrue(checked > 100, "most rankings are clear: " + checked);
    assertTrue(checkedInSecondChunk > 10, "rows of the second chunk checked: " + checkedInSecondChunk);
    assertThrows(IllegalArgumentException.class, () -> ClassPairs.nearest(images, training, training.length, 1));
    assertThrows(IllegalArgumentException.class, () -> ClassPairs.nearest(images, training, 0, 1));
  }

  @Test
  void an_identical_image_is_a_neighbour_and_never_the_image_itself() {
    byte[] pixels = new byte[5 * SIDE * SIDE];
    new Random(2).nextBytes(pixels);
    System.arraycopy(pixels, 0, pixels, SIDE * SIDE, SIDE * SIDE);  // images 0 and 1 are the same
    ImageSet images = new ImageSet(pixels, 5, SIDE, 1, "duplicates", 0, null);
    int[][] found = ClassPairs.nearest(images, new int[] {0, 1, 2, 3, 4}, 2, 1);
    for (int p = 0; p < 5; p++) {
      assertEquals(2, found[p].length);
      for (int q : found[p]) {
        assertTrue(q != p, p + " is not its own neighbour");
      }
    }
    assertEquals(1, found[0][0], "the duplicate is nearest");
    assertEquals(0, found[1][0]);
  }

  @Test
  void a_batch_holds_pairs_of_an_image_and_one_of_its_neighbours_and_an_epoch_visits_every_image_first() {
    ImageSet images = randomImages(40, 3);
    int[] training = IntStream.range(0, 40).filter(i -> i % 5 != 0).toArray();  // 32: one epoch of 8 batches
    int[][] nearest = ClassPairs.nearest(images, training, 3, 1);
    ClassPairs pairs = new ClassPairs(nearest, 5);
    int per = images.imageBytes();
    float[] batch = new float[8 * per];
    int[] firsts = new int[training.length];
    for (int step = 0; step < training.length / 4; step++) {  // 4 pairs a batch, one epoch in all
      pairs.fill(images, training, batch, per);
      for (int i = 0; i < 8; i += 2) {
        int a = positionOf(images, training, batch, i * per);
        int b = positionOf(images, training, batch, (i + 1) * per);
        firsts[a]++;
        int partner = b;
        assertTrue(Arrays.stream(pairs.of(a)).anyMatch(q -> q == partner), b + " is one of " + a + "'s neighbours");
      }
    }
    assertTrue(Arrays.stream(firsts).allMatch(c -> c == 1), "each image leads one pair an epoch");
  }

  @Test
  void same_label_pairs_share_the_label_and_never_pair_an_image_with_itself() {
    ImageSet images = randomImages(60, 4);
    int[] labels = IntStream.range(0, 60).map(i -> i % 3 == 0 ? 7 : i % 2).toArray();  // labels 7, 0 and 1
    int[] training = IntStream.range(0, 60).filter(i -> i % 5 != 0).toArray();  // 48 positions
    int[][] candidates = ClassPairs.sameLabel(labels, training);
    for (int p = 0; p < training.length; p++) {
      for (int q : candidates[p]) {
        assertEquals(labels[training[p]], labels[training[q]], "the same label");
      }
      int self = p;
      assertTrue(Arrays.stream(candidates[p]).anyMatch(q -> q == self), "a class's one list holds every member");
    }
    ClassPairs pairs = new ClassPairs(candidates, 9);
    int per = images.imageBytes();
    float[] batch = new float[8 * per];
    for (int step = 0; step < 12; step++) {  // two epochs of 48
      pairs.fill(images, training, batch, per);
      for (int i = 0; i < 8; i += 2) {
        int a = positionOf(images, training, batch, i * per);
        int b = positionOf(images, training, batch, (i + 1) * per);
        assertTrue(a != b, "not the image itself");
        assertEquals(labels[training[a]], labels[training[b]]);
      }
    }
  }

  /** The position in {@code training} of the image at {@code offset} of {@code batch} (random images are distinct). */
  private static int positionOf(ImageSet images, int[] training, float[] batch, int offset) {
    int per = images.imageBytes();
    float[] image = new float[per];
    for (int p = 0; p < training.length; p++) {
      images.copyTo(training[p], image, 0);
      if (Arrays.equals(image, Arrays.copyOfRange(batch, offset, offset + per))) {
        return p;
      }
    }
    throw new AssertionError("not a training image");
  }
}
