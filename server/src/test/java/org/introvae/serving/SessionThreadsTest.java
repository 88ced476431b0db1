package org.introvae.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.introvae.testkit.GenericSavedModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DataType;

/** TF Serving's --tensorflow_*_parallelism flags: how they combine, and a model loaded with them. */
class SessionThreadsTest {
  @TempDir
  Path root;

  @Test
  void flags_combine_as_in_tf_serving() {
    assertEquals(SessionThreads.AUTO, SessionThreads.fromFlags(null, null, null));
    assertNull(SessionThreads.AUTO.configProto(), "no flag keeps TensorFlow's own defaults");
    assertEquals(new SessionThreads(1, 1), SessionThreads.fromFlags(1L, null, null));
    assertEquals(new SessionThreads(2, 0), SessionThreads.fromFlags(null, 2L, null));
    assertEquals(new SessionThreads(0, 3), SessionThreads.fromFlags(null, null, 3L));
    ConfigProto config = SessionThreads.fromFlags(null, 2L, 1L).configProto();
    assertEquals(2, config.getIntraOpParallelismThreads());
    assertEquals(1, config.getInterOpParallelismThreads());
    // TF Serving's server.cc: a positive separate flag wins over the combined one; only all three is an error.
    assertEquals(new SessionThreads(0, 2), SessionThreads.fromFlags(1L, null, 2L));
    IllegalArgumentException all = assertThrows(IllegalArgumentException.class,
        () -> SessionThreads.fromFlags(1L, 1L, 1L));
    assertTrue(all.getMessage().contains("You cannot configure all"), all.getMessage());
    // Negative counts pass through as TF Serving passes them; TensorFlow then runs ops in the caller's thread.
    assertEquals(new SessionThreads(1, -1), SessionThreads.fromFlags(null, 1L, -1L));
    assertEquals(-1, SessionThreads.fromFlags(null, 1L, -5L).configProto().getInterOpParallelismThreads());
    assertEquals(1024, SessionThreads.fromFlags(null, 1L << 40, null).configProto().getIntraOpParallelismThreads());
  }

  @Test
  void conflicting_flags_are_a_one_line_error() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = ServeCommand.run(new String[] {"--models", root.toString(), "--tensorflow_session_parallelism=1",
        "--tensorflow_intra_op_parallelism=1", "--tensorflow_inter_op_parallelism=2", "--port=-1", "--rest_api_port=0"},
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
    assertEquals(2, code);
    String message = err.toString().strip();
    assertTrue(message.startsWith("error: Either configure --tensorflow_session_parallelism") && !message.contains("\n"),
        message);
  }

  /** With a negative inter-op count, TensorFlow runs each call's ops in the calling thread; the answers stay. */
  @Test
  void a_model_loaded_to_run_in_the_callers_thread_serves() throws Exception {
    Path version = GenericSavedModel.write(root.resolve("caller"), 1);
    try (ServableModel model = ServableModel.load(version, 1, null, new SessionThreads(1, -1))) {
      Map<String, HostTensor> out = model.run("", Map.of(
          "x", new HostTensor(DataType.DT_FLOAT, new long[] {1, 3}, new float[] {3, 4, 5}),
          "n", new HostTensor(DataType.DT_INT64, new long[0], new long[] {7})), List.of());
      assertArrayEquals(new float[] {6, 8, 10}, (float[]) out.get("y").values()); // ×2 is exact
      assertArrayEquals(new long[] {8}, (long[]) out.get("n_next").values());
    }
  }

  /**
   * A version loaded with one thread per pool answers as with the defaults. (TensorFlow sizes its CPU
   * pools once per process, from the first session: as in TF Serving, every model of a server gets the
   * same flags, and the benchmark runs each setting in a JVM of its own.)
   */
  @Test
  void a_model_loaded_with_one_thread_per_pool_serves() throws Exception {
    Path version = GenericSavedModel.write(root.resolve("generic"), 1);
    try (ServableModel model = ServableModel.load(version, 1, null, new SessionThreads(1, 1))) {
      Map<String, HostTensor> out = model.run("", Map.of(
          "x", new HostTensor(DataType.DT_FLOAT, new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}),
          "n", new HostTensor(DataType.DT_INT64, new long[0], new long[] {41})), List.of());
      assertArrayEquals(new float[] {2, 4, 6, 8, 10, 12}, (float[]) out.get("y").values()); // ×2 is exact
      assertArrayEquals(new long[] {42}, (long[]) out.get("n_next").values());
    }
  }
}
