package io.sparkvae.spark.train;

import io.sparkvae.model.averaging.AveragingSums;
import io.sparkvae.model.averaging.OuterOptimizer;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.train.Evaluation;
import io.sparkvae.model.train.Seeds;
import io.sparkvae.model.train.TrainingState;
import io.sparkvae.model.vae.ParamInit;
import io.sparkvae.model.vae.ParamLayout;
import io.sparkvae.model.vae.Support;
import io.sparkvae.model.vae.VaeInference;
import io.sparkvae.model.vae.VaeNetwork;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.CollectionAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a VAE on a DataFrame with synchronous parameter averaging: the driver shards the data
 * into one packed, cached shard per replica; every round it broadcasts the global state, each
 * replica runs up to {@code averagingSteps} Adam steps on its shard (continuing through it across
 * rounds), and the driver combines the replicas' weighted sums with {@code treeAggregate},
 * divides once and optionally applies an outer Nesterov step (BMUF / DiLoCo).
 *
 * <p>Epochs: every replica passes once through its shard per epoch, the last round of an epoch
 * running only what is left, so each training example is used exactly once per epoch. Everything
 * random is derived from the seed and (round, partition), so a run is reproducible for a fixed seed
 * and partitioning and a retried task recomputes the same result.
 *
 * <p>Divergence: a replica that meets a NaN or infinite loss or state reports it instead of failing
 * its task, and the driver checks the averaged state of every round too, so a non-finite state is
 * never averaged in, checkpointed or returned. With {@code divergencePolicy=fail} the run stops with
 * a {@link TrainingDivergedException}; with {@code rollback} the round runs again from its start
 * (state and outer momentum) with half the learning rate, which stays halved for the rest of the
 * run, at most {@code maxRollbacks} times over the run.
 */
