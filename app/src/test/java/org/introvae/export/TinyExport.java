package org.introvae.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.introvae.train.TrainCommand;

/** A narrow model trained briefly on the bundled Fashion-MNIST and exported, for export and serving tests. */
public final class TinyExport {
  private TinyExport() {}

  /** Trains runs/tiny under {@code root} and exports it to {@code root}/models/tiny/1; returns the run folder. */
  public static Path trainAndExport(Path root) throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = TrainCommand.run(new String[] {"--runs", root.resolve("runs").toString(), "--run", "tiny",
        "--widths", "8,16", "--z", "8", "--batch", "32", "--steps", "20", "--vae-epochs", "0", "--seed", "5",
        "--image-every", "1000"}, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
    assertEquals(0, code, err.toString());
    Path run = root.resolve("runs/tiny");
    ModelExporter.export(run, root.resolve("models/tiny"), null);
    return run;
  }
}
