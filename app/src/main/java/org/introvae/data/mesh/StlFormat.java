package org.introvae.data.mesh;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.introvae.data.DataException;

/**
 * STL: binary (80-byte header, triangle count, 50 bytes per triangle: normal, three vertices, attribute)
 * when the size says so, else ASCII (facet … outer loop, three 'vertex x y z', endloop, endfacet; several
 * solids allowed). Vertices are not shared between triangles, which sampling does not need.
 */
final class StlFormat {
  private StlFormat() {}

  static Mesh read(String file, byte[] bytes) throws DataException {
    if (bytes.length >= 84) {
      long n = ByteBuffer.wrap(bytes, 80, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
      if (84 + 50 * n == bytes.length) {
        return binary(file, bytes, MeshReader.count(file, "triangles", n));
      }
    }
    return ascii(file, new String(bytes, StandardCharsets.ISO_8859_1));
  }

  private static Mesh binary(String file, byte[] bytes, int n) throws DataException {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    MeshBuilder mesh = new MeshBuilder(file);
    int[] corners = new int[3];
    for (int t = 0; t < n; t++) {
      int at = 84 + 50 * t + 12;
      for (int c = 0; c < 3; c++) {
        corners[c] = mesh.vertexCount();
        mesh.vertex(b.getFloat(at + 12 * c), b.getFloat(at + 12 * c + 4), b.getFloat(at + 12 * c + 8));
      }
      mesh.polygon(corners, 3);
    }
    return mesh.build(file);
  }

  private static Mesh ascii(String file, String text) throws DataException {
    if (!text.stripLeading().startsWith("solid")) {
      throw new DataException(file + ": neither binary STL (size ≠ 84 + 50 × count) nor ASCII STL ('solid …')");
    }
    MeshBuilder mesh = new MeshBuilder(file);
    int[] corners = new int[3];
    int inFacet = 0;
    for (String line : text.split("\r?\n|\r")) {
      String[] t = line.trim().split("\\s+");
      if (t[0].equals("vertex")) {
        if (t.length < 4 || inFacet == 3) {
          throw new DataException(file + ": a facet has a malformed or fourth vertex");
        }
        corners[inFacet++] = mesh.vertexCount();
        mesh.vertex(Double.parseDouble(t[1]), Double.parseDouble(t[2]), Double.parseDouble(t[3]));
      } else if (t[0].equals("endloop")) {
        if (inFacet != 3) {
          throw new DataException(file + ": a facet has " + inFacet + " vertices, not 3");
        }
        mesh.polygon(corners, 3);
        inFacet = 0;
      }
    }
    return mesh.build(file);
  }
}
