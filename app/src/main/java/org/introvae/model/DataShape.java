package org.introvae.model;

import org.tensorflow.ndarray.Shape;

/**
 * The shape [height, width, channels] of one example the training graph takes: an image, a 2-D point as
 * [1, 1, 2], a cloud of N points as [N, 1, 3]. Soft-IntroVAE's scale s is the inverse of its {@link #values}.
 */
public record DataShape(int height, int width, int channels) {
  public DataShape {
    if (height < 1 || width < 1 || channels < 1) {
      throw new IllegalArgumentException("a data shape needs positive sizes, not [" + height + ", " + width + ", "
          + channels + "]");
    }
  }

  /** A side × side image of {@code channels} channels. */
  public static DataShape square(int side, int channels) {
    return new DataShape(side, side, channels);
  }

  /** Values per example. */
  public int values() {
    return height * width * channels;
  }

  /** The shape of {@code n} examples (−1: any number). */
  public Shape of(long n) {
    return Shape.of(n, height, width, channels);
  }
}
