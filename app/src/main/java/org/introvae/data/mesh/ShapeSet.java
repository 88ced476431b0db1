package org.introvae.data.mesh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.introvae.data.DataException;

/**
 * The meshes of a folder (searched recursively), ready to sample: each read, checked and normalised, or
 * skipped and counted. The same shape in several formats or files (same base name, or the same
 * normalised area and triangle count) is kept once. Every {@code heldOutEvery}-th shape in path order
 * is held out.
 *
 * @param skipped one line per skipped file: its path and why
 */
public record ShapeSet(List<SurfaceSampler> training, List<SurfaceSampler> heldOut, String source, List<String> skipped,
    int duplicates) {

  public static ShapeSet load(Path folder, int heldOutEvery) throws DataException {
    if (!Files.isDirectory(folder)) {
      throw new DataException(folder + ": not a folder of meshes (" + String.join(", ", MeshReader.EXTENSIONS) + ")");
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(folder)) {
      files = walk.filter(Files::isRegularFile).filter(MeshReader::supports).sorted().toList();
    } catch (IOException e) {
      throw new DataException(folder + ": cannot be listed (" + e.getMessage() + ")");
    }
    List<SurfaceSampler> shapes = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    int duplicates = 0;
    for (Path file : files) {
      SurfaceSampler s;
      try {
        s = new SurfaceSampler(MeshReader.read(file));
      } catch (DataException e) {
        skipped.add(e.getMessage());
        continue;
      } catch (IllegalArgumentException e) {
        skipped.add(file + ": degenerate, " + e.getMessage());
        continue;
      }
      String base = baseName(file);
      String fingerprint = String.format(Locale.ROOT, "%.4g/%d", s.normalisedArea(), s.mesh().triangleCount());
      if (!seen.add("name:" + base) | !seen.add("shape:" + fingerprint)) {
        duplicates++;
        continue;
      }
      shapes.add(s);
    }
    if (shapes.size() < 2) {
      throw new DataException(folder + ": " + shapes.size() + " usable meshes (at least 2 needed)"
          + (skipped.isEmpty() ? "" : "; first skipped: " + skipped.get(0)));
    }
    List<SurfaceSampler> training = new ArrayList<>();
    List<SurfaceSampler> heldOut = new ArrayList<>();
    for (int i = 0; i < shapes.size(); i++) {
      (heldOutEvery > 0 && i % heldOutEvery == heldOutEvery - 1 ? heldOut : training).add(shapes.get(i));
    }
    return new ShapeSet(training, heldOut, folder.toString(), skipped, duplicates);
  }

  /** The file name without extension and in lower case: 'Wuson.off' and 'wuson.PLY' are one shape. */
  private static String baseName(Path file) {
    String f = file.getFileName().toString().toLowerCase(Locale.ROOT);
    int dot = f.lastIndexOf('.');
    return dot < 0 ? f : f.substring(0, dot);
  }

  /** Why files were skipped, counted by reason (the text after the file name, its numbers as #). */
  public TreeMap<String, Integer> skippedByReason() {
    TreeMap<String, Integer> counts = new TreeMap<>();
    for (String line : skipped) {
      int colon = line.indexOf(": ");
      String reason = (colon < 0 ? line : line.substring(colon + 2)).replaceAll("(?<=^|[\\s(])-?\\d[\\d.eE+-]*(?=$|[\\s,)])", "#");
      counts.merge(reason.length() > 60 ? reason.substring(0, 60) + "…" : reason, 1, Integer::sum);
    }
    return counts;
  }

  /** One line saying what was read. */
  public String summary() {
    return String.format(Locale.ROOT, "%d shapes from %s (%d for training, %d held out; %d duplicates and %d unusable"
        + " files skipped)", training.size() + heldOut.size(), source, training.size(), heldOut.size(), duplicates,
        skipped.size());
  }
}
