package org.introvae.toy;

import java.util.List;
import java.util.Random;

/**
 * The four 2-D densities of the Soft-IntroVAE paper, generated as the authors' code does. Points are
 * returned flat: x0, y0, x1, y1, ...
 */
public final class ToyDatasets {
  public static final List<String> NAMES = List.of("8gaussians", "2spirals", "checkerboard", "rings");

  private ToyDatasets() {}

  /** Side of the square [−r, r]² the metrics and plots use. */
  public static float range(String name) {
    return name.equals("8gaussians") ? 2f : 4f;
  }

  public static float[] sample(String name, int n, Random random) {
    return switch (name) {
      case "8gaussians" -> eightGaussians(n, random);
      case "2spirals" -> twoSpirals(n, random);
      case "checkerboard" -> checkerboard(n, random);
      case "rings" -> rings(n, random);
      default -> throw new IllegalArgumentException("unknown dataset '" + name + "' (choose one of " + NAMES + ")");
    };
  }

  /** 8 centres on a circle of radius 2, std 0.02, all divided by 1.414. */
  static float[] eightGaussians(int n, Random random) {
    double h = 1 / Math.sqrt(2);
    double[][] centres = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {h, h}, {h, -h}, {-h, h}, {-h, -h}};
    float[] out = new float[2 * n];
    for (int i = 0; i < n; i++) {
      double[] c = centres[random.nextInt(8)];
      out[2 * i] = (float) ((2 * c[0] + 0.02 * random.nextGaussian()) / 1.414);
      out[2 * i + 1] = (float) ((2 * c[1] + 0.02 * random.nextGaussian()) / 1.414);
    }
    return out;
  }

  /** Two interleaved spirals of 540°, uniform jitter 0.5, scaled by 1/3, plus N(0, 0.1²). */
  static float[] twoSpirals(int n, Random random) {
    float[] out = new float[2 * n];
    for (int i = 0; i < n; i++) {
      double t = Math.sqrt(random.nextDouble()) * 540 * 2 * Math.PI / 360;
      double x = -Math.cos(t) * t + random.nextDouble() * 0.5;
      double y = Math.sin(t) * t + random.nextDouble() * 0.5;
      double sign = i % 2 == 0 ? 1 : -1;
      out[2 * i] = (float) (sign * x / 3 + 0.1 * random.nextGaussian());
      out[2 * i + 1] = (float) (sign * y / 3 + 0.1 * random.nextGaussian());
    }
    return out;
  }

  /** Uniform on the black squares of a 4×4 board over [−4, 4]². */
  static float[] checkerboard(int n, Random random) {
    float[] out = new float[2 * n];
    for (int i = 0; i < n; i++) {
      double x1 = random.nextDouble() * 4 - 2;
      double x2 = random.nextDouble() - random.nextInt(2) * 2 + Math.floorMod((int) Math.floor(x1), 2);
      out[2 * i] = (float) (x1 * 2);
      out[2 * i + 1] = (float) (x2 * 2);
    }
    return out;
  }

  /** Four concentric circles of radii 3, 2.25, 1.5, .75, evenly filled, plus N(0, 0.08²). */
  static float[] rings(int n, Random random) {
    double[] radii = {1, 0.75, 0.5, 0.25};
    float[] out = new float[2 * n];
    for (int i = 0; i < n; i++) {
      double r = radii[random.nextInt(4)] * 3;
      double a = random.nextDouble() * 2 * Math.PI;
      out[2 * i] = (float) (r * Math.cos(a) + 0.08 * random.nextGaussian());
      out[2 * i + 1] = (float) (r * Math.sin(a) + 0.08 * random.nextGaussian());
    }
    return out;
  }
}
