package org.introvae.train;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.introvae.data.Split;

/**
 * Prepares the next step's batch on a background thread while the current step runs, with two
 * buffers in turn. Batches are a pure function of (epoch, index), so prefetching changes nothing but
 * the time; {@link #waitedSeconds()} is how long steps waited for data.
 */
final class BatchPrefetcher implements AutoCloseable {
  private final Split split;
  private final int batch;
  private final int perEpoch;
  private final float[][] buffers;
  private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "batch-prefetch");
    t.setDaemon(true);
    return t;
  });
  private Future<float[]> next;
  private long nextStep = -1;
  private long waitedNanos;

  BatchPrefetcher(Split split, int batch, int perEpoch) {
    this.split = split;
    this.batch = batch;
    this.perEpoch = perEpoch;
    int n = batch * split.images().imageBytes();
    this.buffers = new float[][] {new float[n], new float[n]};
  }

  /** The batch of {@code step}; starts preparing {@code step + 1}'s. Call with increasing steps. */
  float[] batchOf(long step) {
    if (next == null || nextStep != step) {
      next = prepare(step);
    }
    long t = System.nanoTime();
    float[] current;
    try {
      current = next.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while preparing a batch", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("preparing a batch failed", e.getCause());
    }
    waitedNanos += System.nanoTime() - t;
    next = prepare(step + 1);
    nextStep = step + 1;
    return current;
  }

  private Future<float[]> prepare(long step) {
    float[] buffer = buffers[(int) (step % 2)];
    return thread.submit(() -> {
      split.trainBatch((int) (step / perEpoch), (int) (step % perEpoch), batch, buffer);
      return buffer;
    });
  }

  double waitedSeconds() {
    return waitedNanos / 1e9;
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
