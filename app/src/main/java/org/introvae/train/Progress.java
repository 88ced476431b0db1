package org.introvae.train;

import org.introvae.model.StepLosses;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Step, losses, speed and ETA: rewritten in place on a terminal, as plain periodic lines otherwise
 * (logs, CI).
 */
public final class Progress {
  private final PrintStream out;
  private final boolean terminal;
  private final long firstStep;
  private final long totalSteps;
  private final int batch;
  private final long started = System.nanoTime();
  private long lastPrint;

  public Progress(PrintStream out, boolean terminal, long firstStep, long totalSteps, int batch) {
    this.out = out;
    this.terminal = terminal;
    this.firstStep = firstStep;
    this.totalSteps = totalSteps;
    this.batch = batch;
  }

  public void update(long step, int epoch, StepLosses l, boolean logStep) {
    long now = System.nanoTime();
    boolean due = terminal ? now - lastPrint > 200_000_000L : logStep;
    if (!due && step + 1 != totalSteps) {
      return;
    }
    lastPrint = now;
    double elapsed = (now - started) / 1e9;
    long done = step + 1 - firstStep;
    double perStep = elapsed / Math.max(1, done);
    String line = String.format(Locale.ROOT,
        "step %d/%d epoch %d | L_E %.2f L_G %.2f L_AE %.2f | KL real %.1f rec %s sample %s | %.1f img/s | ETA %s",
        step + 1, totalSteps, epoch + 1, l.lossE(), l.lossG(), l.reconstruction(), l.klReal(), kl(l.klReconstructed()),
        kl(l.klSampled()), batch / perStep, duration(perStep * (totalSteps - step - 1)));
    if (terminal) {
      out.print("\r" + line + "   ");
      out.flush();
    } else {
      out.println(line);
    }
  }

  /** A KL, or "-" where the step did not measure it (warm-up steps between logged ones). */
  private static String kl(float v) {
    return Float.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
  }

  /** Ends the in-place line before other output. */
  public void breakLine() {
    if (terminal && lastPrint != 0) {
      out.println();
      lastPrint = 0;
    }
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format("%dh%02dm", s / 3600, s % 3600 / 60)
        : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
  }
}
