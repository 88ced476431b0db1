package org.introvae.data.mesh;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The real mesh files of the test resources (see meshes/README.md there). */
public final class TestMeshes {
  private TestMeshes() {}

  public static Path folder() {
    try {
      return Path.of(TestMeshes.class.getResource("/meshes").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
