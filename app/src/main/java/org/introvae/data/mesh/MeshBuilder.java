package org.introvae.data.mesh;

import java.util.Arrays;
import org.introvae.data.DataException;

/** Collects vertices and polygons as a reader meets them, checks them, and splits polygons into fans. */
final class MeshBuilder {
  private final String file;
  private float[] vertices = new float[3 * 64];
  private int vertexValues;
  private int[] triangles = new int[3 * 64];
  private int triangleValues;

  MeshBuilder(String file) {
    this.file = file;
  }

  int vertexCount() {
    return vertexValues / 3;
  }

  void vertex(double x, double y, double z) throws DataException {
    if (!Double.isFinite(x) || !Double.isFinite(y) || !Double.isFinite(z)) {
      throw new DataException(file + ": vertex " + (vertexCount() + 1) + " is not finite (" + x + ", " + y + ", " + z + ")");
    }
    if (vertexValues + 3 > vertices.length) {
      vertices = Arrays.copyOf(vertices, 2 * vertices.length);
    }
    vertices[vertexValues++] = (float) x;
    vertices[vertexValues++] = (float) y;
    vertices[vertexValues++] = (float) z;
  }

  /** A polygon of 0-based vertex indices, split into the fan (v0, v_i, v_i+1). */
  void polygon(int[] corners, int count) throws DataException {
    if (count < 3) {
      throw new DataException(file + ": a face has " + count + " corners (at least 3 needed)");
    }
    for (int i = 0; i < count; i++) {
      if (corners[i] < 0 || corners[i] >= vertexCount()) {
        throw new DataException(file + ": a face refers to vertex " + corners[i] + " of " + vertexCount()
            + " (indices are counted from 0)");
      }
    }
    for (int i = 1; i + 1 < count; i++) {
      if (triangleValues + 3 > triangles.length) {
        triangles = Arrays.copyOf(triangles, 2 * triangles.length);
      }
      triangles[triangleValues++] = corners[0];
      triangles[triangleValues++] = corners[i];
      triangles[triangleValues++] = corners[i + 1];
    }
  }

  Mesh build(String name) {
    return new Mesh(name, Arrays.copyOf(vertices, vertexValues), Arrays.copyOf(triangles, triangleValues));
  }
}
