package org.introvae.data.mesh;

import java.nio.charset.StandardCharsets;
import org.introvae.data.DataException;

/**
 * Wavefront OBJ's geometry: 'v x y z [w]' and 'f' lines whose corners are v, v/vt, v//vn or v/vt/vn with
 * 1-based or negative (relative) vertex indices. Everything else (materials, groups, normals, texture
 * coordinates, lines, curves) is ignored.
 */
final class ObjFormat {
  private ObjFormat() {}

  static Mesh read(String file, byte[] bytes) throws DataException {
    MeshBuilder mesh = new MeshBuilder(file);
    int[] corners = new int[16];
    int lineNumber = 0;
    for (String line : new String(bytes, StandardCharsets.ISO_8859_1).split("\r?\n|\r")) {
      lineNumber++;
      String[] t = line.trim().split("\\s+");
      if (t[0].equals("v")) {
        if (t.length < 4) {
          throw new DataException(file + ": line " + lineNumber + ": a vertex needs x y z");
        }
        mesh.vertex(Double.parseDouble(t[1]), Double.parseDouble(t[2]), Double.parseDouble(t[3]));
      } else if (t[0].equals("f")) {
        int k = t.length - 1;
        if (corners.length < k) {
          corners = new int[k];
        }
        for (int c = 0; c < k; c++) {
          String index = t[1 + c];
          int slash = index.indexOf('/');
          int v = Integer.parseInt(slash < 0 ? index : index.substring(0, slash));
          corners[c] = v < 0 ? mesh.vertexCount() + v : v - 1;
        }
        mesh.polygon(corners, k);
      }
    }
    return mesh.build(file);
  }
}
