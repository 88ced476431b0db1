package org.introvae.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
  static final Path BUNDLED = Path.of("data/fashion-mnist/t10k-images-idx3-ubyte.gz");

  @TempDir
  Path dir;

  @Test
  void reads_the_bundled_fashion_mnist_test_split() throws Exception {
    ImageSet set = IdxReader.read(BUNDLED);
    assertEquals(10_000, set.count());
    assertEquals(28, set.size());
    assertEquals(1, set.channels());
    double sum = 0;
    for (byte b : set.pixels()) {
      sum += (b & 0xff) / 255.0;
    }
    // Fashion-MNIST's published mean intensity is about 0.286.
    assertEquals(0.286, sum / set.pixels().length, 0.005);
  }

  @Test
  void raw_and_gzip_files_read_the_same() throws Exception {
    Path raw = dir.resolve("images-idx3-ubyte");
    Files.write(raw, gunzip(BUNDLED));
    assertArrayEquals(IdxReader.read(BUNDLED).pixels(), IdxReader.read(raw).pixels());
  }

  @Test
  void a_wrong_magic_number_is_named_with_the_file() throws Exception {
    byte[] bytes = gunzip(BUNDLED);
    bytes[3] = 0x01; // 0x00000801: a label file
    Path file = dir.resolve("labels.idx");
    Files.write(file, bytes);
    DataException e = assertThrows(DataException.class, () -> IdxReader.read(file));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("magic number 0x00000801"), e.getMessage());
  }

  @Test
  void a_truncated_body_is_reported_with_what_is_missing() throws Exception {
    byte[] bytes = Arrays.copyOf(gunzip(BUNDLED), 16 + 784 * 10 + 5);
    Path file = dir.resolve("short.idx");
    Files.write(file, bytes);
    DataException e = assertThrows(DataException.class, () -> IdxReader.read(file));
    assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(String.valueOf(784 * 10 + 5)), e.getMessage());
  }

  @Test
  void a_truncated_header_is_reported() throws Exception {
    Path file = dir.resolve("header.idx");
    Files.write(file, new byte[] {0, 0, 8, 3, 0, 0});
    DataException e = assertThrows(DataException.class, () -> IdxReader.read(file));
    assertTrue(e.getMessage().contains("header"), e.getMessage());
  }

  @Test
  void corrupt_gzip_data_is_reported() throws Exception {
    byte[] bytes = Files.readAllBytes(BUNDLED);
    byte[] broken = Arrays.copyOf(bytes, 5000);
    for (int i = 100; i < 5000; i++) {
      broken[i] = (byte) (i * 31);
    }
    Path file = dir.resolve("broken.gz");
    Files.write(file, broken);
    DataException e = assertThrows(DataException.class, () -> IdxReader.read(file));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
  }

  static byte[] gunzip(Path file) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      return in.readAllBytes();
    }
  }

  /** A .gz cut short after the header and 200 images: the body, not the intact header, is what is short. */
  @Test
  void a_truncated_gzip_names_the_short_body_not_the_header() throws Exception {
    byte[] raw = gunzip(BUNDLED);
    java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(zipped)) {
      gz.write(raw);
    }
    byte[] cut = Arrays.copyOf(zipped.toByteArray(), zipped.size() / 3);
    Path file = dir.resolve("cut-images-idx3-ubyte.gz");
    Files.write(file, cut);
    DataException e = assertThrows(DataException.class, () -> IdxReader.read(file));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("announces 10000 images") && e.getMessage().contains("body has only"), e.getMessage());
    assertTrue(!e.getMessage().contains("header") || e.getMessage().contains("header announces"), e.getMessage());
  }
}
