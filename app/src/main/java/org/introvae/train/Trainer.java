package org.introvae.train;

import org.introvae.model.StepLosses;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.introvae.data.DataException;
import org.introvae.data.Datasets;
import org.introvae.data.ImageFolderReader;
import org.introvae.data.ImageSet;
import org.introvae.data.Split;
import java.util.OptionalInt;
import org.introvae.model.Cluster;
import org.introvae.model.Growth;
import org.introvae.model.ModelConfig;
import org.introvae.model.Placement;
import org.introvae.model.TrainingGraph;
import org.introvae.model.TrainingSession;
import org.tensorflow.Server;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.proto.ConfigProto;

/** The training loop: data, graph, session, logging, pictures and checkpoints of one run. */
public final class Trainer {
  private static final int GRID_IMAGES = 16;

  private final TrainOptions options;
  /** The console, and once the run folder exists, the console and the run's train.log. */
  private PrintStream out;
  private final boolean terminal;
  /** The machines of a distributed run this process is the chief of; null on one machine. */
  private Cluster cluster;
  /** Whether a step failed because a task of the cluster went away. */
  private boolean workerLost;
  /** The latest picture grid, also sent to TensorBoard. */
  private java.awt.image.BufferedImage lastGrid;

  public Trainer(TrainOptions options, PrintStream out, boolean terminal) {
    this.options = options;
    this.out = out;
    this.terminal = terminal;
  }

  /** What a finished run reports; {@code model} is the run folder whose checkpoint is its model (see --average-last). */
  public record Summary(Path folder, Path model, long steps, StepLosses last) {}

  public Summary run() throws UserError, DataException, IOException {
    PrintStream console = out;
    try {
      return runLogged();
    } finally {
      if (out != console) {
        out.close();
        out = console;
      }
    }
  }

  private Summary runLogged() throws UserError, DataException, IOException {
    TrainOptions o = options;
    RunFolder run = new RunFolder(o.runsDir().resolve(o.runName()));
    if (o.resume()) {
      if (!run.exists()) {
        throw new UserError(run.root() + ": no run to resume (params.json is missing)");
      }
      o = o.resumedFrom(run.readParams().config());
    } else if (run.exists()) {
      throw new UserError(run.root() + ": a run with this name exists; pass --resume to continue it or choose another --run");
    }

    TrainConfig c = o.config();
    ImageSet images = Datasets.open(c.data().file(),
        new ImageFolderReader.Options(c.network().imageSize(), c.data().channels(), c.data().resize()));
    if (images.skipped() > 0) {
      out.printf("skipped %d unreadable image file(s); first: %s%n", images.skipped(), images.firstSkipped());
    }
    Split split = new Split(images, c.data().heldOut(), c.schedule().seed());
    int batch = c.schedule().batch();
    int perEpoch = split.batchesPerEpoch(batch);
    if (perEpoch < 1) {
      throw new UserError("--batch " + batch + " is larger than the " + split.trainCount() + " training images");
    }
    long total = (long) c.schedule().epochs() * perEpoch;
    if (c.schedule().steps() > 0) {
      total = Math.min(total, c.schedule().steps());
    }
    ModelConfig config;
    try {
      config = c.network().forChannels(images.channels());
    } catch (IllegalArgumentException e) {
      throw new UserError("--image-size/--widths: " + e.getMessage());
    }
    // Rewritten on resume too: the record must say how long the run now trains (--epochs, --steps, --lr).
    run.writeParams(new RunParams(RunParams.FORMAT, run.root().getFileName().toString(), c, config,
        new RunParams.DataFacts(images.source(), images.count(), split.trainCount(), split.heldOutCount(), images.skipped())));
    out = RunLog.open(out, run.log());
    org.introvae.model.Objective objective = c.objective().build();
    out.printf("run %s: %s, %d training / %d held-out images from %s%n", run.root(), config, split.trainCount(),
        split.heldOutCount(), images.source());
    out.printf("%s, lr=%s batch %d, %d steps (%d per epoch), VAE warm-up %d epoch(s)%s%s%n",
        objective, c.schedule().lr(), batch, total, perEpoch, c.schedule().vaeEpochs(), c.objective().bootstrapped()
            ? ", bootstrapped: the target decoder is refreshed after every " + c.objective().bootstrapEvery() + " epoch(s)"
            : "", c.network().mixing().on() ? ", style mixing p = " + c.network().styleMixing() : "");
    if (c.network().growth().isPresent()) {
      announce(c.network().growth().get(), config, total, perEpoch);
    }

    Checkpoints checkpoints = run.checkpoints(c.logging().keepCheckpoints());
    MetricsLog metrics = new MetricsLog(run.metrics());
    Placement placement = c.schedule().placement();
    ConfigProto threads = TrainingSession.settings(c.schedule().threads());
    cluster = o.clusterTask().orElse(null);
    Server server = null;
    if (cluster != null) {
      server = WorkerTask.startServer(cluster, threads);
      placement = placement.across(cluster);
      out.printf("cluster: %s (the chief); waiting for every worker to answer%n", cluster);
    }
    try (TrainingSession session = new TrainingSession(new TrainingGraph(config, objective,
            c.objective().updates(), c.schedule().lr(), batch, c.schedule().seed(), placement,
            c.objective().bootstrapped(), c.network().mixing()), threads);
        TensorBoardLog tensorBoard = new TensorBoardLog(run.tensorBoard())) {
      out.println(deviceLine(placement, session.devices(), batch));
      long first = 0;
      Optional<Checkpoints.Saved> saved = o.resume() ? checkpoints.restoreLatest(session.session(), out) : Optional.empty();
      if (saved.isPresent()) {
        first = saved.get().step();
        out.printf("resumed from %s (step %d)%n", saved.get().dir(), first);
      } else {
        if (o.resume()) {
          out.println("no usable checkpoint; starting the run from step 0");
        }
        session.initialize();
      }
      metrics.open(first);
      return loop(c, run, session, split, first, total, perEpoch, checkpoints, metrics, tensorBoard);
    } finally {
      if (server != null) {
        endCluster(threads, server);
      }
    }
  }

