package org.introvae.eval;

import java.util.Arrays;

/**
 * Area under the ROC curve for telling positives (e.g. in-distribution log-likelihoods) from negatives:
 * the probability that a random positive scores above a random negative, ties counting half
 * (Mann–Whitney U over ranks).
 */
public final class Auroc {
  private Auroc() {}

  public static double of(double[] positives, double[] negatives) {
    int n = positives.length + negatives.length;
    double[][] all = new double[n][];
    for (int i = 0; i < positives.length; i++) {
      all[i] = new double[] {positives[i], 1};
    }
    for (int i = 0; i < negatives.length; i++) {
      all[positives.length + i] = new double[] {negatives[i], 0};
    }
    Arrays.sort(all, (a, b) -> Double.compare(a[0], b[0]));
    double rankSum = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && all[j + 1][0] == all[i][0]) {
        j++;
      }
      double averageRank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        if (all[k][1] == 1) {
          rankSum += averageRank;
        }
      }
      i = j + 1;
    }
    double u = rankSum - positives.length * (positives.length + 1) / 2.0;
    return u / ((double) positives.length * negatives.length);
  }
}
