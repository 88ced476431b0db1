package org.introvae.model;

import java.util.Arrays;

/**
 * Shape of an IntroVAE network: image size and channels, the channel list of the stages, the latent
 * size z, the networks (residual or style-based) and whether they grow progressively ({@link Growth}:
 * the style-based ones then have an image layer per resolution and a growth variable). The encoder
 * halves the image once per entry of {@code widths}.
 */
public record ModelConfig(int imageSize, int imageChannels, int[] widths, int zDim, ImageArchitecture architecture,
    boolean progressive) {

  /** The residual networks (both papers'). */
  public ModelConfig(int imageSize, int imageChannels, int[] widths, int zDim) {
    this(imageSize, imageChannels, widths, zDim, ImageArchitecture.RESIDUAL);
  }

  /** Networks that do not grow. */
  public ModelConfig(int imageSize, int imageChannels, int[] widths, int zDim, ImageArchitecture architecture) {
    this(imageSize, imageChannels, widths, zDim, architecture, false);
  }

  public ModelConfig {
    if (widths.length == 0) {
      throw new IllegalArgumentException("widths: at least one channel count is needed");
    }
    if (imageSize % (1 << widths.length) != 0) {
      throw new IllegalArgumentException(
          "image size " + imageSize + " is not divisible by 2^" + widths.length
              + " (one 2x pooling per entry of widths " + Arrays.toString(widths) + ")");
    }
    if (imageChannels != 1 && imageChannels != 3) {
      throw new IllegalArgumentException("image channels must be 1 or 3, not " + imageChannels);
    }
    if (zDim < 1) {
      throw new IllegalArgumentException("z must be positive, not " + zDim);
    }
    widths = widths.clone();
    java.util.Objects.requireNonNull(architecture, "architecture");
    if (progressive && !architecture.styleBased()) {
      throw new IllegalArgumentException("the " + architecture.label() + " networks do not grow (the style-based ones do)");
    }
  }

  /** The same shape with other networks. */
  public ModelConfig withArchitecture(ImageArchitecture a) {
    return new ModelConfig(imageSize, imageChannels, widths, zDim, a, progressive && a.styleBased());
  }

  /** The same networks, growing progressively or not. */
  public ModelConfig withProgressive(boolean grows) {
    return new ModelConfig(imageSize, imageChannels, widths, zDim, architecture, grows);
  }

  /** Side of the smallest feature map (after the last pooling). */
  public int finalSize() {
    return imageSize >> widths.length;
  }

  public int lastWidth() {
    return widths[widths.length - 1];
  }

  @Override
  public int[] widths() {
    return widths.clone();
  }

  public String widthsText() {
    StringBuilder s = new StringBuilder();
    for (int w : widths) {
      s.append(s.length() == 0 ? "" : ",").append(w);
    }
    return s.toString();
  }

  /** The widths {@link #widthsText} wrote, e.g. "64,128"; IllegalArgumentException for anything else. */
  public static int[] widthsFrom(String text) {
    if (text == null || !text.matches("[1-9]\\d{0,8}(,[1-9]\\d{0,8})*")) {
      throw new IllegalArgumentException("widths '" + text + "' is not a list of positive whole numbers like 64,128");
    }
    return Arrays.stream(text.split(",")).mapToInt(Integer::parseInt).toArray();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelConfig c && c.imageSize == imageSize && c.imageChannels == imageChannels
        && Arrays.equals(c.widths, widths) && c.zDim == zDim && c.architecture == architecture
        && c.progressive == progressive;
  }

  @Override
  public int hashCode() {
    return (Arrays.hashCode(widths) * 31 + imageSize * 7 + imageChannels * 3 + zDim) * 2 + architecture.ordinal()
        + (progressive ? 1 << 20 : 0);
  }

  @Override
  public String toString() {
    return imageSize + "x" + imageSize + "x" + imageChannels + " widths " + widthsText() + " z " + zDim
        + (architecture == ImageArchitecture.RESIDUAL ? "" : " " + architecture.label())
        + (progressive ? ", growing" : "");
  }
}
