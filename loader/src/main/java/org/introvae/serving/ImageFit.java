package org.introvae.serving;

/**
 * The one way an image becomes a model input, shared by the training readers, the loader and (as
 * TensorFlow ops, in the exported "reconstruct_image" signature) the graph: the centre square; halved
 * (bilinear to ⌊side/2⌋) while that is still at least the target; bilinear to the target; luma
 * (0.299 R + 0.587 G + 0.114 B) for one channel. Values stay 8-bit: every step rounds to a whole
 * number (⌊v + ½⌋). Bilinear is TensorFlow's ResizeBilinear with half-pixel centres, computed here in
 * float in the same order, so this code and the graph agree except where float rounding of a
 * coordinate lands a value on the other side of a .5 (observed: none or a few pixels off by one).
 */
public final class ImageFit {
  /** Halvings the graph unrolls: enough for a side up to the target · 2^16. */
  public static final int MAX_HALVINGS = 16;
  public static final float LUMA_R = 0.299f;
  public static final float LUMA_G = 0.587f;
  public static final float LUMA_B = 0.114f;

  private ImageFit() {}

  /**
   * Fits packed 0xRRGGBB pixels ({@code width} × {@code height}, row-major) to {@code size} × {@code size}
   * and returns its 8-bit values, {@code channels} (1 or 3) per pixel, row-major.
   */
  public static byte[] fit(int[] rgb, int width, int height, int size, int channels) {
    return channels(fitRgb(rgb, width, height, size), channels);
  }

  /** {@link #fit} with three channels. */
  public static byte[] fitRgb(int[] rgb, int width, int height, int size) {
    int side = Math.min(width, height);
    int x0 = (width - side) / 2;
    int y0 = (height - side) / 2;
    float[][] planes = new float[3][side * side];
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        int p = rgb[(y0 + y) * width + x0 + x];
        planes[0][y * side + x] = (p >> 16) & 0xff;
        planes[1][y * side + x] = (p >> 8) & 0xff;
        planes[2][y * side + x] = p & 0xff;
      }
    }
    for (int step = 0; step < MAX_HALVINGS && side / 2 >= size; step++) {
      planes = resize(planes, side, side / 2);
      side /= 2;
    }
    if (side != size) {
      planes = resize(planes, side, size);
    }
    byte[] out = new byte[size * size * 3];
    for (int i = 0; i < size * size; i++) {
      for (int c = 0; c < 3; c++) {
        out[i * 3 + c] = (byte) (int) planes[c][i];
      }
    }
    return out;
  }

  /** Fitted RGB bytes as {@code channels} (3: unchanged; 1: luma, rounded). */
  public static byte[] channels(byte[] rgb, int channels) {
    if (channels == 3) {
      return rgb;
    }
    byte[] out = new byte[rgb.length / 3];
    for (int i = 0; i < out.length; i++) {
      float r = rgb[3 * i] & 0xff;
      float g = rgb[3 * i + 1] & 0xff;
      float b = rgb[3 * i + 2] & 0xff;
      out[i] = (byte) (int) round(r * LUMA_R + g * LUMA_G + b * LUMA_B);
    }
    return out;
  }

  /** TensorFlow's ResizeBilinear (half-pixel centres, float), then ⌊v + ½⌋. */
  private static float[][] resize(float[][] planes, int in, int out) {
    float scale = (float) in / out;
    int[] lower = new int[out];
    int[] upper = new int[out];
    float[] lerp = new float[out];
    for (int o = 0; o < out; o++) {
      float c = ((float) o + 0.5f) * scale - 0.5f;
      float f = (float) Math.floor(c);
      lower[o] = Math.max((int) f, 0);
      upper[o] = Math.min((int) Math.ceil(c), in - 1);
      lerp[o] = c - f;
    }
    float[][] result = new float[planes.length][out * out];
    for (int p = 0; p < planes.length; p++) {
      float[] src = planes[p];
      float[] dst = result[p];
      for (int y = 0; y < out; y++) {
        int top = lower[y] * in;
        int bottom = upper[y] * in;
        for (int x = 0; x < out; x++) {
          float tl = src[top + lower[x]];
          float tr = src[top + upper[x]];
          float bl = src[bottom + lower[x]];
          float br = src[bottom + upper[x]];
          float t = tl + (tr - tl) * lerp[x];
          float b = bl + (br - bl) * lerp[x];
          dst[y * out + x] = round(t + (b - t) * lerp[y]);
        }
      }
    }
    return result;
  }

  private static float round(float v) {
    return (float) Math.floor(v + 0.5f);
  }
}
