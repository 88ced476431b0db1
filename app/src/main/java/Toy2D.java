import org.introvae.toy.Toy2DCommand;
import org.introvae.train.Interruption;

/** Entry point: {@code mvn compile exec:java -Dexec.mainClass=Toy2D -Dexec.args="--dataset 8gaussians --objective soft"}. */
public final class Toy2D {
  private Toy2D() {}

  public static void main(String[] args) {
    int code = Toy2DCommand.run(args, System.out, System.err);
    Interruption.exit(code);
  }
}
