package org.introvae.data.mesh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.introvae.data.DataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each format on hand-written files (every variant the readers claim) and on the real files in test resources. */
class MeshReaderTest {
  @TempDir
  Path dir;

  private Mesh read(String name, String text) throws IOException, DataException {
    return read(name, text.getBytes(StandardCharsets.ISO_8859_1));
  }

  private Mesh read(String name, byte[] bytes) throws IOException, DataException {
    Path f = dir.resolve(name);
    Files.write(f, bytes);
    return MeshReader.read(f);
  }

  private String error(String name, String text) {
    return assertThrows(DataException.class, () -> read(name, text)).getMessage();
  }

  @Test
  void off_with_comments_colours_and_a_quad_split_into_a_fan() throws Exception {
    Mesh m = read("quad.off", """
        COFF # a unit square and a triangle
        5 2 0
        0 0 0  255 0 0 255
        1 0 0  255 0 0 255
        1 1 0  255 0 0 255
        0 1 0  255 0 0 255
        # the apex
        0 0 2  0 0 255 255
        4 0 1 2 3  0.5 0.5 0.5
        3 0 1 4
        """);
    assertEquals(5, m.vertexCount());
    assertArrayEquals(new int[] {0, 1, 2, 0, 2, 3, 0, 1, 4}, m.triangles());
    assertEquals(0.5, m.area(0), 1e-9);
    assertEquals(0.5, m.area(1), 1e-9);
    assertEquals(1.0, m.area(2), 1e-9);
  }

  @Test
  void off_without_its_keyword_and_with_counts_on_the_keyword_line() throws Exception {
    assertEquals(1, read("bare.off", "3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n").triangleCount());
    assertEquals(1, read("oneline.off", "OFF 3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n").triangleCount());
  }

