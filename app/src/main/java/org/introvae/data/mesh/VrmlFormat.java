package org.introvae.data.mesh;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.introvae.data.DataException;

/**
 * VRML 2.0 (VRML97) geometry as KiCad's 3-D models hold it: every IndexedFaceSet's {@code coord
 * Coordinate { point [...] }} and {@code coordIndex [...]} (polygons ended by −1, indices local to the
 * set), with DEF/USE of coordinates and face sets. Everything else (materials, normals, colours) is
 * skipped. Nodes that would move their children (Transform, Billboard) or pull in other files (Inline)
 * are refused with a one-line error rather than read wrongly; so is VRML 1.0.
 */
final class VrmlFormat {
  private VrmlFormat() {}

  private record FaceSet(double[] points, int[] coordIndex) {}

  static Mesh read(String file, byte[] bytes) throws DataException {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    if (!text.startsWith("#VRML V2.0")) {
      throw new DataException(file + ": not VRML 2.0 (the first line should start with '#VRML V2.0')");
    }
    return new Parser(file, Tokens.of(text)).mesh();
  }

  /** Tokens: brackets and braces alone, words and numbers; commas and whitespace separate, # starts a comment. */
  static final class Tokens {
    private Tokens() {}

    static List<String> of(String text) {
      List<String> out = new ArrayList<>();
      int n = text.length();
      int i = 0;
      while (i < n) {
        char c = text.charAt(i);
        if (c == '#') {
          while (i < n && text.charAt(i) != '\n' && text.charAt(i) != '\r') {
            i++;
          }
        } else if (c == '"') {  // a string (a url, a description): one token, escapes kept
          int start = i++;
          while (i < n && text.charAt(i) != '"') {
            i += text.charAt(i) == '\\' ? 2 : 1;
          }
          out.add(text.substring(start, Math.min(n, ++i)));
        } else if (c == '[' || c == ']' || c == '{' || c == '}') {
          out.add(String.valueOf(c));
          i++;
        } else if (Character.isWhitespace(c) || c == ',') {
          i++;
        } else {
          int start = i;
          while (i < n && !Character.isWhitespace(text.charAt(i)) && "[]{},#\"".indexOf(text.charAt(i)) < 0) {
            i++;
          }
          out.add(text.substring(start, i));
        }
      }
      return out;
    }
  }

  private static final class Parser {
    private final String file;
    private final List<String> t;
    private int at;
    private final Map<String, double[]> coordinates = new HashMap<>();
    private final Map<String, FaceSet> faceSets = new HashMap<>();

    Parser(String file, List<String> tokens) {
      this.file = file;
      this.t = tokens;
    }

    Mesh mesh() throws DataException {
      MeshBuilder mesh = new MeshBuilder(file);
      while (at < t.size()) {
        String token = t.get(at++);
        switch (token) {
          case "Transform", "Billboard", "Inline" -> throw new DataException(file + ": VRML " + token
              + " nodes are not read here (only shapes in the file's own coordinates, as KiCad writes them)");
          case "DEF" -> {
            String name = next("a name after DEF");
            if (at < t.size() && t.get(at).equals("IndexedFaceSet")) {
              at++;
              FaceSet set = faceSet();
              faceSets.put(name, set);
              add(mesh, set);
            }
          }
          case "USE" -> {
            FaceSet set = faceSets.get(next("a name after USE"));
            if (set != null) {
              add(mesh, set);
            }
          }
          case "IndexedFaceSet" -> add(mesh, faceSet());
          default -> { }
        }
      }
      return mesh.build(file);
    }

    private void add(MeshBuilder mesh, FaceSet set) throws DataException {
      int offset = mesh.vertexCount();
      int vertices = set.points().length / 3;
      for (int v = 0; v < vertices; v++) {
        mesh.vertex(set.points()[3 * v], set.points()[3 * v + 1], set.points()[3 * v + 2]);
      }
      int[] corners = new int[16];
      int k = 0;
      for (int i = 0; i <= set.coordIndex().length; i++) {
        int index = i < set.coordIndex().length ? set.coordIndex()[i] : -1;
        if (index == -1) {
          if (k > 0) {
            mesh.polygon(corners, k);
          }
          k = 0;
          continue;
        }
        if (index < 0 || index >= vertices) {
          throw new DataException(file + ": a face refers to point " + index + " of an IndexedFaceSet with " + vertices
              + " points");
        }
        if (k == corners.length) {
          corners = java.util.Arrays.copyOf(corners, 2 * k);
        }
        corners[k++] = offset + index;
      }
    }