  /**
   * Ends the workers' wait, unless one was lost: then the others keep serving, so that restarting the lost
   * one and the chief with --resume continues the run.
   */
  private void endCluster(ConfigProto threads, Server server) {
    if (!workerLost) {
      try {
        cluster.endRun(threads);
      } catch (TensorFlowException e) {
        out.println("warning: could not tell the workers that the run ended: " + Cluster.firstLine(e) + "; stop them by hand");
      }
    }
    WorkerTask.stop(server);
  }

  /** A step that failed because a task of the cluster went away, as one line naming the task. */
  private UserError lostWorker(TensorFlowException e, long step, long lastSaved, RunFolder run) {
    workerLost = true;
    OptionalInt task = Cluster.taskNamedIn(e.getMessage());
    String who = task.isPresent() && task.getAsInt() < cluster.size()
        ? "worker task " + task.getAsInt() + " (" + cluster.workers().get(task.getAsInt()) + ")"
        : "a task of the cluster";
    return new UserError("step " + step + ": " + who + " stopped answering (" + Cluster.firstLine(e) + "). The last checkpoint"
        + " (step " + lastSaved + ") is kept in " + run.root().resolve("checkpoints")
        + "; start that task again and continue with --resume.");
  }

  /** Where the step runs, as TensorFlow placed it: says so when a GPU was asked for and the CPU runs it. */
  public static String deviceLine(Placement placement, List<String> devices, int batch) {
    String where = placement.replicas() == 1 ? devices.get(0)
        : placement.replicas() + " replicas of " + batch / placement.replicas() + " images: " + String.join(", ", devices);
    boolean fellBack = placement.kind() == Placement.Kind.GPU && devices.stream().anyMatch(d -> !d.contains("GPU"));
    return "device " + placement.device() + ": " + where
        + (fellBack ? " (no such GPU visible to TensorFlow: running on the CPU)" : "");
  }

