import org.introvae.model.TensorFlowRuntime;
import org.introvae.serving.ServeCommand;

/** Entry point: {@code mvn compile exec:java -Dexec.mainClass=Serve -Dexec.args="--models models --rest_api_port 8501"}. */
public final class Serve {
  private Serve() {}

  public static void main(String[] args) throws InterruptedException {
    TensorFlowRuntime.prepareForServing(); // quiet native logs, the kernels measured faster for inference on this CPU
    int code = ServeCommand.run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }
}
