package org.introvae.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.DataType;

/** Requests joined into one session run and split back, for every dtype; a full queue refuses. */
class RequestBatcherTest {
  @TempDir
  static Path root;
  static Path version;

  @BeforeAll
  static void model() throws Exception {
    version = GenericSavedModel.write(root.resolve("generic"), 1);
  }

  /** The "types" signature's inputs for one request of {@code rows} rows, all derived from {@code k}. */
  private static Map<String, HostTensor> types(int k, int rows) {
    double[] d = new double[rows];
    int[] i = new int[rows];
    byte[] u = new byte[rows];
    boolean[] b = new boolean[rows];
    byte[][] s = new byte[rows][];
    for (int r = 0; r < rows; r++) {
      d[r] = k + r / 10.0;
      i[r] = 100 * k + r;
      u[r] = (byte) (k + r);
      b[r] = (k + r) % 2 == 0;
      s[r] = ("req" + k + "row" + r).getBytes(StandardCharsets.UTF_8);
    }
    Map<String, HostTensor> in = new LinkedHashMap<>();
    in.put("d", new HostTensor(DataType.DT_DOUBLE, new long[] {rows}, d));
    in.put("i", new HostTensor(DataType.DT_INT32, new long[] {rows}, i));
    in.put("u", new HostTensor(DataType.DT_UINT8, new long[] {rows}, u));
    in.put("b", new HostTensor(DataType.DT_BOOL, new long[] {rows}, b));
    in.put("s", new HostTensor(DataType.DT_STRING, new long[] {rows}, s));
    return in;
  }

  @Test
  void concurrent_requests_share_session_runs_and_get_their_own_rows() throws Exception {
    // A long timeout and a batch of 8 padded to 8: the 6 requests (1 or 2 rows) wait for each other.
    RequestBatcher.Parameters p = new RequestBatcher.Parameters(8, 2_000_000, 10, 2, List.of(4, 8));
    try (RequestBatcher batcher = new RequestBatcher(p); ServableModel model = ServableModel.load(version, 1, batcher)) {
      List<CompletableFuture<Map<String, HostTensor>>> answers = new ArrayList<>();
      for (int k = 0; k < 6; k++) {
        int request = k;
        answers.add(CompletableFuture.supplyAsync(() -> model.run("types", types(request, 1 + request % 2), List.of())));
      }
      for (int k = 0; k < 6; k++) {
        Map<String, HostTensor> out = answers.get(k).get();
        Map<String, HostTensor> in = types(k, 1 + k % 2);
        double[] d = (double[]) in.get("d").values();
        double[] d2 = new double[d.length];
        for (int r = 0; r < d.length; r++) {
          d2[r] = 2 * d[r]; // ×2 is exact
        }
        assertArrayEquals(d2, (double[]) out.get("d2").values());
        assertEquals(in.get("i").size(), ((int[]) out.get("i2").values()).length);
        assertEquals(100 * k * 2, ((int[]) out.get("i2").values())[0]);
        assertEquals(k, ((int[]) out.get("u_as_int").values())[0]);
        assertEquals(k % 2 != 0, ((boolean[]) out.get("not_b").values())[0]);
        assertArrayEquals((byte[][]) in.get("s").values(), (byte[][]) out.get("s_bytes").values());
      }
      assertTrue(batcher.batchesRun() < 6, batcher.batchesRun() + " session runs for 6 requests");
    }
  }

  @Test
  void a_full_queue_refuses_and_scalars_bypass_batching() throws Exception {
    RequestBatcher.Parameters p = new RequestBatcher.Parameters(4, 10_000_000, 1, 1, List.of());
    try (RequestBatcher batcher = new RequestBatcher(p); ServableModel model = ServableModel.load(version, 1, batcher)) {
      CompletableFuture<Map<String, HostTensor>> waiting =
          CompletableFuture.supplyAsync(() -> model.run("types", types(1, 3), List.of()));
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (batcher.queuedRows() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThrows(RequestBatcher.QueueFull.class, () -> model.run("types", types(2, 2), List.of()));
      // "serving_default" has a scalar input: it runs at once, not after the 10 s timeout.
      Map<String, HostTensor> scalar = model.run("serving_default", Map.of(
          "x", new HostTensor(DataType.DT_FLOAT, new long[] {1, 3}, new float[] {1, 2, 3}),
          "n", new HostTensor(DataType.DT_INT64, new long[0], new long[] {4})), List.of());
      assertArrayEquals(new long[] {5}, (long[]) scalar.get("n_next").values());
      // One more row fills the batch, which then runs without waiting for the timeout.
      Map<String, HostTensor> last = model.run("types", types(3, 1), List.of());
      assertEquals(1, last.get("d2").size());
      assertEquals(3, waiting.get().get("d2").size());
    }
  }

  private static void assertTypesAnswer(int k, int rows, Map<String, HostTensor> out) {
    Map<String, HostTensor> in = types(k, rows);
    double[] d = (double[]) in.get("d").values();
    double[] d2 = (double[]) out.get("d2").values();
    assertEquals(rows, d2.length);
    for (int r = 0; r < rows; r++) {
      assertEquals(2 * d[r], d2[r], 0.0, "row " + r); // ×2 is exact
    }
    assertArrayEquals((byte[][]) in.get("s").values(), (byte[][]) out.get("s_bytes").values());
  }

  /** TF Serving's rules: a request over max_batch_size is refused; with splitting it runs in execution-size pieces. */
  @Test
  void large_requests_are_refused_or_split_in_order() throws Exception {
    try (RequestBatcher batcher = new RequestBatcher(new RequestBatcher.Parameters(4, 0, 10, 1, List.of()));
        ServableModel model = ServableModel.load(version, 1, batcher)) {
      InvalidInput e = assertThrows(InvalidInput.class, () -> model.run("types", types(1, 5), List.of()));
      assertEquals("Task size 5 is larger than maximum input batch size 4", e.getMessage());
    }
    Path file = root.resolve("split.config");
    Files.writeString(file, "max_batch_size { value: 8 } enable_large_batch_splitting { value: true }"
        + " max_execution_batch_size { value: 3 } num_batch_threads { value: 1 }");
    RequestBatcher.Parameters split = RequestBatcher.Parameters.read(file);
    assertEquals(3, split.executionBatchSize());
    try (RequestBatcher batcher = new RequestBatcher(split); ServableModel model = ServableModel.load(version, 1, batcher)) {
      assertTypesAnswer(7, 8, model.run("types", types(7, 8), List.of()));
      assertEquals(3, batcher.batchesRun(), "8 rows in batches of at most 3");
      assertThrows(InvalidInput.class, () -> model.run("types", types(1, 9), List.of()));
    }
    Files.writeString(file, "max_batch_size { value: 8 } pad_variable_length_inputs: true");
    IllegalArgumentException padding = assertThrows(IllegalArgumentException.class, () -> RequestBatcher.Parameters.read(file));
    assertTrue(padding.getMessage().startsWith(file + ": pad_variable_length_inputs is not supported"), padding.getMessage());
  }
}
