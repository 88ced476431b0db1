package org.introvae.data.mesh;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.introvae.data.DataException;

/**
 * PLY (Turk's polygon file format), ASCII or binary in either byte order: the header declares elements
 * and their properties; x, y, z of element 'vertex' and the index list ('vertex_indices' or
 * 'vertex_index') of element 'face' are kept, every other element and property is read past.
 */
final class PlyFormat {
  private PlyFormat() {}

  /** One declared property: a scalar of {@code type}, or a list with a count of {@code countType}. */
  private record Property(String name, String type, String countType) {
    boolean list() {
      return countType != null;
    }
  }

  private record Element(String name, long count, List<Property> properties) {}

  /** Values in the body, one after the other, in the file's encoding. */
  private interface Values {
    double next(String type) throws DataException;
  }

  static Mesh read(String file, byte[] bytes) throws DataException {
    int end = headerEnd(file, bytes);
    String[] header = new String(bytes, 0, end, StandardCharsets.ISO_8859_1).split("\r?\n|\r");
    if (!header[0].trim().equals("ply")) {
      throw new DataException(file + ": does not start with 'ply'");
    }
    String format = null;
    List<Element> elements = new ArrayList<>();
    for (String line : header) {
      String[] t = line.trim().split("\\s+");
      switch (t[0]) {
        case "format" -> format = t.length > 1 ? t[1] : "";
        case "element" -> {
          if (t.length < 3) {
            throw new DataException(file + ": malformed header line '" + line.trim() + "'");
          }
          elements.add(new Element(t[1], MeshReader.count(file, t[1] + " elements", Long.parseLong(t[2])), new ArrayList<>()));
        }
        case "property" -> {
          if (elements.isEmpty() || t.length < 3 || (t[1].equals("list") && t.length < 5)) {
            throw new DataException(file + ": malformed header line '" + line.trim() + "'");
          }
          elements.get(elements.size() - 1).properties().add(t[1].equals("list")
              ? new Property(t[4], t[3], t[2]) : new Property(t[2], t[1], null));
        }
        default -> { }
      }
    }
    Values values = switch (format == null ? "" : format) {
      case "ascii" -> ascii(file, new String(bytes, end, bytes.length - end, StandardCharsets.ISO_8859_1));
      case "binary_little_endian" -> binary(file, ByteBuffer.wrap(bytes, end, bytes.length - end).order(ByteOrder.LITTLE_ENDIAN));
      case "binary_big_endian" -> binary(file, ByteBuffer.wrap(bytes, end, bytes.length - end).order(ByteOrder.BIG_ENDIAN));
      default -> throw new DataException(file + ": format '" + format + "' is not ascii or binary");
    };
    MeshBuilder mesh = new MeshBuilder(file);
    int[] corners = new int[16];
    for (Element e : elements) {
      boolean vertex = e.name().equals("vertex");
      boolean face = e.name().equals("face");
      if (vertex && !(has(e, "x") && has(e, "y") && has(e, "z"))) {
        throw new DataException(file + ": element vertex has no x, y and z");
      }
      double[] xyz = new double[3];
      for (long i = 0; i < e.count(); i++) {
        int cornerCount = -1;
        for (Property p : e.properties()) {
          if (p.list()) {
            int k = (int) values.next(p.countType());
            if (k < 0 || k > 1 << 16) {
              throw new DataException(file + ": a " + e.name() + " list has " + k + " entries");
            }
            boolean indices = face && (p.name().equals("vertex_indices") || p.name().equals("vertex_index"));
            if (indices && corners.length < k) {
              corners = new int[k];
            }
            for (int c = 0; c < k; c++) {
              double v = values.next(p.type());
              if (indices) {
                corners[c] = (int) v;
              }
            }
            if (indices) {
              cornerCount = k;
            }
          } else {
            double v = values.next(p.type());
            if (vertex) {
              switch (p.name()) {
                case "x" -> xyz[0] = v;
                case "y" -> xyz[1] = v;
                case "z" -> xyz[2] = v;
                default -> { }
              }
            }
          }
        }
        if (vertex) {
          mesh.vertex(xyz[0], xyz[1], xyz[2]);
        } else if (cornerCount >= 0) {
          mesh.polygon(corners, cornerCount);
        }
      }
    }
    return mesh.build(file);
  }

  private static boolean has(Element e, String property) {
    return e.properties().stream().anyMatch(p -> !p.list() && p.name().equals(property));
  }

  /** The offset just past the 'end_header' line. */
  private static int headerEnd(String file, byte[] bytes) throws DataException {
    byte[] marker = "end_header".getBytes(StandardCharsets.ISO_8859_1);
    int limit = Math.min(bytes.length, 1 << 16);
    outer:
    for (int i = 0; i + marker.length <= limit; i++) {
      for (int j = 0; j < marker.length; j++) {
        if (bytes[i + j] != marker[j]) {
          continue outer;
        }
      }
      int at = i + marker.length;
      while (at < bytes.length && bytes[at] != '\n') {
        at++;
      }
      return Math.min(bytes.length, at + 1);
    }
    throw new DataException(file + ": no 'end_header' in the first 64 KiB");
  }

  private static Values ascii(String file, String body) {
    String[] tokens = body.trim().split("\\s+");
    int[] at = {0};
    return type -> {
      if (at[0] >= tokens.length || tokens[0].isEmpty()) {
        throw new DataException(file + ": ends before every declared element was read");
      }
      return Double.parseDouble(tokens[at[0]++]);
    };
  }

  private static Values binary(String file, ByteBuffer b) {
    return type -> {
      try {
        return switch (type) {
          case "char", "int8" -> b.get();
          case "uchar", "uint8" -> b.get() & 0xff;
          case "short", "int16" -> b.getShort();
          case "ushort", "uint16" -> b.getShort() & 0xffff;
          case "int", "int32" -> b.getInt();
          case "uint", "uint32" -> b.getInt() & 0xffffffffL;
          case "float", "float32" -> b.getFloat();
          case "double", "float64" -> b.getDouble();
          default -> throw new DataException(file + ": property type '" + type + "' is not PLY's");
        };
      } catch (java.nio.BufferUnderflowException e) {
        throw new DataException(file + ": ends before every declared element was read");
      }
    };
  }
}