  private Summary loop(TrainConfig c, RunFolder run, TrainingSession session, Split split, long first,
      long total, int perEpoch, Checkpoints checkpoints, MetricsLog metrics, TensorBoardLog tensorBoard)
      throws IOException, UserError {
    int batch = c.schedule().batch();
    long seed = c.schedule().seed();
    TrainConfig.Logging every = c.logging();
    ModelConfig config = session.model().config();
    float[] gridReal = split.heldOutImages(GRID_IMAGES);
    float[] gridLatents = TrainingSession.priorDraws(GRID_IMAGES, config.zDim(), seed);
    Progress progress = new Progress(out, terminal, first, total, batch);
    long started = System.nanoTime();
    long lastSaved = first;
    if (total > first) {
      Folders.deleteTree(run.root().resolve(CheckpointAverage.RUN_FOLDER));  // it averaged what training now moves on from
    }
    StepLosses losses = null;
    int fakeBelowReal = 0;
    java.util.Optional<Growth> growth = c.network().growth();
    float grown = -1;
    try (BatchPrefetcher batches = new BatchPrefetcher(split, batch, perEpoch)) {
      for (long step = first; step < total; step++) {
        if (Interruption.requested()) {
          progress.breakLine();
          if (step > lastSaved) {
            checkpoints.save(session.session(), step);
          }
          throw Interruption.stopped(step, run.root().resolve("checkpoints"));
        }
        int epoch = (int) (step / perEpoch);
        boolean warmUp = epoch < c.schedule().vaeEpochs();
        if (growth.isPresent()) {
          grown = grow(session, growth.get(), step, perEpoch, grown, progress);
        }
        long done = step + 1;
        boolean logStep = done % every.logEvery() == 0 || done == total;
        try {
          losses = session.step(batches.batchOf(step), seed, step, c.schedule().lr(), warmUp, logStep);
        } catch (TensorFlowException e) {
          if (cluster == null) {
            throw e;
          }
          progress.breakLine();
          session.abandon();
          throw lostWorker(e, step + 1, lastSaved, run);
        }
        String bad = losses.firstNonFinite();
        if (bad != null) {
          progress.breakLine();
          throw new UserError("step " + (step + 1) + ": " + bad + "; training stopped. The last good checkpoint (step "
              + lastSaved + ") is kept in " + run.root().resolve("checkpoints")
              + "; continue from it with --resume and a lower --lr, or start again with a larger --margin or more --vae-epochs.");
        }
        if (logStep) {
          metrics.append(new MetricsLog.Row(done, epoch + 1, losses, warmUp ? 0f : 1f, (System.nanoTime() - started) / 1e9));
          tensorBoard.scalars(done, losses.named());
          fakeBelowReal = !warmUp && losses.fakeKlBelowReal() ? fakeBelowReal + 1 : 0;
          if (fakeBelowReal == 5) {
            progress.breakLine();
            out.printf("warning: step %d: the KL of reconstructed/sampled images (%.1f/%.1f) has stayed below the real"
                + " images' KL (%.1f) for 5 logged steps; the encoder no longer tells them apart (Soft-IntroVAE's"
                + " authors' sign of trouble: consider a larger β_neg or m)%n", done, losses.klReconstructed(),
                losses.klSampled(), losses.klReal());
          }
        }
        if (done % perEpoch == 0 && c.objective().bootstrapped() && epoch % c.objective().bootstrapEvery() == 0) {
          session.refreshTarget();  // as the official code: after epoch e (from 0) when e is a multiple of N
        }
        progress.update(step, epoch, losses, logStep);
        if (done % every.imageEvery() == 0) {
          pictures(run, session, gridReal, gridLatents, String.format("step-%08d.png", done));
          tensorBoard.image(done, "real | reconstruction | sample", lastGrid);
        }
        if (done % every.checkpointEvery() == 0 && done != total) {
          checkpoints.save(session.session(), done);
          lastSaved = done;
        }
      }
      progress.breakLine();
      double seconds = (System.nanoTime() - started) / 1e9;
      if (total > first) {
        out.printf("%d steps in %s; steps waited %.2f s in all for data (%.2f %%)%n", total - first,
            Progress.duration(seconds), batches.waitedSeconds(), 100 * batches.waitedSeconds() / seconds);
      }
    }
    if (total > first) {
      checkpoints.save(session.session(), total);
    }
    Path model = run.root();
    List<Path> newest = checkpoints.stepFolders();
    newest = newest.subList(Math.max(0, newest.size() - every.averageLast()), newest.size());
    if (newest.size() > 1) {
      pictures(run, session, gridReal, gridLatents, "final-last-step.png");
      model = average(run, session, newest);
    }
    pictures(run, session, gridReal, gridLatents, "final.png");
    if (lastGrid != null) {
      tensorBoard.image(total, "real | reconstruction | sample", lastGrid);
    }
    out.printf("done: %s (final grid %s, curves %s)%n", run.root(), run.images().resolve("final.png"), run.lossCurves());
    return new Summary(run.root(), model, total, losses);
  }

