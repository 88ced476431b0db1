package org.introvae.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import javax.imageio.ImageIO;
import org.introvae.serving.ImageFit;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/** The graph's image fitting (exported models' reconstruct_image) against the Java one training uses. */
@org.junit.jupiter.api.Tag("cross-kernel")
class ImageFitOpsTest {
  /** Smooth gradients plus noise, so halvings and the final bilinear step all matter. */
  private static BufferedImage picture(int w, int h, long seed) {
    Random random = new Random(seed);
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int r = (x * 255 / w + random.nextInt(40)) & 0xff;
        int g = (y * 255 / h + random.nextInt(40)) & 0xff;
        int b = random.nextInt(256);
        image.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    return image;
  }

  @Test
  void the_graph_fits_png_files_as_training_does() throws Exception {
    int[][] sizes = {{28, 28}, {57, 41}, {97, 61}, {300, 200}, {64, 64}, {1000, 333}};
    for (int channels : new int[] {1, 3}) {
      for (int[] wh : sizes) {
        BufferedImage image = picture(wh[0], wh[1], wh[0] * 31L + wh[1]);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        int[] rgb = image.getRGB(0, 0, wh[0], wh[1], null, 0, wh[0]);
        for (int i = 0; i < rgb.length; i++) {
          rgb[i] &= 0xffffff;
        }
        byte[] expected = ImageFit.fit(rgb, wh[0], wh[1], 28, channels);
        float[] graph = fitInGraph(png.toByteArray(), 28, channels);
        assertEquals(expected.length, graph.length);
        int differing = 0;
        for (int i = 0; i < expected.length; i++) {
          float diff = Math.abs(graph[i] * 255f - (expected[i] & 0xff));
          // Same formulas in float; only a coordinate or sum rounded differently can move a value
          // across .5, which changes it by one 8-bit step.
          assertTrue(diff < 1.001f, wh[0] + "×" + wh[1] + " value " + i + " differs by " + diff);
          differing += diff > 0.01f ? 1 : 0;
        }
        assertTrue(differing <= expected.length / 100, wh[0] + "×" + wh[1] + ": " + differing + " values differ");
      }
    }
  }

  private static float[] fitInGraph(byte[] encoded, int size, int channels) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TString> bytes = tf.placeholder(TString.class, Placeholder.shape(Shape.of(1)));
      Operand<TFloat32> fitted = ImageFitOps.fit(tf, bytes, size, channels);
      try (TString in = TString.tensorOfBytes(NdArrays.vectorOfObjects(encoded));
          TFloat32 out = (TFloat32) s.runner().feed(bytes, in).fetch(fitted).run().get(0)) {
        assertEquals(Shape.of(1, size, size, channels), out.shape());
        float[] values = new float[(int) out.size()];
        out.copyTo(DataBuffers.of(values, false, false));
        return values;
      }
    }
  }
}
