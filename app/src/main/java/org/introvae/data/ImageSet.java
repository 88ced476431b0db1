package org.introvae.data;

/**
 * Images of one size as unsigned bytes, NHWC order (4× smaller than floats; converted per batch).
 * {@code skipped} counts unreadable files that were left out, {@code firstSkipped} describes one.
 */
public record ImageSet(byte[] pixels, int count, int size, int channels, String source, int skipped,
    String firstSkipped) {

  public ImageSet {
    if ((long) count * size * size * channels != pixels.length) {
      throw new IllegalArgumentException("pixel buffer does not match " + count + "×" + size + "×" + size + "×" + channels);
    }
  }

  public int imageBytes() {
    return size * size * channels;
  }

  /** Writes image {@code index} as floats in [0,1] into {@code out} at {@code offset}. */
  public void copyTo(int index, float[] out, int offset) {
    int n = imageBytes();
    int base = index * n;
    for (int i = 0; i < n; i++) {
      out[offset + i] = (pixels[base + i] & 0xff) / 255f;
    }
  }
}
