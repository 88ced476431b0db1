import org.introvae.eval.EvaluateCommand;

/** Entry point: {@code mvn compile exec:java -Dexec.mainClass=Evaluate -Dexec.args="--model models/fashion-mnist"}. */
public final class Evaluate {
  private Evaluate() {}

  public static void main(String[] args) {
    int code = EvaluateCommand.run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }
}