public final class DistributedTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(DistributedTrainer.class);

  private final VaeConfig config;
  private final DistributedConfig dist;
  private final FeatureColumn features;

  /**
   * @param config the VAE; its {@code inputDim} must equal the features' size
   * @param dist the distributed settings
   * @param featuresCol the features column (vector, array&lt;float&gt; or array&lt;double&gt;)
   */
  public DistributedTrainer(VaeConfig config, DistributedConfig dist, String featuresCol) {
    this.config = config;
    this.dist = dist;
    this.features = new FeatureColumn(featuresCol);
  }

  /**
   * Trains from freshly initialised parameters.
   *
   * @param validation a validation DataFrame, or null to hold out {@code validationFraction} of
   *     {@code train} (or to skip validation when that is 0)
   * @param onEpoch called on the driver after each epoch
   */
  public TrainingResult fit(Dataset<Row> train, Dataset<Row> validation, Consumer<EpochMetrics> onEpoch) {
    return fit(train, validation, TrainingState.initial(ParamInit.initialize(ParamLayout.of(config), config.seed())), onEpoch);
  }

  /** Trains from a given state (a warm start: epochs and rounds count from zero). */
  public TrainingResult fit(
      Dataset<Row> train, Dataset<Row> validation, TrainingState initial, Consumer<EpochMetrics> onEpoch) {
    return fit(train, validation, new TrainingProgress(0, 0, initial, null, List.of()), onEpoch, null);
  }

  /**
   * Trains, continuing from {@code start} (a fresh start, or a checkpoint), until {@code epochs}
   * epochs are done. Since every random stream is derived from (seed, round, partition, epoch),
   * a run resumed from any progress it reported ends with exactly the parameters of an
   * uninterrupted run.
   *
   * @param onProgress called on the driver after every round with where the run stands (to write a
   *     checkpoint): in the middle of an epoch after each of its rounds but the last, and once more
   *     after the epoch's validation, at its end; or null
   * @throws TrainingDivergedException when a round diverges and {@code divergencePolicy} does not let
   *     the run go on (nothing is returned; {@code onProgress} saw only finite states)
   */
  public TrainingResult fit(Dataset<Row> train, Dataset<Row> validation, TrainingProgress start,
      Consumer<EpochMetrics> onEpoch, Consumer<TrainingProgress> onProgress) {
    return fit(train, validation, start, onEpoch, onProgress, 1);
  }

  /**
   * As {@link #fit(Dataset, Dataset, TrainingProgress, Consumer, Consumer)}, with {@code onProgress}
   * called at each epoch's end and, inside an epoch, after every {@code progressEveryRounds}-th round
   * of the run (0: epoch ends only). With {@code adamState=local} each such progress carries every
   * replica's moments, fetched from the executors by a small job, so it costs something.
   */
  public TrainingResult fit(Dataset<Row> train, Dataset<Row> validation, TrainingProgress start,
      Consumer<EpochMetrics> onEpoch, Consumer<TrainingProgress> onProgress, int progressEveryRounds) {
    features.validate(train.schema());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(train.sparkSession().sparkContext());
    int replicas = replicas(dist, train.sparkSession());
    if (validation == null && dist.validationFraction() > 0) {
      Dataset<Row>[] split = train.randomSplit(
          new double[] {1 - dist.validationFraction(), dist.validationFraction()}, config.seed());
      train = split[0];
      validation = split[1];
    }
    if (validation != null) {
      features.validate(validation.schema());
    }
    String runId = UUID.randomUUID().toString();
    JavaRDD<PackedShard> shards = pack(train, replicas).setName("sparkvae training shards " + runId);
    JavaRDD<PackedShard> valShards = validation == null ? null
        : pack(validation, replicas).setName("sparkvae validation shards " + runId);
    try {
      jsc.setJobDescription("sparkvae: packing " + replicas + " training shards");
      List<PackedShard> summaries = shards.map(DistributedTrainer::summary).collect();
      BadRows bad = features.checkBadRows(summaries, "training", config.inputDim(), inputSupport(), skipBadRows());
      if (bad.total() > 0) {
        LOG.warn("sparkvae: left out {} bad training rows of column '{}': {}", bad.total(), features.name(),
            bad.describe(config.inputDim(), inputSupport()));
      }
      List<Integer> sizes = summaries.stream().map(PackedShard::rows).toList();
      long total = sizes.stream().mapToLong(Integer::longValue).sum();
      if (total == 0) {
        throw new IllegalArgumentException("features column '" + features.name() + "' has no usable training rows");
      }
      long emptyShards = sizes.stream().filter(n -> n == 0).count();
      if (emptyShards > 0) {
        throw new IllegalArgumentException("only " + total + " usable training rows for " + replicas + " replicas: "
            + emptyShards + " shards are empty; use fewer replicas (--replicas) or more data");
      }
      int batchesPerEpoch = sizes.stream()
          .mapToInt(n -> ReplicaRunner.batchesPerEpoch(n, config.batchSize())).max().orElse(0);
      int roundsPerEpoch = (batchesPerEpoch + dist.averagingSteps() - 1) / dist.averagingSteps();
      LOG.info("sparkvae: {} training rows in {} shards (sizes {} to {}), {} minibatches of {} per epoch, {} rounds per epoch",
          total, replicas, Collections.min(sizes), Collections.max(sizes), batchesPerEpoch, config.batchSize(), roundsPerEpoch);

      OuterOptimizer outer = DistributedConfig.OUTER_NESTEROV.equals(dist.outerOptimizer())
          ? new OuterOptimizer(dist.outerLearningRate(), dist.outerMomentum()) : null;
      boolean averageMoments = dist.averagesAdamState();
      if (outer != null && start.velocity() != null) {
        outer.restore(start.velocity());
      }
      TrainingState state = start.state();
      String badStart = state.firstNonFinite();
      if (badStart != null) {
        throw new IllegalArgumentException("the initial training state is not finite: " + badStart);
      }
      // Rollbacks before a resume halved the learning rate already: go on from where they left it.
      int rollbacks = start.rollbacks();
      VaeConfig cfg = withRollbacks(config, rollbacks);
      List<EpochMetrics> history = new ArrayList<>(start.history());
      long round = start.rounds();
      int totalRounds = roundsPerEpoch * dist.epochs();
      CollectionAccumulator<Long> rss = jsc.sc().collectionAccumulator("sparkvae executor RSS bytes");
      SkippedRows skippedTraining = SkippedRows.of(bad);
      SkippedRows skippedValidation = SkippedRows.NONE;
      long payloadBytes = -1;
      for (int epoch = start.epochsDone(); epoch < dist.epochs(); epoch++) {
        boolean resumedHere = epoch == start.epochsDone();
        // A run resumed in the middle of an epoch picks up at the same minibatch, with the epoch's
        // statistics so far.
        int firstStep = resumedHere ? start.stepInEpoch() : 0;
        TrainingProgress.EpochSoFar soFar = resumedHere ? start.epochSoFar() : TrainingProgress.EpochSoFar.NONE;
        for (int done = firstStep; done < batchesPerEpoch; done += dist.averagingSteps()) {
          long roundStart = System.nanoTime();
          int steps = Math.min(dist.averagingSteps(), batchesPerEpoch - done);
          String where = String.format(Locale.ROOT, "epoch %d/%d, round %d/%d", epoch + 1, dist.epochs(), round + 1,
              totalRounds);
          // A rolled-back round runs again from the same state, round number (so the same noise)
          // and shard position, with half the learning rate.
          AveragingSums sums;
          for (int attempt = 0; ; attempt++) {
            jsc.setJobDescription(String.format(Locale.ROOT, "epoch %d/%d · round %d/%d%s", epoch + 1, dist.epochs(),
                round + 1, totalRounds, attempt == 0 ? "" : " · after rollback " + rollbacks));
            // A resumed run's replicas start from their checkpointed moments.
            ReplicaMoments[] initialMoments = !averageMoments && round == start.rounds()
                && !start.replicaMoments().isEmpty() ? start.replicaMoments().toArray(new ReplicaMoments[0]) : null;
            RoundInput roundInput = new RoundInput(runId, cfg, state, round, epoch, done, steps, !averageMoments,
                initialMoments);
            if (payloadBytes < 0) {
              payloadBytes = RoundPayload.bytes(roundInput, replicas, averageMoments);
            }
            Broadcast<RoundInput> input = jsc.broadcast(roundInput);
            rss.reset();
            try {
              sums = shards.mapPartitionsWithIndex(trainReplica(input, rss), true)
                  .treeAggregate(new AveragingSums(), addReplica(averageMoments), AveragingSums::merge, 2);
            } finally {
              input.destroy();
            }
            RoundOutcome outcome = combine(sums, state, outer, replicas);
            String divergence = outcome.divergence();
            if (divergence == null) {
              state = outcome.state();
              break;
            }
            if (!dist.rollsBackOnDivergence()) {
              throw new TrainingDivergedException(String.format(Locale.ROOT,
                  "training diverged in %s: %s. Nothing of this round was kept and no model is returned;"
                      + " earlier checkpoints are intact. Lower learningRate (now %s) or set"
                      + " divergencePolicy=rollback", where, divergence, cfg.learningRate()),
                  epoch + 1, round + 1, rollbacks);
            }
            // (A learning rate halved down to 0 would be refused by VaeConfig: that ends the run too.)
            if (rollbacks >= dist.maxRollbacks() || !(learningRateAfter(config.learningRate(), rollbacks + 1) > 0)) {
              throw new TrainingDivergedException(String.format(Locale.ROOT,
                  "training diverged in %s after %d rollbacks (maxRollbacks=%d; learningRate now %s, configured"
                      + " %s): %s. No model is returned; earlier checkpoints are intact. Lower"
                      + " learningRate", where, rollbacks, dist.maxRollbacks(), cfg.learningRate(),
                      config.learningRate(), divergence),
                  epoch + 1, round + 1, rollbacks);
            }
            rollbacks++;
            cfg = withRollbacks(config, rollbacks);
            LOG.warn(String.format(Locale.ROOT,
                "training diverged in %s: %s; rolling back to the start of the round and halving learningRate to"
                    + " %s (rollback %d of at most %d)", where, divergence, cfg.learningRate(), rollbacks,
                dist.maxRollbacks()));
          }
          round++;
          soFar = soFar.plus(sums.stats().lossSum(), sums.stats().examples(), (System.nanoTime() - roundStart) / 1e9,
              sums.stats().seconds() / replicas);
          if (onProgress != null && done + steps < batchesPerEpoch && progressEveryRounds > 0
              && round % progressEveryRounds == 0) {
            onProgress.accept(withMoments(new TrainingProgress(epoch, done + steps, round, state,
                outer == null ? null : outer.velocity(), history, soFar, rollbacks, List.of()), shards, runId,
                averageMoments, replicas));
          }
        }
        double seconds = soFar.seconds();
        long examples = soFar.examples();
        // The accumulator holds what the replicas measured in the epoch's last round.
        long lastRss = rss.value().stream().mapToLong(Long::longValue).max().orElse(-1);
        double val = Double.NaN;
        if (valShards != null) {
          jsc.setJobDescription(String.format(Locale.ROOT, "epoch %d/%d · validation", epoch + 1, dist.epochs()));
          if (epoch == start.epochsDone()) { // the first epoch of this call, resumed or not
            BadRows badVal = features.checkBadRows(valShards.map(DistributedTrainer::summary).collect(), "validation",
                config.inputDim(), inputSupport(), skipBadRows());
            if (badVal.total() > 0) {
              LOG.warn("sparkvae: left out {} bad validation rows: {}", badVal.total(),
                  badVal.describe(config.inputDim(), inputSupport()));
            }
            skippedValidation = SkippedRows.of(badVal);
          }
          val = evaluate(jsc, valShards, state.params(), epoch).negElbo();
        }
        EpochMetrics m = new EpochMetrics(epoch + 1, soFar.lossSum() / examples, val, examples / seconds, seconds,
            Math.max(0, seconds - soFar.computeSeconds()), soFar.rounds(), examples, state.step(), round,
            payloadBytes, lastRss, skippedTraining, skippedValidation);
        LOG.info(String.format(Locale.ROOT,
            "epoch %d/%d: train -ELBO %.2f, validation -ELBO %.2f, %.0f samples/s, %.1f s of %.1f s outside replica compute",
            m.epoch(), dist.epochs(), m.trainNegElbo(), m.valNegElbo(), m.samplesPerSec(), m.averagingSeconds(), m.seconds()));
        history.add(m);
        if (onEpoch != null) {
          onEpoch.accept(m);
        }
        if (onProgress != null) {
          onProgress.accept(withMoments(new TrainingProgress(epoch + 1, round, state,
              outer == null ? null : outer.velocity(), history, rollbacks), shards, runId, averageMoments, replicas));
        }
      }
      if (!averageMoments) {
        forgetLocalMoments(shards, runId);
      }
      return new TrainingResult(config, state, history, replicas, rollbacks);
    } finally {
      shards.unpersist(false);
      if (valShards != null) {
        valShards.unpersist(false);
      }
      jsc.setJobDescription(null);
    }
  }

  /**
   * The progress with every replica's local Adam moments after its last round, fetched from the
   * executors that hold them; unchanged with averaged moments, or (with a warning) when a replica's
   * moments are gone with its executor.
   */
  private static TrainingProgress withMoments(TrainingProgress p, JavaRDD<PackedShard> shards, String runId,
      boolean averageMoments, int replicas) {
    if (averageMoments) {
      return p;
    }
    long round = p.rounds() - 1;
    List<ReplicaMoments> found = new ArrayList<>(shards.mapPartitionsWithIndex(
        (Function2<Integer, Iterator<PackedShard>, Iterator<ReplicaMoments>>) (partition, it) -> {
          ReplicaMoments m = ReplicaRunner.momentsAfter(runId, partition, round);
          return (m == null ? List.<ReplicaMoments>of() : List.of(m)).iterator();
        }, true).collect());
    found.sort(java.util.Comparator.comparingInt(ReplicaMoments::partition));
    if (found.size() != replicas) {
      LOG.warn("only {} of {} replicas still hold their local Adam moments of round {} (executors lost?):"
          + " this progress has none, and a run resumed from it restarts them", found.size(), replicas, round + 1);
      return p;
    }
    return p.withReplicaMoments(found);
  }

  /** A round's averaged state, or (state null) why the round diverged. */
  private record RoundOutcome(TrainingState state, String divergence) {}

  /**
   * Combines a round's sums into the next global state, or says why the round diverged; in that
   * case the outer optimizer's momentum is left as it was before the round.
   */
  private static RoundOutcome combine(AveragingSums sums, TrainingState start, OuterOptimizer outer, int replicas) {
    if (sums.diverged() > 0) {
      return new RoundOutcome(null,
          sums.firstDivergence().describe() + " (" + sums.diverged() + " of " + replicas + " replicas diverged)");
    }
    float[] velocity = outer == null ? null : outer.velocity();
    TrainingState averaged = sums.average(start);
    if (outer != null) {
      averaged = averaged.withParams(outer.step(start.params(), averaged.params()));
    }
    // Finite replicas can still average (or extrapolate, with outer momentum) to an overflow:
    // this check is what keeps NaN out of checkpoints and of the returned, saved model.
    String bad = averaged.firstNonFinite();
    if (bad == null && outer != null) {
      bad = outer.firstNonFinite();
    }
    if (bad == null) {
      return new RoundOutcome(averaged, null);
    }
    if (outer != null) {
      outer.restore(velocity);
    }
    return new RoundOutcome(null, "the averaged state is not finite (" + bad + ") after optimizer step "
        + averaged.step() + " (mean minibatch loss " + sums.stats().meanLoss() + " per example this round)");
  }

  /** A learning rate halved {@code rollbacks} times (exactly: a power-of-two scaling). */
  static double learningRateAfter(double learningRate, int rollbacks) {
    return Math.scalb(learningRate, -rollbacks);
  }

  /** The configuration a run goes on with after {@code rollbacks} rollbacks. */
  private static VaeConfig withRollbacks(VaeConfig config, int rollbacks) {
    return rollbacks == 0 ? config
        : config.toBuilder().learningRate(learningRateAfter(config.learningRate(), rollbacks)).build();
  }

  /** The number of replicas a run uses: the setting, or {@code spark.default.parallelism} for 0. */
  public static int replicas(DistributedConfig dist, org.apache.spark.sql.SparkSession spark) {
    return dist.replicas() > 0 ? dist.replicas() : spark.sparkContext().defaultParallelism();
  }

  /** Mean negative ELBO of a DataFrame's features under given parameters, computed on executors. */
  public Evaluation.Result evaluate(Dataset<Row> data, float[] params) {
    features.validate(data.schema());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext());
    JavaRDD<PackedShard> packed = pack(data, jsc.defaultParallelism());
    try {
      return evaluate(jsc, packed, params, 0);
    } finally {
      packed.unpersist(false);
    }
  }

  private Evaluation.Result evaluate(JavaSparkContext jsc, JavaRDD<PackedShard> data, float[] params, int epoch) {
    Broadcast<float[]> bc = jsc.broadcast(params);
    try {
      return data.mapPartitionsWithIndex(evalShard(bc, config, epoch, dist.evalBatchSize()), true)
          .reduce(Evaluation.Result::plus);
    } finally {
      bc.destroy();
    }
  }

  /** A shard's counts without its data, so that only a few bytes travel to the driver. */
  private static PackedShard summary(PackedShard s) {
    return new PackedShard(new float[0], s.rows(), 0, s.badRows());
  }

  private JavaRDD<PackedShard> pack(Dataset<Row> df, int partitions) {
    FeatureColumn fc = features;
    int dim = config.inputDim();
    Support support = inputSupport();
    return shardFrame(df, fc.name(), partitions).javaRDD()
        .mapPartitions(rows -> Collections.singletonList(fc.pack(rows, dim, support)).iterator())
        // Deserialized: a shard is one dense float[] (as large either way), and every round's task
        // reads it; cached serialized, each task of each round deserialized all of it (94 MB per
        // MNIST replica per round). (Caching as objects once seemed to break the driver-kill test of
        // FaultToleranceIT; it only moved the GCs into the training steps, where a GC between the
        // forward and the backward pass freed a constant the autograd graph still read: see
        // Likelihoods.mulConst.)
        .persist(StorageLevel.MEMORY_AND_DISK());
  }

  /**
   * The features column split into shards, each in a canonical row order. A DataFrame-level
   * round-robin repartition (rows travel as Spark's binary rows, no Kryo per row; with Spark's
   * default sort before repartitioning the split is deterministic), then a sort within each shard by
   * the row's position in the input: a shard fetches its rows from every map output in whatever
   * order they arrive, and after a lost executor that order changes. Sorting makes a recomputed
   * shard identical, so training after a fault ends with the fault-free parameters.
   */
  static Dataset<Row> shardFrame(Dataset<Row> df, String column, int partitions) {
    // The row id stays as the second column: bad-row messages name rows by it.
    return df.select(functions.col(column), functions.monotonically_increasing_id().as(ROW_ID))
        .repartition(partitions)
        .sortWithinPartitions(ROW_ID);
  }

  /** The values the likelihood accepts ([0, 1] for the Bernoulli): rows outside are bad rows. */
  private Support inputSupport() {
    return new VaeNetwork(config).likelihood().support();
  }

  private boolean skipBadRows() {
    return DistributedConfig.BAD_ROWS_SKIP.equals(dist.badRowPolicy());
  }

  private static final String ROW_ID = "_sparkvae_row";

  // The functions below are static so that their closures capture only the broadcast handle and
  // a few scalars, never the trainer or any parameter array.

  private static Function2<Integer, Iterator<PackedShard>, Iterator<ReplicaResult>> trainReplica(
      Broadcast<RoundInput> input, CollectionAccumulator<Long> rss) {
    return (partition, it) -> {
      List<ReplicaResult> out = new ArrayList<>(1);
      while (it.hasNext()) {
        out.add(ReplicaRunner.run(input.value(), partition, it.next()));
      }
      long resident = ExecutorMemory.residentBytes();
      if (resident >= 0) {
        rss.add(resident);
      }
      return out.iterator();
    };
  }

  private static Function2<AveragingSums, ReplicaResult, AveragingSums> addReplica(boolean withMoments) {
    return (sums, r) -> r.divergence() != null ? sums.addDiverged(r.divergence())
        : sums.add(r.state(), r.weight(), withMoments, r.stats());
  }

  private static Function2<Integer, Iterator<PackedShard>, Iterator<Evaluation.Result>> evalShard(
      Broadcast<float[]> params, VaeConfig config, int epoch, int batchSize) {
    return (partition, it) -> {
      List<Evaluation.Result> out = new ArrayList<>(1);
      while (it.hasNext()) {
        PackedShard s = it.next();
        if (s.rows() == 0) {
          continue;
        }
        try (VaeInference model = new VaeInference(config, params.value(), TaskDevice.current())) {
          out.add(Evaluation.evaluate(model, s.features(), s.rows(), s.dim(), batchSize, 1,
              Seeds.derive(config.seed(), ReplicaRunner.EVAL_STREAM, epoch, partition)));
        }
      }
      return out.iterator();
    };
  }

  private static void forgetLocalMoments(JavaRDD<PackedShard> shards, String runId) {
    try {
      shards.foreachPartition(it -> ReplicaRunner.forget(runId));
    } catch (RuntimeException e) {
      LOG.warn("could not release the replicas' local Adam moments of run {}: {}", runId, e.toString());
    }
  }
}
