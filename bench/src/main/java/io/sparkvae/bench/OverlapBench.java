package io.sparkvae.bench;

import ai.djl.Device;
import io.sparkvae.model.averaging.AveragingSums;
import io.sparkvae.model.averaging.EagerOverlap;
import io.sparkvae.model.averaging.OuterOptimizerKind;
import io.sparkvae.model.averaging.OuterStep;
import io.sparkvae.model.averaging.ScaleOutPlan;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.data.Dataset;
import io.sparkvae.model.data.RowBlocks;
import io.sparkvae.model.train.Evaluation;
import io.sparkvae.model.train.LocalTrainer;
import io.sparkvae.model.train.Seeds;
import io.sparkvae.model.train.ShuffledBatches;
import io.sparkvae.model.train.TrainStats;
import io.sparkvae.model.train.TrainingState;
import io.sparkvae.model.vae.ParamInit;
import io.sparkvae.model.vae.ParamLayout;
import io.sparkvae.model.vae.VaeInference;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Quality per epoch of synchronous against overlapped averaging ({@link EagerOverlap}), with R
 * replicas simulated one after the other in one process: the averaging algorithm of the Spark
 * trainer (the same {@link ScaleOutPlan}, {@link LocalTrainer}, shuffles, noise streams, {@link
 * AveragingSums} and {@link OuterStep}) without Spark, so that an algorithm can be judged before
 * the cluster runs it. Shards are the rows taken round-robin (the Spark trainer's shards hold the
 * same number of rows in another order, so the digits differ from a Spark run's).
 *
 * <pre>
 * java -cp ... io.sparkvae.bench.OverlapBench --data DIR --replicas R --epochs E --mode sync|overlap
 *     [--averaging-steps 50] [--outer-momentum 0.7] [--drain-each-epoch] [--&lt;VAE parameter&gt; v]
 * </pre>
 *
 * <p>{@code sync}: every round starts all replicas from the global state (Adam moments averaged,
 * the trainer's default). {@code overlap}: round r+1 is launched with the global state after round
 * r-1 (the newest the driver has while round r runs) and each replica continues from its
 * continuation (Adam moments local). {@code --drain-each-epoch}: an epoch's first round waits for
 * the previous round's average, as a pipeline drained at epoch ends (for validation and
 * checkpoints) would. Prints one line per epoch: test −ELBO of the global state, train −ELBO.
 */
public final class OverlapBench {
  private OverlapBench() {}

  /** How a round starts. */
  enum Mode {
    /** From the global state after the previous round (the trainer today). */
    SYNC,
    /** Launched before the previous round's average: each replica from its continuation. */
    EAGER,
    /**
     * From the global state, but each replica has already run the round's first {@code
     * overlapSteps} steps from its own state while the previous average was in flight, and moves
     * them onto the new global.
     */
    TAIL
  }

  record Options(
      Path data,
      int replicas,
      int epochs,
      Mode mode,
      int overlapSteps,
      boolean drainEachEpoch,
      int averagingSteps,
      double outerMomentum,
      VaeConfig config) {}

  public static void main(String[] args) throws IOException {
    run(parse(args), System.out);
  }

  static Options parse(String[] args) {
    Path data = Path.of("data/mnist");
    int replicas = 2;
    int epochs = 10;
    Mode mode = Mode.SYNC;
    int overlapSteps = 0;
    boolean drain = false;
    int steps = 50;
    double momentum = 0.7;
    VaeConfig.Builder builder = VaeConfig.builder();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--drain-each-epoch")) {
        drain = true;
        continue;
      }
      if (!a.startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --option value, got '" + a + "'");
      }
      String v = args[++i];
      switch (a) {
        case "--data" -> data = Path.of(v);
        case "--replicas" -> replicas = Integer.parseInt(v);
        case "--epochs" -> epochs = Integer.parseInt(v);
        case "--mode" -> mode = Mode.valueOf(v.toUpperCase(Locale.ROOT));
        case "--overlap-steps" -> overlapSteps = Integer.parseInt(v);
        case "--averaging-steps" -> steps = Integer.parseInt(v);
        case "--outer-momentum" -> momentum = Double.parseDouble(v);
        default -> builder.set(a.substring(2), v);
      }
    }
    return new Options(
        data, replicas, epochs, mode, overlapSteps, drain, steps, momentum, builder.build());
  }

  static void run(Options o, PrintStream out) throws IOException {
    Dataset train = Dataset.mnist(o.data(), true);
    Dataset test = Dataset.mnist(o.data(), false);
    List<RowBlocks> shards = roundRobin(train, o.replicas());
    ScaleOutPlan plan =
        ScaleOutPlan.derive(
            new ScaleOutPlan.Request(
                o.config(),
                o.replicas(),
                shards.get(0).rows(),
                o.averagingSteps(),
                0,
                -1,
                true,
                OuterOptimizerKind.NESTEROV,
                1.0,
                o.outerMomentum(),
                o.mode() == Mode.SYNC));
    out.println("# " + plan.describe());
    out.println(
        "# mode "
            + o.mode()
            + (o.mode() == Mode.TAIL ? " " + o.overlapSteps() + " steps" : "")
            + (o.drainEachEpoch() ? ", drained at each epoch" : ""));
    out.println("epoch\ttest_neg_elbo\ttrain_neg_elbo\tseconds");
    new Simulation(o, plan, shards).run(test, out);
  }

  /** Rows {@code i, i + R, i + 2R, ...} as shard i. */
  static List<RowBlocks> roundRobin(Dataset d, int replicas) {
    List<RowBlocks> shards = new ArrayList<>();
    for (int s = 0; s < replicas; s++) {
      int rows = (d.rows() - s + replicas - 1) / replicas;
      float[] f = new float[rows * d.dim()];
      for (int r = 0; r < rows; r++) {
        System.arraycopy(d.features(), (s + r * replicas) * d.dim(), f, r * d.dim(), d.dim());
      }
      shards.add(RowBlocks.of(f, rows, d.dim()));
    }
    return shards;
  }

  /** The driver and its replicas, in one thread. */
  private static final class Simulation {
    private final Options o;
    private final ScaleOutPlan plan;
    private final List<RowBlocks> shards;
    private final OuterStep outer;
    private final List<LocalTrainer> trainers = new ArrayList<>();
    private final List<ShuffledBatches> batches = new ArrayList<>();

    /** The global state after the last combined round. */
    private TrainingState global;

    /**
     * Each replica's continuation after its last round (its start of the next one unless that waits
     * for the global), with its own Adam moments.
     */
    private final List<TrainingState> starts = new ArrayList<>();

    Simulation(Options o, ScaleOutPlan plan, List<RowBlocks> shards) {
      this.o = o;
      this.plan = plan;
      this.shards = shards;
      this.outer = plan.outerStep();
      VaeConfig c = plan.config();
      global = TrainingState.initial(ParamInit.initialize(ParamLayout.of(c), c.seed()));
      for (int i = 0; i < shards.size(); i++) {
        trainers.add(new LocalTrainer(c, global, Device.cpu()));
        batches.add(
            new ShuffledBatches(shards.get(i), c.batchSize(), Seeds.derive(c.seed(), 101, i)));
        starts.add(global);
      }
    }

    void run(Dataset test, PrintStream out) {
      long round = 0;
      try {
        for (int epoch = 0; epoch < o.epochs(); epoch++) {
          long t0 = System.nanoTime();
          double lossSum = 0;
          long examples = 0;
          for (int done = 0; done < plan.batchesPerEpoch(); done += plan.averagingSteps()) {
            int steps = Math.min(plan.averagingSteps(), plan.batchesPerEpoch() - done);
            boolean waits = o.mode() != Mode.EAGER || (o.drainEachEpoch() && done == 0);
            boolean last = done + steps >= plan.batchesPerEpoch();
            TrainStats s =
                o.mode() == Mode.TAIL
                    ? tailRound(round, epoch, done, steps, last)
                    : round(round, epoch, done, steps, waits);
            lossSum += s.lossSum();
            examples += s.examples();
            round++;
          }
          double seconds = (System.nanoTime() - t0) / 1e9;
          out.printf(
              Locale.ROOT,
              "%d\t%.3f\t%.3f\t%.1f%n",
              epoch + 1,
              evaluate(test, epoch),
              lossSum / examples,
              seconds);
          out.flush();
        }
      } finally {
        trainers.forEach(LocalTrainer::close);
      }
    }

    /**
     * One round: every replica trains from its start, the driver combines. {@code waits}: the round
     * was launched after the previous one's average, so the replicas start from the newest global
     * (synchronous averaging, or a drained pipeline); otherwise each continues from its
     * continuation, launched while the previous round was still in flight.
     *
     * <p>Either way the driver averages the continuations with {@code known} = the global after the
     * round before this one, the newest the driver has while this round runs: with a synchronous
     * start that is the replica's start, and the continuation is its end, bit for bit.
     */
    private TrainStats round(long round, int epoch, int done, int steps, boolean waits) {
      VaeConfig cfg = plan.configForRound(round);
      float[] known = global.params();
      AveragingSums sums = new AveragingSums();
      List<TrainingState> ends = new ArrayList<>();
      for (int i = 0; i < trainers.size(); i++) {
        TrainingState own = starts.get(i);
        TrainingState from = !waits ? own : o.mode() == Mode.EAGER ? own.withParams(known) : global;
        LocalTrainer t = trainers.get(i);
        t.adopt(cfg);
        t.load(from);
        ShuffledBatches b = batches.get(i);
        b.seek(epoch, done * cfg.batchSize());
        int left = Math.min(steps, b.batchesLeftInEpoch());
        TrainStats st =
            left <= 0
                ? TrainStats.EMPTY
                : t.train(b, left, new SplittableRandom(Seeds.derive(cfg.seed(), 102, round, i)));
        TrainingState end = t.snapshot();
        TrainingState next =
            end.withParams(EagerOverlap.continuation(end.params(), known, from.params()));
        ends.add(next);
        sums.add(next, st.examples(), o.mode() == Mode.SYNC, st);
      }
      TrainingState averaged = sums.average(global);
      float[] params = outer.step(known, averaged.params());
      global = new TrainingState(params, averaged.adamM(), averaged.adamV(), averaged.step());
      for (int i = 0; i < ends.size(); i++) {
        starts.set(i, ends.get(i));
      }
      return sums.stats();
    }

    /** Per replica in TAIL mode: the state it sent, its state ahead, and its noise stream. */
    private final List<TrainingState> sent = new ArrayList<>();

    private final List<TrainingState> ahead = new ArrayList<>();
    private final List<SplittableRandom> noises = new ArrayList<>();

    /**
     * A TAIL round: each replica moves the steps it ran ahead onto the new global ({@code ahead +
     * (global - sent)}), runs the rest of the round, is averaged as in a synchronous round, and
     * (unless the epoch ends) runs the next round's first steps from its own state.
     */
    private TrainStats tailRound(long round, int epoch, int done, int steps, boolean last) {
      VaeConfig cfg = plan.configForRound(round);
      float[] known = global.params();
      AveragingSums sums = new AveragingSums();
      TrainStats aheadStats = TrainStats.EMPTY;
      for (int i = 0; i < trainers.size(); i++) {
        if (sent.size() <= i) {
          sent.add(null);
          ahead.add(null);
          noises.add(null);
        }
        LocalTrainer t = trainers.get(i);
        t.adopt(cfg);
        ShuffledBatches b = batches.get(i);
        int ranAhead = 0;
        TrainingState from;
        if (ahead.get(i) != null) {
          TrainingState a = ahead.get(i);
          from = a.withParams(EagerOverlap.continuation(a.params(), known, sent.get(i).params()));
          ranAhead = (int) (a.step() - sent.get(i).step());
        } else {
          from = starts.get(i).withParams(known);
          b.seek(epoch, done * cfg.batchSize());
          noises.set(i, new SplittableRandom(Seeds.derive(cfg.seed(), 102, round, i)));
        }
        t.load(from);
        int left = Math.min(steps - ranAhead, b.batchesLeftInEpoch());
        TrainStats st = left <= 0 ? TrainStats.EMPTY : t.train(b, left, noises.get(i));
        TrainingState end = t.snapshot();
        sums.add(end, st.examples() + (long) ranAhead * cfg.batchSize(), false, st);
        sent.set(i, end);
        ahead.set(i, null);
        starts.set(i, end);
        int next = Math.min(o.overlapSteps(), b.batchesLeftInEpoch());
        if (!last && next > 0) {
          // The next round's first steps, with its noise stream, from this replica's own state.
          noises.set(i, new SplittableRandom(Seeds.derive(cfg.seed(), 102, round + 1, i)));
          aheadStats = aheadStats.plus(t.train(b, next, noises.get(i)));
          ahead.set(i, t.snapshot());
        }
      }
      TrainingState averaged = sums.average(global);
      float[] params = outer.step(known, averaged.params());
      global = new TrainingState(params, averaged.adamM(), averaged.adamV(), averaged.step());
      return sums.stats().plus(aheadStats);
    }

    private double evaluate(Dataset test, int epoch) {
      VaeConfig c = plan.config();
      try (VaeInference model = new VaeInference(c, global.params(), Device.cpu())) {
        return Evaluation.evaluate(
                model,
                RowBlocks.of(test.features(), test.rows(), test.dim()),
                1000,
                1,
                Seeds.derive(c.seed(), 103, epoch))
            .negElbo();
      }
    }
  }
}
