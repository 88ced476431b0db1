package org.introvae.train;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C or SIGTERM during training. Left alone, the JVM exits while a step is inside TensorFlow and
 * libtensorflow's static destructors run under it: a SIGSEGV with an hs_err file. While a {@link Guard}
 * is open, the shutdown waits (at most {@link #GRACE}) for it to close; training loops poll
 * {@link #requested()} between steps, save a checkpoint and throw {@link #stopped}, which unwinds
 * through the sessions' try-with-resources.
 */
public final class Interruption {
  /** Longer than any step or checkpoint here; after it the exit goes ahead regardless. */
  static final Duration GRACE = Duration.ofSeconds(60);

  private static volatile boolean requested;

  private Interruption() {}

  /** Whether the process has been asked to stop. */
  public static boolean requested() {
    return requested;
  }

  /**
   * The stop of a loop before {@code step}; {@code checkpoints} is the folder that holds that step's
   * checkpoint (the loop saved it), or null where the run cannot be resumed.
   */
  public static Stopped stopped(long step, java.nio.file.Path checkpoints) {
    String at = step == 0 ? "before the first step" : "after step " + step;
    return new Stopped("stopped " + at + " (interrupted)" + (checkpoints == null ? ""
        : step == 0 ? "; continue with --resume" : "; its checkpoint is in " + checkpoints + "; continue with --resume"));
  }

  /**
   * Runs a training command in a guarded region and reports a stop (a worker task, which only waits
   * for its chief, stays outside: nothing of it is lost).
   */
  public static int guarded(java.io.PrintStream err, java.util.function.IntSupplier command) {
    try (Guard guard = guard()) {
      try {
        return command.getAsInt();
      } catch (Stopped e) {
        return e.report(err);
      }
    }
  }

  /**
   * Ends a command's JVM with {@code code} (0: returns). After a signal the JVM is already shutting down
   * and exits with the signal's own status (128 + n, e.g. 143 for SIGTERM) once the hooks are done; a
   * System.exit with another code would race that halt and win now and then, so it is not called.
   */
  public static void exit(int code) {
    if (code != 0 && !requested) {
      System.exit(code);
    }
  }

  /** Opens a region the shutdown waits for. */
  public static Guard guard() {
    return new Guard();
  }

  /** The loop stopped because the process was asked to: not an error, and the run can be resumed. */
  public static final class Stopped extends RuntimeException {
    Stopped(String message) {
      super(message, null, false, false);
    }

    /** Says so, before the guard closes (once it does, the JVM's exit goes ahead); returns the exit code. */
    public int report(java.io.PrintStream err) {
      err.println(getMessage());
      err.flush();
      return 130;
    }
  }

  /** A region of TensorFlow work the JVM's shutdown waits for. */
  public static final class Guard implements AutoCloseable {
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread hook = new Thread(this::awaitClose, "introvae-interruption");

    private Guard() {
      Runtime.getRuntime().addShutdownHook(hook);
    }

    private void awaitClose() {
      requested = true;
      try {
        closed.await(GRACE.toSeconds(), TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      closed.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the shutdown has begun: the hook is running and returns now that the region is closed
      }
    }
  }
}
