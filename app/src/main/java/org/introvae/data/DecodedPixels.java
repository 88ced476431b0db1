package org.introvae.data;

import java.awt.image.BufferedImage;

/** Pixels of decoded images for {@link org.introvae.serving.ImageFit}, which fits them. */
final class DecodedPixels {
  private DecodedPixels() {}

  /**
   * The file's 8-bit values as packed 0xRRGGBB. Decoders disagree on gray images: ImageIO keeps the
   * file's values in a TYPE_BYTE_GRAY raster (Java2D would gamma-convert them, treating the raster as
   * linear light), while Commons Imaging stores them linearised so that getRGB() returns the file's
   * values. {@code rasterHoldsFileValues} says which kind {@code image} is.
   */
  static int[] packedRgb(BufferedImage image, boolean rasterHoldsFileValues) {
    int w = image.getWidth();
    int h = image.getHeight();
    int[] out = new int[w * h];
    boolean gray = rasterHoldsFileValues && image.getColorModel().getNumColorComponents() == 1;
    java.awt.image.Raster raster = image.getRaster();
    int max = gray ? (1 << image.getColorModel().getComponentSize(0)) - 1 : 255;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (gray) {
          int v = Math.round(raster.getSample(x, y, 0) * 255f / max);
          out[y * w + x] = (v << 16) | (v << 8) | v;
        } else {
          out[y * w + x] = image.getRGB(x, y) & 0xffffff;
        }
      }
    }
    return out;
  }

  /** A gray byte image (e.g. from IDX) as packed 0xRRGGBB. */
  static int[] packedGray(byte[] pixels, int offset, int size) {
    int[] out = new int[size * size];
    for (int i = 0; i < out.length; i++) {
      int v = pixels[offset + i] & 0xff;
      out[i] = (v << 16) | (v << 8) | v;
    }
    return out;
  }
}
