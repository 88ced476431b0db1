import org.introvae.train.TrainCommand;

/** Entry point: {@code mvn compile exec:java -Dexec.mainClass=Train -Dexec.args="--help"}. */
public final class Train {
  private Train() {}

  public static void main(String[] args) {
    int code = TrainCommand.run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }
}