    /** The body of an IndexedFaceSet, from its '{' to the matching '}'. */
    private FaceSet faceSet() throws DataException {
      expect("{", "IndexedFaceSet");
      double[] points = new double[0];
      int[] coordIndex = new int[0];
      while (!peek("}")) {
        String field = next("'}' closing an IndexedFaceSet");
        switch (field) {
          case "coord" -> points = coordinate();
          case "coordIndex" -> coordIndex = integers(field);
          default -> skipValue();
        }
      }
      at++;
      if (points.length % 3 != 0) {
        throw new DataException(file + ": a Coordinate has " + points.length + " numbers, not x y z triples");
      }
      return new FaceSet(points, coordIndex);
    }

    /** coord's value: USE name, or [DEF name] Coordinate { point [...] }. */
    private double[] coordinate() throws DataException {
      String first = next("a Coordinate after coord");
      if (first.equals("USE")) {
        String name = next("a name after USE");
        double[] points = coordinates.get(name);
        if (points == null) {
          throw new DataException(file + ": coord USE " + name + " names no Coordinate defined before it");
        }
        return points;
      }
      String name = null;
      if (first.equals("DEF")) {
        name = next("a name after DEF");
        first = next("Coordinate");
      }
      if (!first.equals("Coordinate")) {
        throw new DataException(file + ": coord holds a " + first + " node, not a Coordinate");
      }
      expect("{", "Coordinate");
      double[] points = new double[0];
      while (!peek("}")) {
        String field = next("'}' closing a Coordinate");
        if (field.equals("point")) {
          points = numbers(field);
        } else {
          skipValue();
        }
      }
      at++;
      if (name != null) {
        coordinates.put(name, points);
      }
      return points;
    }

    private double[] numbers(String field) throws DataException {
      List<String> values = values(field);
      double[] out = new double[values.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = Double.parseDouble(values.get(i));
      }
      return out;
    }

    private int[] integers(String field) throws DataException {
      List<String> values = values(field);
      int[] out = new int[values.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = Integer.parseInt(values.get(i));
      }
      return out;
    }

    /** A multiple-valued field: [v v …], or one value without brackets. */
    private List<String> values(String field) throws DataException {
      if (!peek("[")) {
        return List.of(next("a value of " + field));
      }
      at++;
      List<String> out = new ArrayList<>();
      while (!peek("]")) {
        out.add(next("']' closing " + field));
      }
      at++;
      return out;
    }

    /** Any other field's value: a bracketed list, a node ([DEF name] Type { … }), USE name, or one token. */
    private void skipValue() throws DataException {
      String first = next("a field's value");
      if (first.equals("[") || first.equals("{")) {
        at--;
        skipBalanced();
      } else if (first.equals("USE")) {
        next("a name after USE");
      } else {
        if (first.equals("DEF")) {
          next("a name after DEF");
          next("a node type");
        }
        if (peek("{")) {
          skipBalanced();
        }
      }
    }

    private void skipBalanced() throws DataException {
      int depth = 0;
      do {
        String token = next("a closing bracket");
        if (token.equals("[") || token.equals("{")) {
          depth++;
        } else if (token.equals("]") || token.equals("}")) {
          depth--;
        }
      } while (depth > 0);
    }

    private boolean peek(String token) throws DataException {
      if (at >= t.size()) {
        throw new DataException(file + ": the file ends inside a node");
      }
      return t.get(at).equals(token);
    }

    private String next(String expected) throws DataException {
      if (at >= t.size()) {
        throw new DataException(file + ": the file ends where " + expected + " was expected");
      }
      return t.get(at++);
    }

    private void expect(String token, String after) throws DataException {
      String got = next("'" + token + "' after " + after);
      if (!got.equals(token)) {
        throw new DataException(file + ": '" + token + "' expected after " + after + ", not '" + got + "'");
      }
    }
  }
}
