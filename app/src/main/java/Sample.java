import org.introvae.model.TensorFlowRuntime;
import org.introvae.serving.SampleCommand;

/** Entry point: {@code mvn compile exec:java -Dexec.mainClass=Sample -Dexec.args="--model models/fashion-mnist"}. */
public final class Sample {
  private Sample() {}

  public static void main(String[] args) {
    TensorFlowRuntime.prepare(); // quiet native logs and oneDNN kernels; the loader itself needs only TF core
    int code = SampleCommand.run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }
}
