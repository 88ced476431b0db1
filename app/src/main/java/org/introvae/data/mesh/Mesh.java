package org.introvae.data.mesh;

/**
 * A triangle mesh: vertex coordinates (x, y, z per vertex) and triangles as triples of vertex indices.
 * Polygons are split into fans when read.
 */
public record Mesh(String name, float[] vertices, int[] triangles) {
  public int vertexCount() {
    return vertices.length / 3;
  }

  public int triangleCount() {
    return triangles.length / 3;
  }

  /** The area of triangle {@code t}, ½‖(b − a) × (c − a)‖. */
  public double area(int t) {
    int a = 3 * triangles[3 * t];
    int b = 3 * triangles[3 * t + 1];
    int c = 3 * triangles[3 * t + 2];
    double ux = vertices[b] - vertices[a];
    double uy = vertices[b + 1] - vertices[a + 1];
    double uz = vertices[b + 2] - vertices[a + 2];
    double vx = vertices[c] - vertices[a];
    double vy = vertices[c + 1] - vertices[a + 1];
    double vz = vertices[c + 2] - vertices[a + 2];
    double cx = uy * vz - uz * vy;
    double cy = uz * vx - ux * vz;
    double cz = ux * vy - uy * vx;
    return 0.5 * Math.sqrt(cx * cx + cy * cy + cz * cz);
  }
}
