package org.introvae.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.introvae.model.Architecture.Moments;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The decoder statistics exports sample with: measured from the batch-statistics pass, pooled by the
 * law of total variance, and wired into every normalisation of the sampling path.
 */
class PriorCalibrationTest {
  private static final ModelConfig CONFIG = new ModelConfig(28, 1, new int[] {8, 16}, 8);
  private static final int BATCH = 64;

  @Test
  void poolingEqualBatchesAddsTheVarianceOfTheirMeans() {
    // Channel 0: batches with means 1 and 3, variances 2 and 4: mean 2, variance (2+4)/2 + ((1−2)²+(3−2)²)/2 = 4.
    // Channel 1: identical batches pool to themselves.
    Moments pooled = PriorCalibration.pooled(List.of(new Moments(new float[] {1, 5}, new float[] {2, 0.5f}),
        new Moments(new float[] {3, 5}, new float[] {4, 0.5f})));
    assertArrayEquals(new float[] {2, 5}, pooled.mean(), 0f);
    assertArrayEquals(new float[] {4, 0.5f}, pooled.variance(), 0f);
  }

  @Test
  void largerImagesCalibrateOnSmallerBatches() {
    assertEquals(1000, PriorCalibration.batch(28));
    assertEquals(1000, PriorCalibration.batch(32));
    assertEquals(250, PriorCalibration.batch(64), "a quarter of the draws for four times the pixels");
    assertEquals(32, PriorCalibration.batch(256), "never fewer than 32");
  }

  @Test
  void statisticsMeasuredOnOneBatchDecodeThatBatchAsBatchStatisticsDo() {
    TensorFlowRuntime.prepare();
    Map<String, Moments> measured;
    float[] batchStatistics;
    float[] moving;
    try (InferenceGraph g = new InferenceGraph(CONFIG); Session s = new Session(g.graph)) {
      s.initialize();
      measured = PriorCalibration.measure(g, s, 1, BATCH);
      batchStatistics = run(s, g, g.samplesBatchStatistics);
      moving = run(s, g, g.samples);
    }
    // Every normalisation of the decoder: two per residual block (three blocks at two widths).
    assertEquals(6, measured.size(), measured.keySet().toString());
    float[] calibrated;
    try (InferenceGraph g = new InferenceGraph(CONFIG, TranslationNetworks.Split.NONE, measured); Session s = new Session(g.graph)) {
      s.initialize(); // stateless initialisers: the same weights as above
      calibrated = run(s, g, g.samples);
    }
    // Same draws, same weights. Training-mode batch norm normalises by the biased variance but reports the
    // unbiased one (×N/(N−1)), which the calibrated path then uses: with N ≥ 64·7·7 values per channel that
    // scales each normalised value by at most 1 − 1.6e-4, compounded over six layers ≈ 1e-3 of outputs of
    // order 1; float32 rounding of the two kernels is far below that.
    float largest = 0;
    float differsFromMoving = 0;
    for (int i = 0; i < calibrated.length; i++) {
      largest = Math.max(largest, Math.abs(calibrated[i] - batchStatistics[i]));
      differsFromMoving = Math.max(differsFromMoving, Math.abs(calibrated[i] - moving[i]));
    }
    assertTrue(largest < 2e-3f, "calibrated vs batch statistics: " + largest);
    assertTrue(differsFromMoving > 0.05f, "the moving averages (still their initial 0 and 1) decode otherwise: "
        + differsFromMoving);
  }

  private static float[] run(Session s, InferenceGraph g, Operand<TFloat32> images) {
    try (TInt64 seed = TInt64.scalarOf(PriorCalibration.FIRST_SEED); TInt32 count = TInt32.scalarOf(BATCH);
        Result r = s.runner().feed(g.sampleSeed, seed).feed(g.sampleCount, count).fetch(images).run()) {
      return TrainingSession.floats(r, 0);
    }
  }
}
