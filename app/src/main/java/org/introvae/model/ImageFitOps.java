package org.introvae.model;

import java.util.List;
import org.introvae.serving.ImageFit;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.image.DecodeImage;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;

/**
 * {@link ImageFit} as TensorFlow ops, so a SavedModel takes encoded images (PNG, JPEG, GIF, BMP) and
 * fits them exactly as training fits images: decode to RGB, centre square, halvings unrolled
 * {@link ImageFit#MAX_HALVINGS} times (a halving that is not due resizes to the same side, which
 * TensorFlow's bilinear leaves unchanged), bilinear to the target, ⌊v + ½⌋ after each step, luma for
 * one channel, then /255.
 */
final class ImageFitOps {
  private ImageFitOps() {}

  /** One encoded image (a [1] string tensor) → [1, size, size, channels] floats in [0, 1]. */
  static Operand<TFloat32> fit(Ops tf, Operand<TString> encoded, int size, int channels) {
    Operand<TString> one = tf.reshape(encoded, tf.constant(new long[0])); // fails unless exactly one image
    Operand<TFloat32> rgb = tf.dtypes.cast(tf.image.decodeImage(one, org.tensorflow.types.TUint8.class, DecodeImage.channels(3L),
        DecodeImage.expandAnimations(false)), TFloat32.class);
    Operand<TInt32> shape = tf.shape(rgb);
    Operand<TInt32> height = tf.gather(shape, tf.constant(0), tf.constant(0));
    Operand<TInt32> width = tf.gather(shape, tf.constant(1), tf.constant(0));
    Operand<TInt32> side = tf.math.minimum(height, width);
    Operand<TInt32> two = tf.constant(2);
    Operand<TInt32> y0 = tf.math.floorDiv(tf.math.sub(height, side), two);
    Operand<TInt32> x0 = tf.math.floorDiv(tf.math.sub(width, side), two);
    Operand<TFloat32> image = tf.slice(rgb, tf.stack(List.of(y0, x0, tf.constant(0))),
        tf.stack(List.of(side, side, tf.constant(3))));
    image = tf.expandDims(image, tf.constant(0));
    Operand<TInt32> target = tf.constant(size);
    for (int step = 0; step < ImageFit.MAX_HALVINGS; step++) {
      Operand<TInt32> half = tf.math.floorDiv(side, two);
      side = tf.select(tf.math.greaterEqual(half, target), half, side);
      image = resize(tf, image, side);
    }
    image = resize(tf, image, target);
    if (channels == 1) {
      List<Operand<TFloat32>> c = List.of(channel(tf, image, 0), channel(tf, image, 1), channel(tf, image, 2));
      image = round(tf, tf.math.add(tf.math.add(tf.math.mul(c.get(0), tf.constant(ImageFit.LUMA_R)),
          tf.math.mul(c.get(1), tf.constant(ImageFit.LUMA_G))), tf.math.mul(c.get(2), tf.constant(ImageFit.LUMA_B))));
    }
    return tf.math.div(image, tf.constant(255f));
  }

  private static Operand<TFloat32> resize(Ops tf, Operand<TFloat32> image, Operand<TInt32> side) {
    return round(tf, tf.image.resizeBilinear(image, tf.stack(List.of(side, side)), ResizeBilinear.halfPixelCenters(true)));
  }

  private static Operand<TFloat32> channel(Ops tf, Operand<TFloat32> image, int c) {
    return tf.slice(image, tf.constant(new int[] {0, 0, 0, c}), tf.constant(new int[] {-1, -1, -1, 1}));
  }

  private static Operand<TFloat32> round(Ops tf, Operand<TFloat32> x) {
    return tf.math.floor(tf.math.add(x, tf.constant(0.5f)));
  }
}
