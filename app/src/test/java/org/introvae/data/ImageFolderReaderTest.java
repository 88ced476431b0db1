package org.introvae.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.apache.commons.imaging.ImageFormats;
import org.apache.commons.imaging.Imaging;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.introvae.testkit.ImageBomb;

/** The folder reader on real Fashion-MNIST images written in every supported format, and on bad input. */
class ImageFolderReaderTest {
  private static ImageSet fashion;

  @TempDir
  Path dir;

  @BeforeAll
  static void load() throws Exception {
    fashion = IdxReader.read(IdxReaderTest.BUNDLED);
  }

  private static BufferedImage gray(int index) {
    BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 28; y++) {
      for (int x = 0; x < 28; x++) {
        int v = fashion.pixels()[index * 784 + y * 28 + x] & 0xff;
        img.getRaster().setSample(x, y, 0, v);
      }
    }
    return img;
  }

  /** The gray image as RGB, copied sample by sample (drawImage would gamma-convert linear gray). */
  private static BufferedImage rgb(BufferedImage gray) {
    return upscaledRgb(gray, 1, 0, gray.getWidth(), gray.getHeight());
  }

  /** Nearest-neighbour upscale by {@code factor}, placed at x offset {@code left} in a black RGB canvas. */
  private static BufferedImage upscaledRgb(BufferedImage gray, int factor, int left, int width, int height) {
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < gray.getHeight() * factor; y++) {
      for (int x = 0; x < gray.getWidth() * factor; x++) {
        int v = gray.getRaster().getSample(x / factor, y / factor, 0);
        out.setRGB(left + x, y, (v << 16) | (v << 8) | v);
      }
    }
    return out;
  }

  private static ImageFolderReader.Options size28(int channels) {
    return new ImageFolderReader.Options(28, channels, true);
  }

  private static double meanAbsDifference(ImageSet set, int slot, int fashionIndex) {
    double sum = 0;
    for (int i = 0; i < 784; i++) {
      sum += Math.abs((set.pixels()[slot * 784 + i] & 0xff) - (fashion.pixels()[fashionIndex * 784 + i] & 0xff));
    }
    return sum / 784;
  }

  @Test
  void reads_png_bmp_tiff_pnm_gif_and_jpeg() throws Exception {
    // Sorted path order: a.png, b.bmp, c.tif, d.ppm, e.gif, f.jpg. Commons Imaging's writers take
    // getRGB(), which gamma-converts TYPE_BYTE_GRAY, so inputs are written from exact RGB (the PNG
    // writer still stores gray content as a grayscale PNG).
    Imaging.writeImage(rgb(gray(0)), dir.resolve("a.png").toFile(), ImageFormats.PNG);
    Imaging.writeImage(rgb(gray(1)), dir.resolve("b.bmp").toFile(), ImageFormats.BMP);
    Imaging.writeImage(rgb(gray(2)), dir.resolve("c.tif").toFile(), ImageFormats.TIFF);
    Imaging.writeImage(rgb(gray(3)), dir.resolve("d.ppm").toFile(), ImageFormats.PPM);
    Imaging.writeImage(rgb(gray(4)), dir.resolve("e.gif").toFile(), ImageFormats.GIF);
    ImageIO.write(rgb(gray(5)), "jpg", dir.resolve("f.jpg").toFile());
    Files.writeString(dir.resolve("notes.txt"), "not an image, ignored");

    ImageSet set = ImageFolderReader.read(dir, size28(1));
    assertEquals(6, set.count());
    assertEquals(0, set.skipped());
    for (int i = 0; i < 5; i++) {
      assertTrue(meanAbsDifference(set, i, i) < 1.0, "lossless format " + i + " differs: " + meanAbsDifference(set, i, i));
    }
    assertTrue(meanAbsDifference(set, 5, 5) < 12, "JPEG too far from the original");
  }

  @Test
  void crops_to_the_centre_square_and_resizes() throws Exception {
    // 112×56: a 28-px black band each side of a 56×56 upscaled Fashion-MNIST image.
    BufferedImage wide = upscaledRgb(gray(7), 2, 28, 112, 56);
    Imaging.writeImage(wide, dir.resolve("wide.png").toFile(), ImageFormats.PNG);
    ImageSet set = ImageFolderReader.read(dir, size28(3));
    assertEquals(1, set.count());
    assertEquals(3, set.channels());
    double diff = 0;
    for (int i = 0; i < 784; i++) {
      diff += Math.abs((set.pixels()[i * 3] & 0xff) - (fashion.pixels()[7 * 784 + i] & 0xff));
    }
    assertTrue(diff / 784 < 12, "centre crop + resize should recover the image, mean diff " + diff / 784);
  }

  @Test
  void corrupt_images_are_skipped_counted_and_named() throws Exception {
    Imaging.writeImage(rgb(gray(0)), dir.resolve("good.png").toFile(), ImageFormats.PNG);
    byte[] png = Files.readAllBytes(dir.resolve("good.png"));
    Files.write(dir.resolve("broken.png"), java.util.Arrays.copyOf(png, 40));
    Files.writeString(dir.resolve("fake.jpg"), "this is text");
    ImageSet set = ImageFolderReader.read(dir, size28(0));
    assertEquals(1, set.count());
    assertEquals(2, set.skipped());
    assertTrue(set.firstSkipped().contains("broken.png"), set.firstSkipped());
  }

  @Test
  void a_folder_of_only_corrupt_images_is_an_error() throws Exception {
    Files.writeString(dir.resolve("x.png"), "nope");
    DataException e = assertThrows(DataException.class, () -> ImageFolderReader.read(dir, size28(0)));
    assertTrue(e.getMessage().contains("none of the 1 image files") && e.getMessage().contains("x.png"), e.getMessage());
  }

  @Test
  void an_empty_folder_is_an_error() {
    DataException e = assertThrows(DataException.class, () -> Datasets.open(dir, size28(0)));
    assertTrue(e.getMessage().startsWith(dir.toString()) && e.getMessage().contains("no images"), e.getMessage());
  }

  @Test
  void a_missing_path_is_an_error() {
    Path missing = dir.resolve("nowhere");
    DataException e = assertThrows(DataException.class, () -> Datasets.open(missing, size28(0)));
    assertEquals(missing + ": no such file or folder", e.getMessage());
  }

  @Test
  void a_file_that_is_neither_idx_nor_a_folder_is_an_error() throws Exception {
    Path text = dir.resolve("train.csv");
    Files.writeString(text, "1,2,3\n");
    DataException e = assertThrows(DataException.class, () -> Datasets.open(text, size28(0)));
    assertTrue(e.getMessage().startsWith(text.toString()) && e.getMessage().contains("neither"), e.getMessage());
  }

  @Test
  void gray_jpeg_keeps_its_values() throws Exception {
    ImageIO.write(gray(9), "jpg", dir.resolve("g.jpg").toFile());
    ImageSet set = ImageFolderReader.read(dir, size28(0));
    assertEquals(1, set.channels());
    assertTrue(meanAbsDifference(set, 0, 9) < 12, "gray JPEG too far: " + meanAbsDifference(set, 0, 9));
  }

  @Test
  void mixed_channel_counts_need_an_explicit_conversion() throws Exception {
    Imaging.writeImage(rgb(gray(0)), dir.resolve("a.png").toFile(), ImageFormats.PNG);
    BufferedImage colour = rgb(gray(1));
    colour.setRGB(5, 5, 0xff0000);
    Imaging.writeImage(colour, dir.resolve("b.png").toFile(), ImageFormats.PNG);
    DataException e = assertThrows(DataException.class, () -> ImageFolderReader.read(dir, size28(0)));
    assertTrue(e.getMessage().contains("b.png") && e.getMessage().contains("--channels"), e.getMessage());
    assertEquals(2, ImageFolderReader.read(dir, size28(3)).count());
  }

  @Test
  void mixed_sizes_are_an_error_only_without_resizing() throws Exception {
    Imaging.writeImage(rgb(gray(0)), dir.resolve("a.png").toFile(), ImageFormats.PNG);
    BufferedImage big = new BufferedImage(40, 40, BufferedImage.TYPE_BYTE_GRAY);
    Imaging.writeImage(big, dir.resolve("b.png").toFile(), ImageFormats.PNG);
    assertEquals(2, ImageFolderReader.read(dir, size28(0)).count());
    DataException e = assertThrows(DataException.class,
        () -> ImageFolderReader.read(dir, new ImageFolderReader.Options(28, 0, false)));
    assertTrue(e.getMessage().contains("b.png") && e.getMessage().contains("40×40"), e.getMessage());
  }

  @Test
  void idx_images_are_resized_and_converted_to_the_model() throws Exception {
    ImageSet set = Datasets.open(IdxReaderTest.BUNDLED, new ImageFolderReader.Options(32, 3, true));
    assertEquals(10_000, set.count());
    assertEquals(32, set.size());
    assertEquals(3, set.channels());
  }

  /**
   * A sparse file of 2.1 GB named .png (takes no disk) and a small PNG declaring 20,000×20,000 pixels are
   * skipped and counted with their reasons, never read into memory or decoded.
   */
  @Test
  void huge_files_and_decompression_bombs_are_skipped_with_their_reason() throws Exception {
    Imaging.writeImage(rgb(gray(0)), dir.resolve("a-good.png").toFile(), ImageFormats.PNG);
    try (java.io.RandomAccessFile huge = new java.io.RandomAccessFile(dir.resolve("b-huge.png").toFile(), "rw")) {
      huge.setLength(2_200_000_000L);
    }
    Files.write(dir.resolve("c-bomb.png"), ImageBomb.png(20_000, 20_000));
    long t0 = System.nanoTime();
    ImageSet set = ImageFolderReader.read(dir, size28(0));
    assertTrue((System.nanoTime() - t0) / 1e9 < 30, "nothing large was read or decoded");
    assertEquals(1, set.count());
    assertEquals(2, set.skipped());
    assertTrue(set.firstSkipped().contains("b-huge.png") && set.firstSkipped().contains("2,200,000,000 bytes"),
        set.firstSkipped());
  }

  @Test
  void the_loader_refuses_a_decompression_bomb_before_decoding_it() throws Exception {
    byte[] bomb = ImageBomb.png(20_000, 20_000);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> org.introvae.serving.Png.read(bomb, 28, 1));
    assertTrue(e.getMessage().contains("20000×20000") && e.getMessage().contains("25,000,000"), e.getMessage());
  }
}
