package org.introvae.serving;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** PNG (or any ImageIO format) in and out for a model: images as flat NHWC floats in [0, 1]. */
public final class Png {
  private Png() {}

  /**
   * Decodes an image and fits it to {@code size} as training does ({@link ImageFit}), as {@code channels}
   * floats per pixel. Images declaring more than {@link ImageLimits#MAX_PIXELS} are refused before
   * their pixels are decoded.
   */
  public static float[] read(byte[] encoded, int size, int channels) {
    ImageLimits.Size declared;
    BufferedImage image;
    try {
      declared = ImageLimits.declaredSize(encoded);
    } catch (IOException | RuntimeException e) {
      throw unreadable(e);
    }
    ImageLimits.checkPixels(declared.width(), declared.height());
    try {
      image = ImageIO.read(new ByteArrayInputStream(encoded));
    } catch (IOException | RuntimeException e) {
      throw unreadable(e);
    }
    if (image == null) {
      throw new IllegalArgumentException("not a readable image (PNG, JPEG, GIF or BMP expected)");
    }
    boolean gray = image.getColorModel().getNumColorComponents() == 1;
    int max = gray ? (1 << image.getColorModel().getComponentSize(0)) - 1 : 255;
    int[] rgb = new int[image.getWidth() * image.getHeight()];
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if (gray) { // ImageIO keeps gray file values in the raster; getRGB would gamma-convert them.
          int v = Math.round(image.getRaster().getSample(x, y, 0) * 255f / max);
          rgb[y * image.getWidth() + x] = (v << 16) | (v << 8) | v;
        } else {
          rgb[y * image.getWidth() + x] = image.getRGB(x, y) & 0xffffff;
        }
      }
    }
    byte[] fitted = ImageFit.fit(rgb, image.getWidth(), image.getHeight(), size, channels);
    float[] out = new float[fitted.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (fitted[i] & 0xff) / 255f;
    }
    return out;
  }

  private static IllegalArgumentException unreadable(Exception e) {
    return e instanceof IllegalArgumentException iae && iae.getMessage() != null && iae.getMessage().startsWith("not a readable")
        ? iae : new IllegalArgumentException("not a readable image (" + e.getMessage() + ")");
  }

  public static float[] read(Path file, int size, int channels) throws IOException {
    try {
      ImageLimits.checkFileSize(Files.size(file));
      return read(Files.readAllBytes(file), size, channels);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /** The images side by side in rows of {@code columns}, each scaled by {@code scale}, as PNG bytes. */
  public static byte[] grid(float[][] images, int size, int channels, int columns, int scale) {
    int cols = Math.max(1, Math.min(columns, images.length));
    int rows = (images.length + cols - 1) / cols;
    int cell = size * scale;
    BufferedImage out = new BufferedImage(cols * cell, Math.max(1, rows) * cell, BufferedImage.TYPE_INT_RGB);
    for (int n = 0; n < images.length; n++) {
      int ox = (n % cols) * cell;
      int oy = (n / cols) * cell;
      for (int y = 0; y < cell; y++) {
        for (int x = 0; x < cell; x++) {
          int base = ((y / scale) * size + x / scale) * channels;
          int r = byteOf(images[n][base]);
          int g = channels == 1 ? r : byteOf(images[n][base + 1]);
          int b = channels == 1 ? r : byteOf(images[n][base + 2]);
          out.setRGB(ox + x, oy + y, (r << 16) | (g << 8) | b);
        }
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      ImageIO.write(out, "png", bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * A table of images for {@link #grid} with {@code columnHeads.length + 1} columns: a blank corner, the
   * column heads along the top, and each row's head followed by its cells ({@code cells[row · columns + column]}).
   */
  public static float[][] table(float[][] rowHeads, float[][] columnHeads, float[][] cells) {
    int columns = columnHeads.length;
    float[][] out = new float[(rowHeads.length + 1) * (columns + 1)][];
    out[0] = new float[columnHeads[0].length];
    System.arraycopy(columnHeads, 0, out, 1, columns);
    for (int r = 0; r < rowHeads.length; r++) {
      out[(r + 1) * (columns + 1)] = rowHeads[r];
      System.arraycopy(cells, r * columns, out, (r + 1) * (columns + 1) + 1, columns);
    }
    return out;
  }

  public static void write(Path file, float[][] images, int size, int channels, int columns, int scale) throws IOException {
    Files.write(file, grid(images, size, channels, columns, scale));
  }

  private static int byteOf(float v) {
    return Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
  }
}