  /** The growth schedule, and a warning when the run ends before the networks are grown in full. */
  private void announce(Growth g, ModelConfig config, long total, int perEpoch) {
    out.printf("growing from %d×%d: a resolution every %d epoch(s), each fading in over its first %d%n",
        config.finalSize(), config.finalSize(), g.epochsPerLevel(), g.epochsPerLevel() / 2);
    if (g.at(total - 1, perEpoch) < g.levels()) {
      out.printf("warning: the run's %d steps end before the networks are grown to %d×%d at step %d; train longer"
          + " or with fewer --epochs-per-level%n", total, config.imageSize(), config.imageSize(), g.fullFrom(perEpoch) + 1);
    }
  }

  /** Sets the growth g of {@code step} when it changed since {@code last}, saying when a resolution starts to grow in. */
  private float grow(TrainingSession session, Growth growth, long step, int perEpoch, float last, Progress progress) {
    float g = growth.at(step, perEpoch);
    if (g != last) {
      session.setGrowth(g);
      int side = session.model().config().finalSize() << (int) Math.ceil(g);
      if (last >= 0 && Math.ceil(g) > Math.ceil(last)) {
        progress.breakLine();
        out.printf("step %d: growing to %d×%d%n", step + 1, side, side);
      }
    }
    return g;
  }

  /**
   * Leaves {@code session} at the mean of the {@code newest} checkpoints and writes it to the run's
   * average folder, which it returns.
   */
  private Path average(RunFolder run, TrainingSession session, List<Path> newest) throws IOException, UserError {
    List<Long> steps = new java.util.ArrayList<>();
    for (Path folder : newest) {
      steps.add(Checkpoints.at(folder).step());
    }
    CheckpointAverage.assignMean(session.graph(), session.session(), newest);
    Path model = CheckpointAverage.writeRun(session.session(), run.readParams(),
        run.root().resolve(CheckpointAverage.RUN_FOLDER), steps).root();
    out.printf("averaged the weights of the last %d checkpoints (steps %s) into %s: final.png and the export show them%n",
        newest.size(), String.join(", ", steps.stream().map(String::valueOf).toList()), model);
    return model;
  }

  /**
   * Grid of held-out images | their reconstructions (z = μ, BN moving averages) | samples of fixed prior
   * draws (BN on prior-draw statistics, as the exported model samples).
   */
  private void pictures(RunFolder run, TrainingSession session, float[] real, float[] latents, String name) {
    ModelConfig c = session.model().config();
    int n = real.length / (c.imageSize() * c.imageSize() * c.imageChannels());
    try {
      lastGrid = Pictures.gridImage(c.imageSize(), c.imageChannels(), List.of("real (held out)", "reconstruction", "sample"),
          List.of(real, session.reconstruct(real, n).images(), session.decodePriorDraws(latents)));
      Pictures.write(lastGrid, run.images().resolve(name));
      String[] header = MetricsLog.HEADER.split(",");
      Pictures.lossCurves(run.lossCurves(), MetricsLog.read(run.metrics()), header,
          new int[][] {{2, 3}, {4}, {5, 6, 7}}, new String[] {"losses", "reconstruction L_AE", "KL energy"});
    } catch (IOException | RuntimeException e) {
      out.println("warning: could not write pictures for " + name + ": " + e.getMessage());
    }
  }
}
