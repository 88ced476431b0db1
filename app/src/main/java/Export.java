import org.introvae.export.ExportCommand;

/** Entry point: {@code mvn compile exec:java -Dexec.mainClass=Export -Dexec.args="--run runs/NAME --out models/NAME"}. */
public final class Export {
  private Export() {}

  public static void main(String[] args) {
    int code = ExportCommand.run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }
}
