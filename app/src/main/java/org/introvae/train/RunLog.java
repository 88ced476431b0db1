package org.introvae.train;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What a run prints, also appended to its train.log (a resumed run continues the file). A terminal's
 * in-place progress line ("\r...") becomes one line per update in the file.
 */
final class RunLog extends OutputStream {
  private final PrintStream console;
  private final OutputStream file;
  private boolean fileBroken;

  private RunLog(PrintStream console, OutputStream file) {
    this.console = console;
    this.file = file;
  }

  /** A stream printing to {@code console} and appending to {@code log}; close it to close the file. */
  static PrintStream open(PrintStream console, Path log) throws IOException {
    OutputStream file = Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    return new PrintStream(new RunLog(console, file), true, StandardCharsets.UTF_8);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) {
    console.write(b, off, len);
    if (fileBroken) {
      return;
    }
    byte[] copy = java.util.Arrays.copyOfRange(b, off, off + len);
    for (int i = 0; i < copy.length; i++) {
      if (copy[i] == '\r') {
        copy[i] = '\n';
      }
    }
    try {
      file.write(copy);
    } catch (IOException e) {
      // A full disk must not stop training: the console keeps the output, the log says where it stopped.
      fileBroken = true;
      console.println("warning: could not write train.log (" + e.getMessage() + "); the console has the rest");
    }
  }

  @Override
  public void flush() throws IOException {
    console.flush();
    if (!fileBroken) {
      file.flush();
    }
  }

  @Override
  public void close() throws IOException {
    console.flush();
    file.close();
  }
}
