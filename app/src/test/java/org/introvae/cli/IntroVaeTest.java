package org.introvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IntroVaeTest {
  private record Outcome(int code, String out, String err) {}

  private static Outcome run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = IntroVae.run(args, new PrintStream(out, true), new PrintStream(err, true));
    return new Outcome(code, out.toString(), err.toString());
  }

  @Test
  void help_lists_every_tool_and_version_is_the_poms() throws Exception {
    Outcome help = run("--help");
    assertEquals(0, help.code());
    for (IntroVae.Entry e : IntroVae.TOOLS) {
      assertTrue(help.out().contains("  " + e.name() + " "), e.name() + " in " + help.out());
    }
    Outcome version = run("--version");
    assertEquals(0, version.code());
    String pom = Files.readString(Path.of("pom.xml"));
    String expected = pom.substring(pom.indexOf("<version>") + 9, pom.indexOf("</version>"));
    assertEquals("introvae " + expected, version.out().strip());
  }

  @Test
  void an_unknown_tool_or_none_is_a_usage_error() {
    Outcome unknown = run("trian");
    assertEquals(2, unknown.code());
    assertEquals(1, unknown.err().strip().lines().count(), unknown.err());
    assertTrue(unknown.err().contains("'trian'"), unknown.err());
    assertEquals(2, run().code());
  }

  @Test
  void options_after_the_tool_and_in_argument_files_reach_the_tool(@TempDir Path dir) throws Exception {
    Outcome help = run("sample", "--help");
    assertEquals(0, help.code());
    assertTrue(help.out().startsWith("Usage: sample"), help.out());
    assertTrue(help.out().contains("--count=N") && help.out().contains("Default: 64"), "generated, with defaults: " + help.out());
    Path args = dir.resolve("sample.args");
    Files.writeString(args, "--count\n0\n");
    Outcome bad = run("sample", "@" + args, "--model", dir.toString());
    assertEquals(2, bad.code(), bad.err());
    assertTrue(bad.err().contains("--count"), "the file's option was parsed by Sample: " + bad.err());
  }

  /** TensorFlow reads its log level once per process, so the verbose run is a process of its own. */
  @Test
  void verbose_lets_tensorflows_native_log_through(@TempDir Path dir) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), IntroVae.class.getName(), "--verbose", "sample", "--model",
        "models/fashion-mnist", "--count", "1", "--out", dir.resolve("s.png").toString())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    // Without this the child inherits this JVM's native environment, where another test's
    // TensorFlowRuntime.prepare() has already set TF_CPP_MIN_LOG_LEVEL (a user's choice, which wins).
    builder.environment().remove("TF_CPP_MIN_LOG_LEVEL");
    Process p = builder.start();
    String err = new String(p.getErrorStream().readAllBytes());
    assertEquals(0, p.waitFor(), err);
    long shipped = java.util.Collections.max(org.introvae.serving.IntroVaeModel.versions(Path.of("models/fashion-mnist")));
    assertTrue(err.contains("Reading SavedModel from: models/fashion-mnist/" + shipped), "stderr: " + err);
    assertTrue(help().contains("--verbose"));
  }

  private static String help() {
    return run("--help").out();
  }
}
