package org.introvae.points;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Point clouds drawn as pictures: each cloud in three orthographic views (front: x right, y up; side: z
 * right, y up; top: x right, z down), points nearer the viewer darker and drawn last. Sheets are rows of
 * such triples under a caption, written as PNG through a temporary file.
 */
public final class CloudPictures {
  /** Pixels per view. */
  static final int VIEW = 112;
  static final int CAPTION = 16;
  private static final int GAP = 6;

  private CloudPictures() {}

  /** One row of a sheet: a caption and the clouds (x, y, z triples) side by side. */
  public record Row(String caption, List<float[]> clouds) {}

  /** The three views of one cloud, side by side on {@code g} at (x, y). */
  static void drawCloud(Graphics2D g, float[] cloud, int x, int y) {
    int[][] axes = {{0, 1, 2}, {2, 1, 0}, {0, 2, 1}};  // right, up, towards the viewer (sign below)
    int[][] signs = {{1, 1, 1}, {-1, 1, 1}, {1, -1, 1}};
    for (int v = 0; v < 3; v++) {
      int ox = x + v * VIEW;
      g.setColor(new Color(248, 248, 248));
      g.fillRect(ox + 1, y + 1, VIEW - 2, VIEW - 2);
      int n = cloud.length / 3;
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      int depthAxis = axes[v][2];
      int depthSign = signs[v][2];
      java.util.Arrays.sort(order, (a, b) -> Float.compare(depthSign * cloud[3 * a + depthAxis], depthSign * cloud[3 * b + depthAxis]));
      for (int i : order) {
        float right = signs[v][0] * cloud[3 * i + axes[v][0]];
        float up = signs[v][1] * cloud[3 * i + axes[v][1]];
        float depth = depthSign * cloud[3 * i + depthAxis];
        if (!Float.isFinite(right) || !Float.isFinite(up) || !Float.isFinite(depth)) {
          continue;
        }
        int px = ox + Math.round((right + 1.1f) / 2.2f * (VIEW - 1));
        int py = y + Math.round((1.1f - up) / 2.2f * (VIEW - 1));
        float near = Math.max(0, Math.min(1, (depth + 1) / 2));
        g.setColor(new Color(Math.round(200 - 170 * near), Math.round(215 - 150 * near), Math.round(240 - 110 * near)));
        g.fillRect(px - 1, py - 1, 2, 2);
      }
    }
  }

  /** A sheet of rows, {@code perRow} clouds wide. */
  public static BufferedImage sheet(String title, List<Row> rows, int perRow) {
    int cloudWidth = 3 * VIEW + GAP;
    int width = Math.max(1, perRow) * cloudWidth + GAP;
    int height = CAPTION + rows.size() * (CAPTION + VIEW + GAP) + GAP;
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    g.setColor(Color.DARK_GRAY);
    g.drawString(title, GAP, CAPTION - 4);
    int y = CAPTION;
    for (Row row : rows) {
      g.setColor(Color.DARK_GRAY);
      g.drawString(row.caption(), GAP, y + CAPTION - 4);
      for (int i = 0; i < row.clouds().size(); i++) {
        drawCloud(g, row.clouds().get(i), GAP + i * cloudWidth, y + CAPTION);
      }
      y += CAPTION + VIEW + GAP;
    }
    g.dispose();
    return img;
  }

  /** Writes {@code image} to {@code file} as PNG via a temporary file and a rename. */
  public static void write(BufferedImage image, Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    if (!javax.imageio.ImageIO.write(image, "png", tmp.toFile())) {
      throw new IOException("no PNG writer");
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
