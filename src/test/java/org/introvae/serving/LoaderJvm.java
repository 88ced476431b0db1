package org.introvae.serving;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Runs Java source in a separate JVM whose classpath holds only the loader: the classes of
 * org.introvae.serving in a jar, and TensorFlow Java core (api, native, ndarray, JavaCPP, protobuf).
 * No framework, no Commons Imaging, nothing else of this project.
 */
final class LoaderJvm {
  private static final List<String> CORE = List.of("tensorflow-core-api", "tensorflow-core-native", "ndarray",
      "javacpp", "protobuf-java");

  private LoaderJvm() {}

  static String classpath(Path workDir) throws IOException {
    Path jar = workDir.resolve("introvae-serving.jar");
    Path classes = Path.of("target/classes");
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out);
        Stream<Path> walk = Files.walk(classes.resolve("org/introvae/serving"))) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        j.putNextEntry(new JarEntry(classes.relativize(p).toString().replace(File.separatorChar, '/')));
        j.write(Files.readAllBytes(p));
        j.closeEntry();
      }
    }
    List<String> entries = new ArrayList<>(List.of(jar.toString()));
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String name = Path.of(entry).getFileName().toString();
      if (CORE.stream().anyMatch(name::startsWith)) {
        entries.add(entry);
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  /** Runs {@code source} (a single-file Java program) with the loader-only classpath; returns its output. */
  static String run(Path workDir, Path source, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classpath(workDir), source.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes());
    int code = p.waitFor();
    if (code != 0) {
      throw new AssertionError("child JVM exited " + code + ":\n" + output);
    }
    return output;
  }
}
