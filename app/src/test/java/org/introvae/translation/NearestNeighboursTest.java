package org.introvae.translation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NearestNeighboursTest {
  @Test
  void votes_among_the_nearest_training_codes() {
    // Training half: label 0 around (0, 0), label 1 around (10, 0). Test half: three near each cluster,
    // one of them, (0, 0.2), labelled against its cluster: 5 of 6 right.
    float[][] codes = {{0, 0}, {0, 1}, {1, 0}, {10, 0}, {10, 1}, {11, 0},
        {0.5f, 0.5f}, {10.5f, 0.5f}, {9.5f, 0}, {0, 0.2f}, {1, 1}, {12, 0}};
    int[] labels = {0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1};
    assertEquals(5 / 6.0, NearestNeighbours.accuracy(codes, labels, 3), 1e-12);
    assertEquals(7 / 12.0, NearestNeighbours.majorityShare(labels), 1e-12, "seven 1s of twelve");
  }

  @Test
  void finds_each_query_s_own_candidate_when_it_is_the_nearest() {
    float[][] candidates = {{0, 0}, {4, 0}, {0, 4}, {4, 4}};
    // Query 0 sits by its own candidate, query 1 nearer candidate 3's, query 2 exactly between its own
    // and candidate 0 (a tie: the lower index, 0, wins), query 3 by its own: 2 of 4.
    float[][] queries = {{0.5f, 0}, {4, 3}, {0, 2}, {3.5f, 4}};
    assertEquals(0.5, NearestNeighbours.retrieval(queries, candidates), 1e-12);
    assertEquals(1.0, NearestNeighbours.retrieval(candidates, candidates), 1e-12, "every code finds itself");
  }
}
