package org.introvae.translation;

/**
 * Nearest codes by Euclidean distance: how well codes tell labels apart (a k-nearest-neighbour
 * classifier trained on the first half of the codes and tested on the second), and how often a code
 * is nearer its own source than other candidates.
 */
final class NearestNeighbours {
  private NearestNeighbours() {}

  static double accuracy(float[][] codes, int[] labels, int k) {
    int half = codes.length / 2;
    int correct = 0;
    for (int t = half; t < codes.length; t++) {
      int[] nearest = new int[k];
      double[] distance = new double[k];
      java.util.Arrays.fill(distance, Double.MAX_VALUE);
      for (int i = 0; i < half; i++) {
        double d = squaredDistance(codes[t], codes[i]);
        for (int s = 0; s < k; s++) {
          if (d < distance[s]) {
            System.arraycopy(distance, s, distance, s + 1, k - s - 1);
            System.arraycopy(nearest, s, nearest, s + 1, k - s - 1);
            distance[s] = d;
            nearest[s] = i;
            break;
          }
        }
      }
      int[] votes = new int[256];
      int best = labels[nearest[0]];
      for (int s = 0; s < k; s++) {
        int label = labels[nearest[s]];
        votes[label]++;
        best = votes[label] > votes[best] ? label : best;
      }
      correct += best == labels[t] ? 1 : 0;
    }
    return correct / (double) Math.max(1, codes.length - half);
  }

  /**
   * How often a query is nearer its own candidate (the one of the same index) than another candidate:
   * over all queries and all other candidates, ties counting half. Chance is 0.5, always nearest 1.
   */
  static double ownNearer(float[][] queries, float[][] candidates) {
    double nearer = 0;
    for (int q = 0; q < queries.length; q++) {
      double own = squaredDistance(queries[q], candidates[q]);
      for (int i = 0; i < candidates.length; i++) {
        if (i != q) {
          double d = squaredDistance(queries[q], candidates[i]);
          nearer += d > own ? 1 : d == own ? 0.5 : 0;
        }
      }
    }
    return nearer / Math.max(1, (double) queries.length * (candidates.length - 1));
  }

  private static double squaredDistance(float[] a, float[] b) {
    double d = 0;
    for (int j = 0; j < a.length; j++) {
      double diff = a[j] - b[j];
      d += diff * diff;
    }
    return d;
  }

  /** The share of the most common label: what always guessing it scores. */
  static double majorityShare(int[] labels) {
    int[] counts = new int[256];
    int max = 0;
    for (int l : labels) {
      max = Math.max(max, ++counts[l]);
    }
    return max / (double) Math.max(1, labels.length);
  }
}
