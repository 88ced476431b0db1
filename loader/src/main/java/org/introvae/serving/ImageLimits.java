package org.introvae.serving;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Limits checked before an image is decoded, so that a small file declaring a huge image (a
 * decompression bomb) or a huge file is refused instead of exhausting memory. Used by the loader, the
 * server and the training readers.
 */
public final class ImageLimits {
  /** Largest decoded image: 25 megapixels (a 6000×4000 photo fits) take ~100 MB as 32-bit pixels. */
  public static final long MAX_PIXELS = 25_000_000L;
  /** Largest image file read into memory. */
  public static final long MAX_FILE_BYTES = 256L << 20;

  private ImageLimits() {}

  /** An image or file over a limit. */
  public static final class TooLarge extends IllegalArgumentException {
    TooLarge(String message) {
      super(message);
    }
  }

  /** The width and height an image declares. */
  public record Size(int width, int height) {
    long pixels() {
      return (long) width * height;
    }
  }

  /** Throws TooLarge when the declared size exceeds {@link #MAX_PIXELS}. */
  public static void checkPixels(int width, int height) {
    long pixels = (long) width * height;
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("the image declares an empty size " + width + "×" + height);
    }
    if (pixels > MAX_PIXELS) {
      throw new TooLarge(String.format(Locale.ROOT,
          "the image declares %d×%d = %,d pixels; the limit is %,d pixels", width, height, pixels, MAX_PIXELS));
    }
  }

  /** Throws TooLarge when a file is larger than {@link #MAX_FILE_BYTES}. */
  public static void checkFileSize(long bytes) {
    if (bytes > MAX_FILE_BYTES) {
      throw new TooLarge(String.format(Locale.ROOT, "the file has %,d bytes; image files over %,d bytes "
          + "are not read", bytes, MAX_FILE_BYTES));
    }
  }

  /** The size an encoded image (any ImageIO format) declares in its header, without decoding its pixels. */
  public static Size declaredSize(byte[] encoded) throws IOException {
    return declaredSize(new ByteArrayInputStream(encoded));
  }

  static Size declaredSize(InputStream encoded) throws IOException {
    try (ImageInputStream in = ImageIO.createImageInputStream(encoded)) {
      Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
      if (readers == null || !readers.hasNext()) {
        throw new IllegalArgumentException("not a readable image (PNG, JPEG, GIF or BMP expected)");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        return new Size(reader.getWidth(0), reader.getHeight(0));
      } finally {
        reader.dispose();
      }
    }
  }
}
