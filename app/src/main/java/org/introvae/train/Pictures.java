package org.introvae.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import org.apache.commons.imaging.ImageFormats;
import org.apache.commons.imaging.Imaging;

/** The PNGs a run leaves for people: image grids and the loss curves. */
public final class Pictures {
  private static final Color BACKGROUND = new Color(32, 32, 32);
  private static final Color[] SERIES = {new Color(230, 85, 13), new Color(49, 130, 189), new Color(49, 163, 84)};

  private Pictures() {}

  /** Panels side by side, one per image set (e.g. real | reconstruction | sample), each a square-ish grid. */
  public static void grid(Path file, int size, int channels, List<String> titles, List<float[]> panels) throws IOException {
    write(gridImage(size, channels, titles, panels), file);
  }

  static BufferedImage gridImage(int size, int channels, List<String> titles, List<float[]> panels) {
    int count = panels.get(0).length / (size * size * channels);
    int columns = (int) Math.ceil(Math.sqrt(count));
    int rows = (int) Math.ceil(count / (double) columns);
    int scale = Math.max(1, 64 / size);
    int cell = size * scale + 2;
    int gap = 12;
    int top = 20;
    int panelWidth = columns * cell;
    BufferedImage out = new BufferedImage(panels.size() * (panelWidth + gap) + gap, rows * cell + top + gap,
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(out);
    for (int p = 0; p < panels.size(); p++) {
      int x0 = gap + p * (panelWidth + gap);
      g.setColor(Color.LIGHT_GRAY);
      g.drawString(titles.get(p), x0, 14);
      float[] images = panels.get(p);
      for (int i = 0; i < count && (i + 1) * size * size * channels <= images.length; i++) {
        int cx = x0 + (i % columns) * cell + 1;
        int cy = top + (i / columns) * cell + 1;
        for (int y = 0; y < size; y++) {
          for (int x = 0; x < size; x++) {
            int base = ((i * size + y) * size + x) * channels;
            int r = byteOf(images[base]);
            int gr = channels == 1 ? r : byteOf(images[base + 1]);
            int b = channels == 1 ? r : byteOf(images[base + 2]);
            g.setColor(new Color(r, gr, b));
            g.fillRect(cx + x * scale, cy + y * scale, scale, scale);
          }
        }
      }
    }
    g.dispose();
    return out;
  }

  /** One panel per group of metrics.csv columns, step on the x axis. */
  public static void lossCurves(Path file, List<double[]> rows, String[] header, int[][] groups, String[] titles)
      throws IOException {
    int panelW = 420;
    int panelH = 260;
    BufferedImage out = new BufferedImage(panelW * groups.length, panelH, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(out);
    for (int p = 0; p < groups.length; p++) {
      plotPanel(g, p * panelW, panelW, panelH, rows, header, groups[p], titles[p]);
    }
    g.dispose();
    write(out, file);
  }

  private static void plotPanel(Graphics2D g, int x0, int w, int h, List<double[]> rows, String[] header,
      int[] columns, String title) {
    int left = x0 + 56;
    int right = x0 + w - 12;
    int top = 24;
    int bottom = h - 34;
    g.setColor(Color.LIGHT_GRAY);
    g.drawString(title, left, 16);
    if (rows.size() < 2) {
      g.drawString("(not enough steps yet)", left, (top + bottom) / 2);
      return;
    }
    double minStep = rows.get(0)[0];
    double maxStep = rows.get(rows.size() - 1)[0];
    // Skip the first tenth when scaling so the initial transient does not flatten the curve.
    int from = rows.size() / 10;
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (int i = from; i < rows.size(); i++) {
      for (int c : columns) {
        double v = rows.get(i)[c];
        if (Double.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    if (!(hi > lo)) {
      hi = lo + 1;
    }
    double pad = (hi - lo) * 0.05;
    lo -= pad;
    hi += pad;
    g.setColor(Color.GRAY);
    g.drawRect(left, top, right - left, bottom - top);
    g.drawString(format(hi), x0 + 4, top + 10);
    g.drawString(format(lo), x0 + 4, bottom);
    g.drawString(String.valueOf((long) minStep), left, bottom + 14);
    String last = String.valueOf((long) maxStep);
    g.drawString(last, right - g.getFontMetrics().stringWidth(last), bottom + 14);
    g.drawString("step", (left + right) / 2 - 10, bottom + 14);
    g.setStroke(new BasicStroke(1.5f));
    for (int k = 0; k < columns.length; k++) {
      g.setColor(SERIES[k % SERIES.length]);
      int px = -1;
      int py = -1;
      for (double[] row : rows) {
        int x = left + (int) Math.round((row[0] - minStep) / Math.max(1, maxStep - minStep) * (right - left));
        double v = Math.max(lo, Math.min(hi, row[columns[k]]));
        int y = bottom - (int) Math.round((v - lo) / (hi - lo) * (bottom - top));
        if (px >= 0) {
          g.drawLine(px, py, x, y);
        }
        px = x;
        py = y;
      }
      g.drawString(header[columns[k]], right - 150, top + 16 + 14 * k);
    }
    g.setStroke(new BasicStroke(1f));
  }

  private static Graphics2D canvas(BufferedImage image) {
    Graphics2D g = image.createGraphics();
    g.setColor(BACKGROUND);
    g.fillRect(0, 0, image.getWidth(), image.getHeight());
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    return g;
  }

  private static int byteOf(float v) {
    return Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
  }

  private static String format(double v) {
    return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : "%.2f", v);
  }

  /** Written to a temporary file and renamed, so a viewer never sees half a PNG. */
  static void write(BufferedImage image, Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Imaging.writeImage(image, tmp.toFile(), ImageFormats.PNG);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
