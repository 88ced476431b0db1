package org.introvae.points;

import static org.introvae.serving.Signatures.CLOUDS;
import static org.introvae.serving.Signatures.COUNT;
import static org.introvae.serving.Signatures.DECODE;
import static org.introvae.serving.Signatures.ENCODE;
import static org.introvae.serving.Signatures.LOGVAR;
import static org.introvae.serving.Signatures.MU;
import static org.introvae.serving.Signatures.RECONSTRUCT;
import static org.introvae.serving.Signatures.SAMPLE;
import static org.introvae.serving.Signatures.SEED;
import static org.introvae.serving.Signatures.SERVING_DEFAULT;
import static org.introvae.serving.Signatures.Z;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.introvae.export.ModelExporter;
import org.introvae.export.ModelVersions;
import org.introvae.model.Architecture.Mode;
import org.introvae.model.Architecture.Posterior;
import org.introvae.model.PointNetworks;
import org.introvae.model.TensorFlowRuntime;
import org.introvae.serving.Json;
import org.introvae.serving.PointCloudModel;
import org.introvae.train.StorageError;
import org.introvae.train.UserError;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * A point-cloud model as a SavedModel in TF Serving's layout: the PointNet encoder and the decoder under
 * their training names (so the run's checkpoint restores into them), clouds as [n, points, 3] in and
 * out, unclipped. Signatures as the image models': serving_default and reconstruct (clouds → D(μ)),
 * encode (→ mu, logvar), decode (z → clouds), sample (seed, count → clouds from z ~ N(0, I)). The facts
 * go to assets/introvae-points.json; servers serve it as any SavedModel.
 */
final class PointCloudExport {
  private PointCloudExport() {}

  static Path write(PointCloudTraining.Settings st, Path checkpoint, Map<String, Object> facts, Path modelDir)
      throws UserError, IOException {
    return ModelVersions.write(modelDir, null, tmp -> {
      TensorFlowRuntime.prepare();
      try (Graph g = new Graph(); Session session = new Session(g)) {
        Signature[] signatures = build(Ops.create(g), st);
        session.restore(checkpoint.toString());
        try {
          SavedModelBundle.exporter(tmp.toString()).withSession(session).withSignatures(signatures)
              .withTags(SavedModelBundle.DEFAULT_TAG).export();
          Files.createDirectories(tmp.resolve("assets"));
          Files.writeString(tmp.resolve("assets").resolve(PointCloudModel.ASSET), Json.writePretty(facts));
        } catch (RuntimeException | IOException e) {
          throw StorageError.of(modelDir, "write the SavedModel", e);
        }
      }
    });
  }

  private static Signature[] build(Ops tf, PointCloudTraining.Settings st) {
    int n = st.points();
    PointNetworks.Encoder encoder = new PointNetworks.Encoder(tf, st.widths(), st.zDim(), st.priorStd(), 0);
    PointNetworks.Decoder decoder = new PointNetworks.Decoder(tf, n, st.zDim(), st.priorStd(), 1);
    Placeholder<TFloat32> clouds = tf.withName(CLOUDS).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, n, 3)));
    Posterior q = encoder.apply(tf, tf.reshape(clouds, tf.constant(PointNetworks.shape(n).of(-1).asArray())), Mode.INFERENCE);
    Operand<TFloat32> mu = tf.withName(MU).identity(q.mu());
    Operand<TFloat32> logvar = tf.withName(LOGVAR).identity(q.logvar());
    Operand<TFloat32> reconstructions = asClouds(tf, decoder.apply(tf, mu, Mode.INFERENCE), n, "reconstructions");
    Placeholder<TFloat32> z = tf.withName(Z).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, st.zDim())));
    Operand<TFloat32> decoded = asClouds(tf, decoder.apply(tf, z, Mode.INFERENCE), n, "decoded");
    Placeholder<TInt64> seed = tf.withName(SEED).placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    Placeholder<TInt32> count = tf.withName(COUNT).placeholder(TInt32.class, Placeholder.shape(Shape.scalar()));
    Operand<TFloat32> prior = tf.random.statelessRandomNormal(tf.stack(List.of(count, tf.constant(st.zDim()))),
        tf.stack(List.of(seed, tf.constant(0L))));
    Operand<TFloat32> samples = asClouds(tf, decoder.apply(tf, prior, Mode.INFERENCE), n, "samples");
    String predict = ModelExporter.PREDICT;
    return new Signature[] {
        Signature.builder().key(SERVING_DEFAULT).methodName(predict).input(CLOUDS, clouds).output(CLOUDS, reconstructions).build(),
        Signature.builder().key(RECONSTRUCT).methodName(predict).input(CLOUDS, clouds).output(CLOUDS, reconstructions).build(),
        Signature.builder().key(ENCODE).methodName(predict).input(CLOUDS, clouds).output(MU, mu).output(LOGVAR, logvar).build(),
        Signature.builder().key(DECODE).methodName(predict).input(Z, z).output(CLOUDS, decoded).build(),
        Signature.builder().key(SAMPLE).methodName(predict).input(SEED, seed).input(COUNT, count).output(CLOUDS, samples).build()};
  }

  private static Operand<TFloat32> asClouds(Ops tf, Operand<TFloat32> decoded, int points, String name) {
    return tf.withName(name).reshape(decoded, tf.constant(new long[] {-1, points, 3}));
  }
}
