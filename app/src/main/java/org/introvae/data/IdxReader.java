package org.introvae.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Reads the IDX image format of MNIST / Fashion-MNIST (unsigned bytes, 3 dimensions), raw or gzip-compressed. */
public final class IdxReader {
  /** 0x00 0x00, type 0x08 (unsigned byte), 3 dimensions. */
  static final int IMAGE_MAGIC = 0x00000803;
  private static final int MAX_SIDE = 4096;

  private IdxReader() {}

  /** Whether the file starts like an IDX file (after gunzip if compressed). */
  public static boolean looksLikeIdx(Path file) {
    try (DataInputStream in = open(file)) {
      int magic = in.readInt();
      return (magic >>> 16) == 0 && ((magic >>> 8) & 0xff) >= 0x08 && ((magic >>> 8) & 0xff) <= 0x0e;
    } catch (IOException e) {
      return false;
    }
  }

  public static ImageSet read(Path file) throws DataException {
    boolean headerRead = false;
    try (DataInputStream in = open(file)) {
      int magic = in.readInt();
      if (magic != IMAGE_MAGIC) {
        throw new DataException(file + ": not an IDX image file (magic number 0x" + String.format("%08x", magic)
            + ", expected 0x00000803 for unsigned-byte images)");
      }
      int count = in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      if (count <= 0 || rows <= 0 || cols <= 0 || rows > MAX_SIDE || cols > MAX_SIDE) {
        throw new DataException(file + ": implausible IDX dimensions " + count + "×" + rows + "×" + cols);
      }
      if (rows != cols) {
        throw new DataException(file + ": IDX images are " + rows + "×" + cols + "; only square images are supported");
      }
      headerRead = true;
      long total = (long) count * rows * cols;
      if (total > Integer.MAX_VALUE - 8) {
        throw new DataException(file + ": " + count + " images of " + rows + "×" + cols + " are too many to hold in memory");
      }
      byte[] pixels = new byte[(int) total];
      int read = readFully(in, pixels);
      if (read < pixels.length) {
        throw new DataException(file + ": truncated: the header announces " + count + " images of " + rows + "×" + cols
            + " (" + total + " bytes) but the body has only " + read + " bytes (" + read / (rows * cols) + " whole images)");
      }
      return new ImageSet(pixels, count, rows, 1, file.toString(), 0, null);
    } catch (EOFException e) {
      throw new DataException(file + ": truncated: " + (headerRead ? "the image data ends early"
          : "the file ends inside the 16-byte IDX header"));
    } catch (ZipException e) {
      throw new DataException(file + ": corrupt gzip data (" + e.getMessage() + ")");
    } catch (IOException e) {
      throw new DataException(file + ": cannot read (" + e.getMessage() + ")");
    }
  }

  /** 0x00 0x00, type 0x08 (unsigned byte), 1 dimension: a label file. */
  static final int LABEL_MAGIC = 0x00000801;

  /** Reads an IDX label file (one unsigned byte per image). */
  public static int[] readLabels(Path file) throws DataException {
    try (DataInputStream in = open(file)) {
      int magic = in.readInt();
      if (magic != LABEL_MAGIC) {
        throw new DataException(file + ": not an IDX label file (magic number 0x" + String.format("%08x", magic)
            + ", expected 0x00000801)");
      }
      int count = in.readInt();
      if (count <= 0) {
        throw new DataException(file + ": implausible label count " + count);
      }
      byte[] bytes = new byte[count];
      int read = in.readNBytes(bytes, 0, count);
      if (read < count) {
        throw new DataException(file + ": truncated: the header announces " + count + " labels but the body has " + read);
      }
      int[] labels = new int[count];
      for (int i = 0; i < count; i++) {
        labels[i] = bytes[i] & 0xff;
      }
      return labels;
    } catch (EOFException e) {
      throw new DataException(file + ": truncated: the file ends inside the 8-byte IDX header");
    } catch (IOException e) {
      throw new DataException(file + ": cannot read (" + e.getMessage() + ")");
    }
  }

  /**
   * Reads until {@code into} is full or the data ends; returns the bytes read. A truncated gzip stream
   * ends with an EOFException from the inflater rather than a short read: that counts as the end.
   */
  private static int readFully(InputStream in, byte[] into) throws IOException {
    int read = 0;
    try {
      // Small reads: the inflater's EOF loses only the chunk in progress, so the count stays close.
      for (int n; read < into.length && (n = in.read(into, read, Math.min(8192, into.length - read))) > 0; ) {
        read += n;
      }
    } catch (EOFException truncatedGzip) {
      // what was inflated so far is in {@code into}
    }
    return read;
  }

  private static DataInputStream open(Path file) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    raw.mark(2);
    int b0 = raw.read();
    int b1 = raw.read();
    raw.reset();
    InputStream in = (b0 == 0x1f && b1 == 0x8b) ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
    return new DataInputStream(in);
  }
}
