package org.introvae.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.commons.imaging.ImageInfo;
import org.apache.commons.imaging.Imaging;
import org.introvae.serving.ImageLimits;

/**
 * Reads every image below a folder (recursively, in sorted path order): PNG, BMP, TIFF, PNM/PGM/PPM/PBM
 * and GIF through Commons Imaging, JPEG through the JDK's ImageIO (Commons Imaging cannot decode
 * progressive JPEG). Each image is centre-cropped and resized to the model's size. Files that fail
 * to decode, or exceed {@link ImageLimits} (checked before decoding), are skipped, counted and
 * reported; other file types are ignored.
 */
public final class ImageFolderReader {
  static final Set<String> EXTENSIONS =
      Set.of("png", "bmp", "tif", "tiff", "pnm", "pgm", "ppm", "pbm", "gif", "jpg", "jpeg");

  /** How to treat images whose channel count or size differs from the rest. */
  public record Options(int size, int channels, boolean resize) {
    /** channels: 1 or 3 to convert every image, 0 to require all images to agree (taken from the first). */
    public Options {
      if (channels != 0 && channels != 1 && channels != 3) {
        throw new IllegalArgumentException("channels must be 0 (auto), 1 or 3");
      }
    }
  }

  private ImageFolderReader() {}

  public static boolean isImageFile(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    int dot = name.lastIndexOf('.');
    return dot >= 0 && EXTENSIONS.contains(name.substring(dot + 1));
  }

  public static ImageSet read(Path folder, Options options) throws DataException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(folder)) {
      files = walk.filter(Files::isRegularFile).filter(ImageFolderReader::isImageFile).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new DataException(folder + ": cannot list the folder (" + e.getMessage() + ")");
    }
    if (files.isEmpty()) {
      throw new DataException(folder + ": no images found (looked for ." + String.join(", .", EXTENSIONS.stream().sorted().toList()) + ")");
    }
    int size = options.size();
    Decoded[] decoded = new Decoded[files.size()];
    // Fit while decoding so only small images are held, never the originals.
    IntStream.range(0, files.size()).parallel().forEach(i -> decoded[i] = decode(files.get(i), size));

    int channels = options.channels();
    int skipped = 0;
    String firstSkipped = null;
    for (Decoded d : decoded) {
      if (d.rgb == null) {
        skipped++;
        firstSkipped = firstSkipped == null ? d.file + ": " + d.problem : firstSkipped;
        continue;
      }
      if (options.channels() == 0) {
        if (channels == 0) {
          channels = d.channels;
        } else if (d.channels != channels) {
          throw new DataException(d.file + ": has " + d.channels + " channel(s) but earlier images have " + channels
              + "; pass --channels 1 or --channels 3 to convert every image");
        }
      }
      if (!options.resize() && (d.width != size || d.height != size)) {
        throw new DataException(d.file + ": is " + d.width + "×" + d.height + " but --no-resize requires "
            + size + "×" + size);
      }
    }
    int good = files.size() - skipped;
    if (good == 0) {
      throw new DataException(folder + ": none of the " + files.size() + " image files could be decoded ("
          + firstSkipped + ")");
    }
    byte[] pixels = new byte[good * size * size * channels];
    int offset = 0;
    for (Decoded d : decoded) {
      if (d.rgb != null) {
        byte[] fitted = org.introvae.serving.ImageFit.channels(d.rgb, channels);
        System.arraycopy(fitted, 0, pixels, offset, fitted.length);
        offset += size * size * channels;
      }
    }
    return new ImageSet(pixels, good, size, channels, folder.toString(), skipped, firstSkipped);
  }

  /** {@code rgb}: the fitted image's 8-bit RGB values. */
  private record Decoded(Path file, byte[] rgb, int channels, int width, int height, String problem) {}

  /** Decodes one file; files too large, or declaring too many pixels (ImageLimits), are skipped like corrupt ones. */
  private static Decoded decode(Path file, int size) {
    try {
      String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
      long bytesOnDisk = Files.size(file);
      ImageLimits.checkFileSize(bytesOnDisk);
      byte[] bytes = Files.readAllBytes(file);
      BufferedImage image;
      int channels;
      if (name.endsWith(".jpg") || name.endsWith(".jpeg")) {
        ImageLimits.Size declared = ImageLimits.declaredSize(bytes);
        ImageLimits.checkPixels(declared.width(), declared.height());
        image = ImageIO.read(new java.io.ByteArrayInputStream(bytes));
        channels = image != null && image.getColorModel().getNumColorComponents() == 1 ? 1 : 3;
      } else {
        // Decoders may expand gray to ARGB, so the channel count comes from the file's own header.
        ImageInfo info = Imaging.getImageInfo(bytes);
        ImageLimits.checkPixels(info.getWidth(), info.getHeight());
        ImageInfo.ColorType type = info.getColorType();
        channels = type == ImageInfo.ColorType.GRAYSCALE || type == ImageInfo.ColorType.BW ? 1 : 3;
        image = Imaging.getBufferedImage(bytes);
      }
      if (image == null) {
        return new Decoded(file, null, 0, 0, 0, "not a decodable image");
      }
      boolean imageIo = name.endsWith(".jpg") || name.endsWith(".jpeg");
      byte[] fitted = org.introvae.serving.ImageFit.fitRgb(DecodedPixels.packedRgb(image, imageIo), image.getWidth(),
          image.getHeight(), size);
      return new Decoded(file, fitted, channels, image.getWidth(), image.getHeight(), null);
    } catch (ImageLimits.TooLarge e) {
      return new Decoded(file, null, 0, 0, 0, e.getMessage());
    } catch (IOException | RuntimeException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return new Decoded(file, null, 0, 0, 0, "corrupt or unsupported image (" + why + ")");
    }
  }
}
