package org.introvae.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * A SavedModel that is not an IntroVAE, built by the tests: every dtype the server converts, a
 * variable (so it has variables/), and three signatures.
 * <ul>
 *   <li>serving_default: x float [-1, 3] and n int64 [] → y = 2·x (2 is the variable), n_next = n + 1;</li>
 *   <li>types: d double [-1], i int32 [-1], u uint8 [-1], b bool [-1], s string [-1] → d2 = 2·d,
 *       i2 = 2·i, u_as_int = int32(u), not_b = ¬b, s_bytes = s (echoed, answered as b64 over REST);</li>
 *   <li>classify (tensorflow/serving/classify): serialized tf.Examples with a float feature x of 3
 *       values → scores = 2·x, classes = ["a", "b", "c"] per example;</li>
 *   <li>regress (tensorflow/serving/regress): the same examples → outputs = x0 + x1 + x2.</li>
 * </ul>
 */
public final class GenericSavedModel {
  private GenericSavedModel() {}

  /** A string constant of shape [rows, n / rows] (or [0] when empty). */
  private static Operand<TString> strings(Ops tf, int rows, String... values) {
    Shape shape = values.length == 0 ? Shape.of(0) : Shape.of(rows, values.length / rows);
    if (values.length > 0 && rows == 1 && values.length == 1) {
      shape = Shape.of(1);
    }
    return tf.constant(java.nio.charset.StandardCharsets.UTF_8, shape,
        org.tensorflow.ndarray.buffer.DataBuffers.ofObjects(values));
  }

  /** Writes the model as version {@code version} of {@code modelDir} and returns the version folder. */
  public static Path write(Path modelDir, long version) throws Exception {
    Path dir = modelDir.resolve(String.valueOf(version));
    Files.createDirectories(modelDir);
    try (Graph g = new Graph(); Session session = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> two = tf.withInitScope().variable(tf.withInitScope().constant(2f));
      Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 3)));
      Placeholder<TInt64> n = tf.withName("n").placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
      Placeholder<TFloat64> d = tf.withName("d").placeholder(TFloat64.class, Placeholder.shape(Shape.of(-1)));
      Placeholder<TInt32> i = tf.withName("i").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      Placeholder<TUint8> u = tf.withName("u").placeholder(TUint8.class, Placeholder.shape(Shape.of(-1)));
      Placeholder<TBool> b = tf.withName("b").placeholder(TBool.class, Placeholder.shape(Shape.of(-1)));
      Placeholder<TString> s = tf.withName("s").placeholder(TString.class, Placeholder.shape(Shape.of(-1)));
      Operand<TFloat32> y = tf.math.mul(x, two);
      Operand<TInt64> next = tf.math.add(n, tf.constant(1L));
      Operand<TFloat64> d2 = tf.math.mul(d, tf.dtypes.cast(two, TFloat64.class));
      Operand<TInt32> i2 = tf.math.mul(i, tf.constant(2));
      Operand<TInt32> uAsInt = tf.dtypes.cast(u, TInt32.class);
      Operand<TBool> notB = tf.math.logicalNot(b);
      Operand<TString> echo = tf.identity(s);
      Placeholder<TString> examples = tf.withName("examples").placeholder(TString.class,
          Placeholder.shape(Shape.of(-1)));
      @SuppressWarnings("unchecked")
      Operand<TFloat32> parsed = (Operand<TFloat32>) tf.io.parseExample(examples, strings(tf, 0),
          strings(tf, 0), strings(tf, 1, "x"), strings(tf, 0),
          java.util.List.of(tf.constant(new float[0])), 0L, java.util.List.of(), java.util.List.of(),
          java.util.List.of(), java.util.List.of(Shape.of(3))).denseValues().get(0);
      Operand<TFloat32> scores = tf.math.mul(parsed, two);
      Operand<TString> classes = tf.tile(strings(tf, 1, "a", "b", "c"),
          tf.concat(java.util.List.of(tf.shape(examples), tf.constant(new int[] {1})), tf.constant(0)));
      Operand<TFloat32> sums = tf.reduceSum(parsed, tf.constant(1));
      session.initialize();
      SavedModelBundle.exporter(dir.toString()).withSession(session).withTags(SavedModelBundle.DEFAULT_TAG)
          .withSignatures(
              Signature.builder().key("serving_default").methodName("tensorflow/serving/predict")
                  .input("x", x).input("n", n).output("y", y).output("n_next", next).build(),
              Signature.builder().key("types").methodName("tensorflow/serving/predict")
                  .input("d", d).input("i", i).input("u", u).input("b", b).input("s", s)
                  .output("d2", d2).output("i2", i2).output("u_as_int", uAsInt).output("not_b", notB)
                  .output("s_bytes", echo).build(),
              Signature.builder().key("classify").methodName("tensorflow/serving/classify")
                  .input("inputs", examples).output("scores", scores).output("classes", classes).build(),
              Signature.builder().key("regress").methodName("tensorflow/serving/regress")
                  .input("inputs", examples).output("outputs", sums).build())
          .export();
    }
    return dir;
  }
}
