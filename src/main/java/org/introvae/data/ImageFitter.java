package org.introvae.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/** Centre-crops an image to a square and resizes it (bilinear, halving first for large reductions). */
final class ImageFitter {
  private ImageFitter() {}

  /** {@code image} must hold the file's sRGB values exactly (see {@link #exactRgb}). */
  static BufferedImage fit(BufferedImage image, int size) {
    int side = Math.min(image.getWidth(), image.getHeight());
    BufferedImage current = image.getSubimage((image.getWidth() - side) / 2, (image.getHeight() - side) / 2, side, side);
    int currentSide = side;
    // Bilinear alone aliases when shrinking by more than 2×; halve step by step first.
    while (currentSide / 2 >= size) {
      currentSide /= 2;
      current = scale(current, currentSide);
    }
    return currentSide == size ? current : scale(current, size);
  }

  /** Between two TYPE_INT_RGB images Java2D scales without colour-space conversion. */
  private static BufferedImage scale(BufferedImage image, int size) {
    BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(image, 0, 0, size, size, null);
    g.dispose();
    return out;
  }

  /**
   * A TYPE_INT_RGB copy holding the file's 8-bit values. Decoders disagree on gray images: ImageIO
   * keeps the file's values in a TYPE_BYTE_GRAY raster (Java2D would gamma-convert them, treating the
   * raster as linear light), while Commons Imaging stores them linearised so that getRGB() returns
   * the file's values. {@code rasterHoldsFileValues} says which kind {@code image} is.
   */
  static BufferedImage exactRgb(BufferedImage image, boolean rasterHoldsFileValues) {
    int w = image.getWidth();
    int h = image.getHeight();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    boolean gray = rasterHoldsFileValues && image.getColorModel().getNumColorComponents() == 1;
    java.awt.image.Raster raster = image.getRaster();
    int max = gray ? (1 << image.getColorModel().getComponentSize(0)) - 1 : 255;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (gray) {
          int v = Math.round(raster.getSample(x, y, 0) * 255f / max);
          out.setRGB(x, y, (v << 16) | (v << 8) | v);
        } else {
          out.setRGB(x, y, image.getRGB(x, y) & 0xffffff);
        }
      }
    }
    return out;
  }

  /** Writes the fitted RGB image as 1 (luma) or 3 channel bytes. */
  static void write(BufferedImage rgb, int channels, byte[] out, int offset) {
    int size = rgb.getWidth();
    int i = offset;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int p = rgb.getRGB(x, y);
        int r = (p >> 16) & 0xff;
        int g = (p >> 8) & 0xff;
        int b = p & 0xff;
        if (channels == 1) {
          out[i++] = (byte) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
        } else {
          out[i++] = (byte) r;
          out[i++] = (byte) g;
          out[i++] = (byte) b;
        }
      }
    }
  }

  /** Grayscale byte image (e.g. from IDX) to an RGB BufferedImage for resizing. */
  static BufferedImage fromGray(byte[] pixels, int offset, int size) {
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int v = pixels[offset + y * size + x] & 0xff;
        img.setRGB(x, y, (v << 16) | (v << 8) | v);
      }
    }
    return img;
  }
}
