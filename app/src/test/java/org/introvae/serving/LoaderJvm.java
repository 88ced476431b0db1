package org.introvae.serving;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs Java source in a separate JVM whose classpath holds only the introvae-loader module and
 * TensorFlow Java core (api, native, ndarray, JavaCPP, protobuf): no framework, no Commons Imaging,
 * nothing else of this project.
 */
final class LoaderJvm {
  private static final List<String> CORE = List.of("tensorflow-core-api", "tensorflow-core-native", "ndarray",
      "javacpp", "protobuf-java");

  private LoaderJvm() {}

  /** The loader module's own build output (the reactor builds it before this module) and TF core's jars. */
  static String classpath() {
    Path loader = Path.of("loader", "target", "classes");
    if (!Files.isDirectory(loader.resolve("org/introvae/serving"))) {
      throw new IllegalStateException(loader + " is missing: run the tests from the top level (mvn test), which builds the loader first");
    }
    List<String> entries = new ArrayList<>(List.of(loader.toString()));
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
        "-cp", classpath(), source.toString()));
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
