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
  void counts_how_often_a_query_is_nearer_its_own_candidate_than_another() {
    float[][] candidates = {{0, 0}, {4, 0}, {0, 4}, {4, 4}};
    // Squared distances to candidates 0-3. Query 0 (0.5, 0): 0.25 own, 12.25, 16.25, 28.25: nearer than
    // all 3 others. Query 1 (4, 3): 9 own; 25 and 17 farther, 1 nearer: 2. Query 2 (0, 2): 4 own; 4 (a
    // tie, ½), 20, 20: 2.5. Query 3 (4, 0): 16 own; 16 (a tie, ½), 0 nearer, 32 farther: 1.5. 9 of 12.
    float[][] queries = {{0.5f, 0}, {4, 3}, {0, 2}, {4, 0}};
    assertEquals(9 / 12.0, NearestNeighbours.ownNearer(queries, candidates), 1e-12);
    assertEquals(1.0, NearestNeighbours.ownNearer(candidates, candidates), 1e-12, "every code is its own");
  }
}
