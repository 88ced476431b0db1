package org.introvae.data.mesh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.introvae.data.DataException;

/**
 * Reads a triangle mesh from OFF, PLY (ASCII or binary), STL (ASCII or binary), OBJ or VRML 2.0 (.wrl, as
 * KiCad's 3-D models), chosen by extension.
 */
public final class MeshReader {
  /** The extensions read, lower case. */
  public static final List<String> EXTENSIONS = List.of("off", "ply", "stl", "obj", "wrl");
  /** Larger files are refused rather than read into memory. */
  static final long MAX_BYTES = 256L << 20;
  /** More vertices or faces than this are refused (a declared count larger than any shape here). */
  static final long MAX_ELEMENTS = 20_000_000L;

  private MeshReader() {}

  /** Whether {@code file}'s extension is one this reader reads. */
  public static boolean supports(Path file) {
    return EXTENSIONS.contains(extension(file));
  }

  /** The mesh in {@code file}; a DataException naming the file says what is wrong with it. */
  public static Mesh read(Path file) throws DataException {
    String name = file.toString();
    try {
      long size = Files.size(file);
      if (size > MAX_BYTES) {
        throw new DataException(name + ": " + size + " bytes is more than the " + MAX_BYTES + " a mesh may have");
      }
      byte[] bytes = Files.readAllBytes(file);
      Mesh mesh = switch (extension(file)) {
        case "off" -> OffFormat.read(name, bytes);
        case "ply" -> PlyFormat.read(name, bytes);
        case "stl" -> StlFormat.read(name, bytes);
        case "obj" -> ObjFormat.read(name, bytes);
        case "wrl" -> VrmlFormat.read(name, bytes);
        default -> throw new DataException(name + ": not a mesh format read here (" + EXTENSIONS + ")");
      };
      if (mesh.triangleCount() == 0) {
        throw new DataException(name + ": no faces");
      }
      return mesh;
    } catch (IOException e) {
      throw new DataException(name + ": cannot be read (" + e.getMessage() + ")");
    } catch (NumberFormatException e) {
      throw new DataException(name + ": a number is malformed (" + e.getMessage() + ")");
    }
  }

  static String extension(Path file) {
    String f = file.getFileName().toString();
    int dot = f.lastIndexOf('.');
    return dot < 0 ? "" : f.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  /** A declared count, checked against the limit. */
  static int count(String file, String what, long value) throws DataException {
    if (value < 0 || value > MAX_ELEMENTS) {
      throw new DataException(file + ": " + value + " " + what + " is not a count this reader accepts (0 to "
          + MAX_ELEMENTS + ")");
    }
    return (int) value;
  }
}
