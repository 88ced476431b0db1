package org.introvae.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.introvae.testkit.GenericSavedModel;

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
    try (RequestBatcher batcher = new RequestBatcher(p); ServableModel model = ServableModel.load(version, 1, batcher, SessionThreads.AUTO)) {
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
    try (RequestBatcher batcher = new RequestBatcher(p); ServableModel model = ServableModel.load(version, 1, batcher, SessionThreads.AUTO)) {
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
        ServableModel model = ServableModel.load(version, 1, batcher, SessionThreads.AUTO)) {
      InvalidInput e = assertThrows(InvalidInput.class, () -> model.run("types", types(1, 5), List.of()));
      assertEquals("Task size 5 is larger than maximum input batch size 4", e.getMessage());
    }
    Path file = root.resolve("split.config");
    Files.writeString(file, "max_batch_size { value: 8 } enable_large_batch_splitting { value: true }"
        + " max_execution_batch_size { value: 3 } num_batch_threads { value: 1 }");
    RequestBatcher.Parameters split = RequestBatcher.Parameters.read(file);
    assertEquals(3, split.executionBatchSize());
    try (RequestBatcher batcher = new RequestBatcher(split); ServableModel model = ServableModel.load(version, 1, batcher, SessionThreads.AUTO)) {
      assertTypesAnswer(7, 8, model.run("types", types(7, 8), List.of()));
      assertEquals(3, batcher.batchesRun(), "8 rows in batches of at most 3");
      assertThrows(InvalidInput.class, () -> model.run("types", types(1, 9), List.of()));
    }
  }

  /** A SavedModel whose "seq" signature takes rows of any length: doubled = 2·seq, n2 = 2·n. */
  private static Path variableLengthModel() throws Exception {
    Path dir = root.resolve("variable/1");
    if (Files.isDirectory(dir)) {
      return dir;
    }
    try (Graph g = new Graph(); Session session = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> seq = tf.withName("seq").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1)));
      Placeholder<TInt32> n = tf.withName("n").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      SavedModelBundle.exporter(dir.toString()).withSession(session).withTags(SavedModelBundle.DEFAULT_TAG)
          .withSignatures(Signature.builder().key("seq").methodName("tensorflow/serving/predict")
              .input("seq", seq).input("n", n).output("doubled", tf.math.mul(seq, tf.constant(2f)))
              .output("n2", tf.math.mul(n, tf.constant(2))).build())
          .export();
    }
    return dir;
  }

  private static Map<String, HostTensor> sequences(int rows, int length, float base) {
    float[] v = new float[rows * length];
    for (int i = 0; i < v.length; i++) {
      v[i] = base + i;
    }
    Map<String, HostTensor> in = new LinkedHashMap<>();
    in.put("seq", new HostTensor(DataType.DT_FLOAT, new long[] {rows, length}, v));
    int[] lengths = new int[rows];
    Arrays.fill(lengths, length);
    in.put("n", new HostTensor(DataType.DT_INT32, new long[] {rows}, lengths));
    return in;
  }

  /**
   * pad_variable_length_inputs, read from TF Serving's text format: requests whose rows differ in length
   * run in one session call, each padded at the end with its own first value to the batch's longest
   * row; the answers keep the padded length (TF Serving splits outputs along dimension 0 only).
   */
  @Test
  void variable_length_inputs_are_padded_into_one_batch() throws Exception {
    Path file = root.resolve("padding.config");
    Files.writeString(file, "max_batch_size { value: 4 } batch_timeout_micros { value: 5000000 }"
        + " num_batch_threads { value: 1 } allowed_batch_sizes: 2 allowed_batch_sizes: 4 pad_variable_length_inputs: true");
    RequestBatcher.Parameters p = RequestBatcher.Parameters.read(file);
    assertTrue(p.padVariableLengthInputs());
    assertEquals(false, RequestBatcher.Parameters.read(writeConfig("max_batch_size { value: 4 }")).padVariableLengthInputs());
    try (RequestBatcher batcher = new RequestBatcher(p); ServableModel model = ServableModel.load(variableLengthModel(), 1, batcher, SessionThreads.AUTO)) {
      CompletableFuture<Map<String, HostTensor>> shortRow =
          CompletableFuture.supplyAsync(() -> model.run("seq", sequences(1, 2, 10f), List.of()));
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (batcher.queuedRows() < 1 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      // Two rows of 4 and one row of 3: 4 rows fill the batch, which runs at once.
      CompletableFuture<Map<String, HostTensor>> longRows =
          CompletableFuture.supplyAsync(() -> model.run("seq", sequences(2, 4, 0f), List.of()));
      while (batcher.queuedRows() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      Map<String, HostTensor> third = model.run("seq", sequences(1, 3, 100f), List.of());

      HostTensor a = shortRow.get().get("doubled");
      assertArrayEquals(new long[] {1, 4}, a.shape());
      assertArrayEquals(new float[] {20, 22, 20, 20}, (float[]) a.values(), "padded with its first value, 10");
      assertArrayEquals(new int[] {4}, (int[]) shortRow.get().get("n2").values(), "its true length travels beside it");
      HostTensor b = longRows.get().get("doubled");
      assertArrayEquals(new long[] {2, 4}, b.shape());
      assertArrayEquals(new float[] {0, 2, 4, 6, 8, 10, 12, 14}, (float[]) b.values());
      assertArrayEquals(new float[] {200, 202, 204, 200}, (float[]) third.get("doubled").values());
      assertEquals(1, batcher.batchesRun(), "one session run for the three requests");
    }
  }

  private static Path writeConfig(String text) throws Exception {
    Path file = Files.createTempFile(root, "batching", ".config");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void padding_follows_tf_servings_rules() {
    HostTensor t = new HostTensor(DataType.DT_INT32, new long[] {2, 2, 3}, new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    HostTensor padded = VariableLengthPadding.padTo("t", t, new long[] {9, 3, 4});
    assertArrayEquals(new long[] {2, 3, 4}, padded.shape(), "dimension 0 is never padded");
    assertArrayEquals(new int[] {1, 2, 3, 1, 4, 5, 6, 1, 1, 1, 1, 1, 7, 8, 9, 1, 10, 11, 12, 1, 1, 1, 1, 1},
        (int[]) padded.values());
    assertTrue(VariableLengthPadding.padTo("t", t, new long[] {2, 2, 3}) == t, "nothing to pad: the same tensor");
    byte[][] strings = {"a".getBytes(StandardCharsets.UTF_8), "b".getBytes(StandardCharsets.UTF_8)};
    HostTensor s = VariableLengthPadding.padTo("s", new HostTensor(DataType.DT_STRING, new long[] {1, 2}, strings),
        new long[] {1, 3});
    assertEquals("a", new String(((byte[][]) s.values())[2], StandardCharsets.UTF_8));
    InvalidInput empty = assertThrows(InvalidInput.class, () -> VariableLengthPadding.padTo("e",
        new HostTensor(DataType.DT_FLOAT, new long[] {1, 0}, new float[0]), new long[] {1, 2}));
    assertTrue(empty.getMessage().startsWith("Got empty tensor in batch of non-empty tensors"), empty.getMessage());
  }
}
