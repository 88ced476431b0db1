import org.introvae.export.ModelExporter;
import org.introvae.train.Interruption;
import org.introvae.train.TrainCommand;

/** Entry point: {@code mvn compile exec:java -Dexec.mainClass=Train -Dexec.args="--help"}. */
public final class Train {
  private Train() {}

  public static void main(String[] args) {
    int code = TrainCommand.run(args, System.out, System.err, (run, models) -> ModelExporter.export(run, models, null));
    Interruption.exit(code);
  }
}
