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
    assertTrue(help.out().startsWith("usage: Sample"), help.out());
    Path args = dir.resolve("sample.args");
    Files.writeString(args, "--count\n0\n");
    Outcome bad = run("sample", "@" + args, "--model", dir.toString());
    assertEquals(2, bad.code(), bad.err());
    assertTrue(bad.err().contains("--count"), "the file's option was parsed by Sample: " + bad.err());
  }
}
