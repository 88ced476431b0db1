package org.introvae.data.mesh;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.introvae.data.DataException;

/**
 * Geomview's OFF: a header keyword ([ST][C][N]OFF, optional), the counts of vertices, faces and edges, one vertex
 * per line (x y z, then any normal, colour or texture values, ignored), one face per line (k i₁ … i_k,
 * then any colour, ignored). '#' starts a comment. 4-D and n-D variants are refused.
 */
final class OffFormat {
  private OffFormat() {}

  static Mesh read(String file, byte[] bytes) throws DataException {
    List<String[]> lines = new ArrayList<>();
    for (String line : new String(bytes, StandardCharsets.ISO_8859_1).split("\r?\n|\r")) {
      int hash = line.indexOf('#');
      String content = (hash >= 0 ? line.substring(0, hash) : line).trim();
      if (!content.isEmpty()) {
        lines.add(content.split("\\s+"));
      }
    }
    if (lines.isEmpty()) {
      throw new DataException(file + ": empty");
    }
    String[] header = lines.get(0);
    String keyword = header[0];
    boolean keywordGiven = !keyword.matches("\\d+");  // the keyword is optional: a file may start with the counts
    if (keywordGiven && !keyword.matches("(ST)?C?N?(4|n)?OFF")) {
      throw new DataException(file + ": starts with '" + keyword + "', not an OFF keyword or the counts");
    }
    if (keyword.contains("4OFF") || keyword.contains("nOFF")) {
      throw new DataException(file + ": " + keyword + " is not 3-D");
    }
    List<String> counts = new ArrayList<>(List.of(header).subList(keywordGiven ? 1 : 0, header.length));
    int next = 1;
    if (counts.isEmpty()) {
      if (lines.size() < 2) {
        throw new DataException(file + ": no vertex and face counts");
      }
      counts = List.of(lines.get(1));
      next = 2;
    }
    if (counts.size() < 2) {
      throw new DataException(file + ": the counts line needs vertices and faces");
    }
    int nv = MeshReader.count(file, "vertices", Long.parseLong(counts.get(0)));
    int nf = MeshReader.count(file, "faces", Long.parseLong(counts.get(1)));
    if (lines.size() < next + (long) nv + nf) {
      throw new DataException(file + ": declares " + nv + " vertices and " + nf + " faces but has "
          + (lines.size() - next) + " lines of them");
    }
    MeshBuilder mesh = new MeshBuilder(file);
    for (int i = 0; i < nv; i++) {
      String[] v = lines.get(next + i);
      if (v.length < 3) {
        throw new DataException(file + ": vertex " + (i + 1) + " has fewer than 3 coordinates");
      }
      mesh.vertex(Double.parseDouble(v[0]), Double.parseDouble(v[1]), Double.parseDouble(v[2]));
    }
    int[] corners = new int[16];
    for (int f = 0; f < nf; f++) {
      String[] face = lines.get(next + nv + f);
      int k = Integer.parseInt(face[0]);
      if (k < 0 || face.length < k + 1) {
        throw new DataException(file + ": face " + (f + 1) + " lists fewer corners than its count " + k);
      }
      if (corners.length < k) {
        corners = new int[k];
      }
      for (int c = 0; c < k; c++) {
        corners[c] = Integer.parseInt(face[1 + c]);
      }
      mesh.polygon(corners, k);
    }
    return mesh.build(file);
  }
}
