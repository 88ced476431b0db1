package org.introvae.train;

import java.io.PrintStream;
import org.introvae.model.Cluster;
import org.tensorflow.Server;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.proto.ConfigProto;

/**
 * A task other than the chief in a distributed run: it starts its TensorFlow server and lends the chief
 * its device until the chief's run ends. It reads no data and writes nothing; the chief ships it its
 * replica's share of each step.
 */
final class WorkerTask {
  private WorkerTask() {}

  /** Serves until the chief ends the run; waits through the chief's absences (not yet started, resuming). */
  static void serve(Cluster cluster, ConfigProto config, PrintStream out) throws UserError {
    Server server = startServer(cluster, config);
    out.printf("worker task %d of %d serving its devices on %s for the chief (task 0, %s); it stops when the chief's"
        + " run ends%n", cluster.task(), cluster.size(), cluster.workers().get(cluster.task()), cluster.workers().get(0));
    String[] last = {null};
    cluster.awaitRunEnd(config, why -> {
      if (!why.equals(last[0])) {
        out.println("waiting for the chief (task 0, " + cluster.workers().get(0) + "): " + why);
        last[0] = why;
      }
    });
    out.printf("the chief ended the run; worker task %d stops%n", cluster.task());
    stop(server);
  }

  /** This task's server; a port in use or an unknown host is the user's to fix, in one line. */
  static Server startServer(Cluster cluster, ConfigProto config) throws UserError {
    try {
      return cluster.startServer(config);
    } catch (TensorFlowException | IllegalStateException e) {
      throw new UserError("--cluster/--task: task " + cluster.task() + " could not start its TensorFlow server on "
          + cluster.workers().get(cluster.task()) + ": " + Cluster.firstLine(e));
    }
  }

  /** TensorFlow's gRPC server has no clean shutdown; the process ending frees its port. */
  static void stop(Server server) {
    try {
      server.close();
    } catch (RuntimeException | InterruptedException e) {
      // nothing to undo: the port is released when the process exits
    }
  }
}