  @Test
  void off_errors_name_the_file_and_the_problem() {
    assertTrue(error("short.off", "OFF\n4 1 0\n0 0 0\n1 0 0\n0 1 0\n").matches(".*short.off: declares 4 vertices and 1 faces but has 3 lines.*"));
    assertTrue(error("index.off", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 3\n").matches(".*index.off: a face refers to vertex 3 of 3.*"));
    assertTrue(error("nan.off", "OFF\n3 1 0\n0 0 0\nNaN 0 0\n0 1 0\n3 0 1 2\n").matches(".*nan.off: vertex 2 is not finite.*"));
    assertTrue(error("huge.off", "OFF\n99999999999 1 0\n").matches(".*huge.off: 99999999999 vertices is not a count.*"));
    assertTrue(error("four.off", "4OFF\n1 0 0\n0 0 0 0\n").matches(".*four.off: 4OFF is not 3-D"));
    assertTrue(error("words.off", "hello\n").matches(".*words.off: starts with 'hello'.*"));
    assertTrue(error("empty.off", "# nothing\n").matches(".*empty.off: empty"));
    assertTrue(error("nofaces.off", "OFF\n3 0 0\n0 0 0\n1 0 0\n0 1 0\n").matches(".*nofaces.off: no faces"));
    assertTrue(error("number.off", "OFF\n3 1 0\n0 0 0\n1,5 0 0\n0 1 0\n3 0 1 2\n").matches(".*number.off: a number is malformed.*"));
  }

  @Test
  void ply_ascii_keeps_xyz_and_the_index_list_and_reads_past_everything_else() throws Exception {
    Mesh m = read("a.ply", """
        ply
        format ascii 1.0
        comment extra properties and an extra element must be read past
        element vertex 4
        property float y
        property float nx
        property float x
        property float z
        element face 1
        property uchar intensity
        property list uchar int vertex_indices
        element edge 1
        property int vertex1
        property int vertex2
        end_header
        0 9 0 0
        0 9 1 0
        1 9 1 0
        1 9 0 0
        7 4 0 1 2 3
        0 1
        """);
    assertArrayEquals(new float[] {0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0}, m.vertices());
    assertArrayEquals(new int[] {0, 1, 2, 0, 2, 3}, m.triangles());
  }

  @Test
  void ply_binary_in_both_byte_orders() throws Exception {
    for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
      String header = "ply\nformat binary_" + (order == ByteOrder.LITTLE_ENDIAN ? "little" : "big") + "_endian 1.0\n"
          + "element vertex 3\nproperty double x\nproperty double y\nproperty double z\nproperty uchar red\n"
          + "element face 1\nproperty list uchar uint vertex_index\nend_header\n";
      ByteBuffer body = ByteBuffer.allocate(3 * 25 + 1 + 12).order(order);
      double[][] v = {{0, 0, 0}, {2, 0, 0}, {0, 3, 0}};
      for (double[] p : v) {
        body.putDouble(p[0]).putDouble(p[1]).putDouble(p[2]).put((byte) 200);
      }
      body.put((byte) 3).putInt(0).putInt(1).putInt(2);
      byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
      byte[] all = new byte[h.length + body.capacity()];
      System.arraycopy(h, 0, all, 0, h.length);
      System.arraycopy(body.array(), 0, all, h.length, body.capacity());
      Mesh m = read("b-" + order + ".ply", all);
      assertEquals(3.0, m.area(0), 1e-9, order.toString());
      Path cut = dir.resolve("cut.ply");
      Files.write(cut, java.util.Arrays.copyOf(all, all.length - 5));
      assertTrue(assertThrows(DataException.class, () -> MeshReader.read(cut)).getMessage()
          .endsWith("cut.ply: ends before every declared element was read"));
    }
  }

  @Test
  void stl_ascii_with_two_solids_and_binary() throws Exception {
    Mesh ascii = read("two.stl", """
        solid a
          facet normal 0 0 1
            outer loop
              vertex 0 0 0
              vertex 1 0 0
              vertex 0 1 0
            endloop
          endfacet
        endsolid a
        solid b
          facet normal 0 0 1
            outer loop
              vertex 0 0 1
              vertex 2 0 1
              vertex 0 2 1
            endloop
          endfacet
        endsolid b
        """);
    assertEquals(2, ascii.triangleCount());
    assertEquals(2.0, ascii.area(1), 1e-9);

    ByteBuffer b = ByteBuffer.allocate(84 + 50).order(ByteOrder.LITTLE_ENDIAN);
    b.position(80);
    b.putInt(1);
    b.putFloat(0).putFloat(0).putFloat(1);
    float[] corners = {0, 0, 0, 4, 0, 0, 0, 1, 0};
    for (float c : corners) {
      b.putFloat(c);
    }
    b.putShort((short) 0);
    Mesh binary = read("bin.stl", b.array());
    assertArrayEquals(corners, binary.vertices());
    assertEquals(2.0, binary.area(0), 1e-9);
    assertTrue(error("neither.stl", "not an stl").matches(".*neither.stl: neither binary STL.*"));
  }

  @Test
  void obj_with_slashed_and_negative_indices_ignoring_the_rest() throws Exception {
    Mesh m = read("a.obj", """
        mtllib x.mtl
        o thing
        v 0 0 0
        v 1 0 0
        vt 0 0
        vn 0 0 1
        v 1 1 0
        v 0 1 0 1.0
        usemtl red
        f 1/1/1 2/1/1 3/1/1
        f -4//1 -2//1 -1//1
        l 1 2
        """);
    assertArrayEquals(new int[] {0, 1, 2, 0, 2, 3}, m.triangles());
    assertTrue(error("zero.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 0 1 2\n").matches(".*zero.obj: a face refers to vertex -1.*"));
  }

  @Test
  void vrml_face_sets_with_local_indices_def_use_and_fans() throws Exception {
    Mesh m = read("two.wrl", """
        #VRML V2.0 utf8
        # two shapes, as KiCad writes them, with fields the reader skips
        Shape { appearance Appearance { material DEF RED Material { diffuseColor 1 0 0 } } }
        Shape { geometry IndexedFaceSet { solid FALSE creaseAngle 0.5 coordIndex [0,1,2,3,-1]
          normal Normal { vector [0 0 1, 0 0 1] }
          coord DEF SQUARE Coordinate { point [0 0 0, 1 0 0, 1 1 0, 0 1 0] } }
          appearance Appearance { material USE RED } }
        Shape { geometry DEF TRI IndexedFaceSet { coord Coordinate { point [0 0 1, 2 0 1, 0 2 1] }
          coordIndex [0 1 2] } }
        Shape { geometry IndexedFaceSet { coord USE SQUARE coordIndex [0, 1, 3, -1] } }
        Shape { geometry USE TRI }
        """);
    assertEquals(4 + 3 + 4 + 3, m.vertexCount(), "each face set brings its points");
    // the quad as a fan; the triangle without a final −1; the reused square's points after both
    assertArrayEquals(new int[] {0, 1, 2, 0, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13}, m.triangles());
    assertEquals(2.0, m.area(2), 1e-9);
    assertTrue(error("moved.wrl", "#VRML V2.0 utf8\nTransform { translation 1 0 0 children [] }\n")
        .endsWith("moved.wrl: VRML Transform nodes are not read here (only shapes in the file's own coordinates,"
            + " as KiCad writes them)"));
    assertTrue(error("old.wrl", "#VRML V1.0 ascii\nSeparator { }\n")
        .endsWith("old.wrl: not VRML 2.0 (the first line should start with '#VRML V2.0')"));
    assertTrue(error("far.wrl", "#VRML V2.0 utf8\nIndexedFaceSet { coordIndex [0 1 5] coord Coordinate { point [0 0 0,"
        + " 1 0 0, 0 1 0] } }").endsWith("far.wrl: a face refers to point 5 of an IndexedFaceSet with 3 points"));
    assertTrue(error("use.wrl", "#VRML V2.0 utf8\nIndexedFaceSet { coord USE NONE coordIndex [0 1 2] }")
        .endsWith("use.wrl: coord USE NONE names no Coordinate defined before it"));
    assertTrue(error("cut.wrl", "#VRML V2.0 utf8\nIndexedFaceSet { coordIndex [0 1 2")
        .endsWith("cut.wrl: the file ends inside a node"));
    assertTrue(error("pairs.wrl", "#VRML V2.0 utf8\nIndexedFaceSet { coord Coordinate { point [0 0] } }")
        .endsWith("pairs.wrl: a Coordinate has 2 numbers, not x y z triples"));
  }

  @Test
  void reads_a_real_kicad_model() throws Exception {
    Path file = Path.of(MeshReaderTest.class.getResource("/kicad/R_Box_L13.0mm_W4.0mm_P9.00mm.wrl").toURI());
    Mesh m = MeshReader.read(file);
    // counted in the file by hand: 212 polygons ended by −1 (all triangles) over 224 points in ten face sets
    assertEquals(212, m.triangleCount());
    assertEquals(224, m.vertexCount());
    float minX = Float.MAX_VALUE;
    float maxX = -Float.MAX_VALUE;
    for (int v = 0; v < m.vertexCount(); v++) {
      minX = Math.min(minX, m.vertices()[3 * v]);
      maxX = Math.max(maxX, m.vertices()[3 * v]);
    }
    assertEquals(-0.787f, minX);
    assertEquals(4.331f, maxX);
  }

  @Test
  void reads_the_real_test_meshes_in_every_format() throws Exception {
    Path root = TestMeshes.folder();
    assertEquals(20, MeshReader.read(root.resolve("geomview/icosa.off")).triangleCount());
    assertEquals(36, MeshReader.read(root.resolve("geomview/dodec.off")).triangleCount(), "12 pentagons, 3 triangles each");
    assertEquals(12, MeshReader.read(root.resolve("assimp/cube_ascii.ply")).triangleCount());
    assertEquals(12, MeshReader.read(root.resolve("assimp/cube_binary.ply")).triangleCount());
    assertEquals(2, MeshReader.read(root.resolve("assimp/triangle_with_two_solids.stl")).triangleCount());
    assertTrue(MeshReader.read(root.resolve("assimp/concave_polygon.obj")).triangleCount() > 10);
    assertTrue(assertThrows(DataException.class, () -> MeshReader.read(root.resolve("unusable/hypercube.off")))
        .getMessage().endsWith("hypercube.off: 4OFF is not 3-D"));
  }
}
