package org.introvae.serving;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.introvae.serving.config.BatchingParameters;

/**
 * TF Serving's request batching: requests for the same signature (and outputs, and row shapes) of the
 * same model version queue together, and one session run serves a batch of them, its inputs joined
 * along the first dimension and its outputs split back. A batch closes when it holds max_batch_size
 * rows or its first request has waited batch_timeout_micros; num_batch_threads batches run at once;
 * beyond max_enqueued_batches waiting batches a request is refused (UNAVAILABLE). Requests whose
 * inputs do not all share a first dimension (scalars, e.g. "sample") run on their own.
 */
final class RequestBatcher implements AutoCloseable {
  /**
   * TF Serving's BatchingParameters. {@code maxBatchSize} is the largest request accepted; batches run at
   * up to {@link #executionBatchSize()} rows, which only {@code enable_large_batch_splitting} (with
   * {@code max_execution_batch_size}) makes smaller, splitting larger requests across batches.
   */
  record Parameters(int maxBatchSize, long timeoutMicros, int maxEnqueuedBatches, int threads, List<Integer> allowedSizes,
      boolean splitLargeBatches, int maxExecutionBatchSize, boolean padVariableLengthInputs) {
    Parameters(int maxBatchSize, long timeoutMicros, int maxEnqueuedBatches, int threads, List<Integer> allowedSizes) {
      this(maxBatchSize, timeoutMicros, maxEnqueuedBatches, threads, allowedSizes, false, maxBatchSize, false);
    }

    /** Rows one session run takes at most. */
    int executionBatchSize() {
      return splitLargeBatches ? maxExecutionBatchSize : maxBatchSize;
    }

    static Parameters read(Path file) {
      BatchingParameters.Builder p = TextProtoFile.read(file, BatchingParameters.newBuilder(), "BatchingParameters");
      int max = (int) bounded(file, "max_batch_size", p.hasMaxBatchSize() ? p.getMaxBatchSize().getValue() : 1000, 1, 1 << 20);
      boolean split = p.hasEnableLargeBatchSplitting() && p.getEnableLargeBatchSplitting().getValue();
      int execution = split && p.hasMaxExecutionBatchSize()
          ? (int) bounded(file, "max_execution_batch_size", p.getMaxExecutionBatchSize().getValue(), 1, max) : max;
      List<Integer> allowed = new ArrayList<>();
      for (long size : p.getAllowedBatchSizesList()) {
        if (size < 1 || (!allowed.isEmpty() && size <= allowed.get(allowed.size() - 1))) {
          throw new IllegalArgumentException(file + ": allowed_batch_sizes must be positive and increasing");
        }
        allowed.add((int) size);
      }
      if (!allowed.isEmpty() && allowed.get(allowed.size() - 1) != execution) {
        throw new IllegalArgumentException(file + ": the last of allowed_batch_sizes must equal "
            + (split ? "max_execution_batch_size" : "max_batch_size") + " (" + execution + ")");
      }
      return new Parameters(max,
          bounded(file, "batch_timeout_micros", p.hasBatchTimeoutMicros() ? p.getBatchTimeoutMicros().getValue() : 0, 0,
              60_000_000),
          (int) bounded(file, "max_enqueued_batches", p.hasMaxEnqueuedBatches() ? p.getMaxEnqueuedBatches().getValue() : 10,
              1, 1 << 20),
          (int) bounded(file, "num_batch_threads", p.hasNumBatchThreads() ? p.getNumBatchThreads().getValue()
              : Runtime.getRuntime().availableProcessors(), 1, 1024),
          List.copyOf(allowed), split, execution, p.getPadVariableLengthInputs());
    }

    private static long bounded(Path file, String field, long value, long min, long max) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(file + ": " + field + " is " + value + "; it must be " + min + " to " + max);
      }
      return value;
    }

    /** The size a batch of {@code rows} runs at: the next allowed size, or itself. */
    int paddedSize(int rows) {
      for (int size : allowedSizes) {
        if (size >= rows) {
          return size;
        }
      }
      return rows;
    }
  }

  /** Too many requests waiting: TF Serving's UNAVAILABLE (HTTP 503). */
  static final class QueueFull extends RuntimeException {
    QueueFull() {
      super("The batch scheduling queue to which this task was submitted is full");
    }
  }

  private record Key(ServableModel model, String signature, List<String> outputs, String rowShapes) {}

  private record Task(Map<String, HostTensor> inputs, int rows, long enqueuedNanos,
      CompletableFuture<Map<String, HostTensor>> result) {}

  private final class Queue {
    final Key key;
    final ArrayDeque<Task> tasks = new ArrayDeque<>();
    int rows;
    boolean scheduled;

    Queue(Key key) {
      this.key = key;
    }
  }

  private final Parameters parameters;
  private final java.util.concurrent.atomic.LongAdder batches = new java.util.concurrent.atomic.LongAdder();
  private final Map<Key, Queue> queues = new ConcurrentHashMap<>();
  private final ScheduledExecutorService threads;

  RequestBatcher(Parameters parameters) {
    this.parameters = parameters;
    threads = Executors.newScheduledThreadPool(parameters.threads(), r -> {
      Thread t = new Thread(r, "batch");
      t.setDaemon(true);
      return t;
    });
  }

  Parameters parameters() {
    return parameters;
  }

  /** Rows waiting in all queues. */
  long queuedRows() {
    long rows = 0;
    for (Queue q : queues.values()) {
      synchronized (q) {
        rows += q.rows;
      }
    }
    return rows;
  }

  /** Session runs made for batches so far. */
  long batchesRun() {
    return batches.sum();
  }

  /** The outputs of this request, run in a batch with others when its inputs allow. */
  Map<String, HostTensor> run(ServableModel model, String signature, Map<String, HostTensor> inputs, List<String> outputs) {
    int rows = -1;
    StringBuilder rowShapes = new StringBuilder();
    for (Map.Entry<String, HostTensor> e : new java.util.TreeMap<>(inputs).entrySet()) {
      long[] shape = e.getValue().shape();
      if (shape.length == 0 || (rows >= 0 && shape[0] != rows) || shape[0] == 0) {
        return model.runNow(signature, inputs, outputs);
      }
      rows = (int) shape[0];
      // With padding, requests whose inputs differ only in sizes beyond dimension 0 share a queue.
      boolean padded = parameters.padVariableLengthInputs() && shape.length <= VariableLengthPadding.MAX_RANK;
      rowShapes.append(e.getKey()).append(padded ? "/rank " + shape.length
          : Arrays.toString(Arrays.copyOfRange(shape, 1, shape.length))).append(';');
    }
    if (rows < 0) {
      return model.runNow(signature, inputs, outputs);
    }
    if (rows > parameters.maxBatchSize()) {
      throw new InvalidInput("Task size " + rows + " is larger than maximum input batch size " + parameters.maxBatchSize());
    }
    Key key = new Key(model, signature, List.copyOf(outputs), rowShapes.toString());
    int execution = parameters.executionBatchSize();
    if (rows <= execution) {
      return await(enqueue(key, inputs, rows));
    }
    // Large batch splitting: pieces of at most one execution batch, queued together, joined in order.
    List<CompletableFuture<Map<String, HostTensor>>> pieces = new ArrayList<>();
    for (int from = 0; from < rows; from += execution) {
      int n = Math.min(execution, rows - from);
      Map<String, HostTensor> piece = new LinkedHashMap<>();
      for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
        piece.put(e.getKey(), slice(e.getKey(), e.getValue(), from, n, rows));
      }
      pieces.add(enqueue(key, piece, n));
    }
    List<Map<String, HostTensor>> answers = new ArrayList<>();
    for (CompletableFuture<Map<String, HostTensor>> piece : pieces) {
      answers.add(await(piece));
    }
    Map<String, HostTensor> joined = new LinkedHashMap<>();
    for (String name : answers.get(0).keySet()) {
      joined.put(name, stack(name, answers.stream().map(a -> a.get(name)).toList(), rows));
    }
    return joined;
  }

  private CompletableFuture<Map<String, HostTensor>> enqueue(Key key, Map<String, HostTensor> inputs, int rows) {
    Task task = new Task(inputs, rows, System.nanoTime(), new CompletableFuture<>());
    // Queues live while they hold requests, so clients varying row shapes cannot grow the map.
    queues.compute(key, (k, existing) -> {
      Queue queue = existing != null ? existing : new Queue(k);
      synchronized (queue) {
        if (queue.rows + rows > (long) parameters.maxEnqueuedBatches() * parameters.executionBatchSize()) {
          throw new QueueFull();
        }
        queue.tasks.add(task);
        queue.rows += rows;
        schedule(queue);
      }
      return queue;
    });
    return task.result();
  }

  private static Map<String, HostTensor> await(CompletableFuture<Map<String, HostTensor>> result) {
    try {
      return result.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a batch");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    }
  }

  /**
   * Called holding the queue's lock: a batch job is due when the queue fills a batch, or when its first
   * request has waited the timeout. A queue that fills while its job waits for the timeout gets another
   * job at once (the waiting one then finds less or nothing to do).
   */
  private void schedule(Queue queue) {
    boolean full = queue.rows >= parameters.executionBatchSize();
    if (queue.tasks.isEmpty() || (queue.scheduled && !full)) {
      return;
    }
    queue.scheduled = true;
    long waited = (System.nanoTime() - queue.tasks.peek().enqueuedNanos()) / 1000;
    long delay = full ? 0 : Math.max(0, parameters.timeoutMicros() - waited);
    threads.schedule(() -> runBatch(queue), delay, TimeUnit.MICROSECONDS);
  }

  private void runBatch(Queue queue) {
    List<Task> batch = new ArrayList<>();
    int rows = 0;
    synchronized (queue) {
      queue.scheduled = false;
      while (!queue.tasks.isEmpty() && rows + queue.tasks.peek().rows() <= parameters.executionBatchSize()) {
        Task t = queue.tasks.poll();
        batch.add(t);
        rows += t.rows();
      }
      queue.rows -= rows;
      schedule(queue);
    }
    queues.computeIfPresent(queue.key, (k, q) -> {
      synchronized (q) {
        return q.tasks.isEmpty() && !q.scheduled ? null : q;
      }
    });
    if (batch.isEmpty()) {
      return;
    }
    batches.increment();
    try {
      Map<String, HostTensor> out = queue.key.model().runNow(queue.key.signature(), join(batch, rows), queue.key.outputs());
      int at = 0;
      for (Task t : batch) {
        Map<String, HostTensor> mine = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : out.entrySet()) {
          mine.put(e.getKey(), slice(e.getKey(), e.getValue(), at, t.rows(), rows));
        }
        at += t.rows();
        t.result().complete(mine);
      }
    } catch (RuntimeException e) {
      batch.forEach(t -> t.result().completeExceptionally(e));
    }
  }

  /** The batch's inputs joined along dimension 0, padded to an allowed size. */
  private Map<String, HostTensor> join(List<Task> batch, int rows) {
    int padded = parameters.paddedSize(rows);
    Map<String, HostTensor> joined = new LinkedHashMap<>();
    for (String name : batch.get(0).inputs().keySet()) {
      joined.put(name, stack(name, batch.stream().map(t -> t.inputs().get(name)).toList(), padded));
    }
    return joined;
  }

  /**
   * Tensors stacked along dimension 0 into {@code rows} rows, the rest copies of the first row; with
   * pad_variable_length_inputs, each first padded to the largest row shape among them.
   */
  private HostTensor stack(String name, List<HostTensor> tensors, int rows) {
    List<HostTensor> parts = tensors;
    if (parameters.padVariableLengthInputs()) {
      long[] shape = VariableLengthPadding.maxShape(tensors);
      parts = tensors.stream().map(t -> VariableLengthPadding.padTo(name, t, shape)).toList();
    }
    HostTensor first = parts.get(0);
    int perRow = first.size() / (int) first.shape()[0];
    Object values = HostTensor.allocate(first.dtype(), rows * perRow);
    int at = 0;
    for (HostTensor part : parts) {
      System.arraycopy(part.values(), 0, values, at, part.size());
      at += part.size();
    }
    for (; at < rows * perRow; at += perRow) {
      System.arraycopy(first.values(), 0, values, at, perRow);
    }
    long[] shape = first.shape().clone();
    shape[0] = rows;
    return new HostTensor(first.dtype(), shape, values);
  }

  private static HostTensor slice(String name, HostTensor t, int from, int count, int rows) {
    long[] shape = t.shape();
    if (shape.length == 0 || shape[0] < rows) {
      throw new InvalidInput("Batched output tensor '" + name + "' has shape " + Arrays.toString(shape)
          + ": its first dimension is not the batch; send this signature's requests with batching off");
    }
    int perRow = (int) (t.size() / shape[0]);
    Object values = HostTensor.allocate(t.dtype(), count * perRow);
    System.arraycopy(t.values(), from * perRow, values, 0, count * perRow);
    long[] mine = shape.clone();
    mine[0] = count;
    return new HostTensor(t.dtype(), mine, values);
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
