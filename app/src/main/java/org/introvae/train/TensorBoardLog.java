package org.introvae.train;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * TensorBoard event files (runs/<name>/tensorboard/) written with TensorFlow's own summary ops, in a
 * small graph of their own: scalars per logged step and image grids when pictures are drawn.
 */
final class TensorBoardLog implements AutoCloseable {
  private final Graph graph = new Graph();
  private final Session session;
  private final Placeholder<TInt64> step;
  private final Placeholder<TString> tag;
  private final Placeholder<TFloat32> value;
  private final Placeholder<TUint8> image;
  private final Op writeScalar;
  private final Op writeImage;
  private final Op flush;
  private final Op closeWriter;

  TensorBoardLog(Path folder) {
    Ops tf = Ops.create(graph);
    var writer = tf.summary.summaryWriter();
    Op create = tf.summary.createSummaryFileWriter(writer, tf.constant(folder.toAbsolutePath().toString()),
        tf.constant(16), tf.constant(5000), tf.constant(".v2"));
    step = tf.placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    tag = tf.placeholder(TString.class, Placeholder.shape(Shape.scalar()));
    value = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    image = tf.placeholder(TUint8.class, Placeholder.shape(Shape.of(1, -1, -1, 3)));
    writeScalar = tf.summary.writeScalarSummary(writer, step, tag, value);
    writeImage = tf.summary.writeImageSummary(writer, step, tag, image, tf.constant(new byte[] {(byte) 255, 0, 0, (byte) 255}));
    flush = tf.summary.flushSummaryWriter(writer);
    closeWriter = tf.summary.closeSummaryWriter(writer);
    session = new Session(graph);
    session.run(create);
  }

  void scalars(long at, Map<String, Float> values) {
    for (Map.Entry<String, Float> e : values.entrySet()) {
      try (TInt64 s = TInt64.scalarOf(at); TString t = TString.scalarOf(e.getKey()); TFloat32 v = TFloat32.scalarOf(e.getValue())) {
        session.runner().feed(step, s).feed(tag, t).feed(value, v).addTarget(writeScalar).run().close();
      }
    }
  }

  void image(long at, String name, BufferedImage picture) {
    int w = picture.getWidth();
    int h = picture.getHeight();
    byte[] rgb = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int p = picture.getRGB(x, y);
        int i = (y * w + x) * 3;
        rgb[i] = (byte) (p >> 16);
        rgb[i + 1] = (byte) (p >> 8);
        rgb[i + 2] = (byte) p;
      }
    }
    try (TInt64 s = TInt64.scalarOf(at); TString t = TString.scalarOf(name);
        TUint8 img = TUint8.tensorOf(Shape.of(1, h, w, 3), DataBuffers.of(rgb, true, false))) {
      session.runner().feed(step, s).feed(tag, t).feed(image, img).addTarget(writeImage).addTarget(flush).run().close();
    }
  }

  @Override
  public void close() {
    // Two runs: as targets of one run the two ops are unordered, and closing first made the flush fail.
    session.run(flush);
    session.run(closeWriter);
    session.close();
    graph.close();
  }
}
