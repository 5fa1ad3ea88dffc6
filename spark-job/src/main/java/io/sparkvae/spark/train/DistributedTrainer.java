package io.sparkvae.spark.train;

import io.sparkvae.model.averaging.ScaleOutPlan;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.data.RowBlocks;
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
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a VAE on a DataFrame with synchronous parameter averaging: the driver shards the data into
 * one packed, cached shard per replica; every round it broadcasts the global state, each replica
 * runs up to {@code averagingSteps} Adam steps on its shard (continuing through it across rounds),
 * and the driver combines the replicas' weighted sums with {@code treeAggregate}, divides once and
 * optionally applies an outer Nesterov step (BMUF / DiLoCo).
 *
 * <p>Epochs: every replica passes once through its shard per epoch, the last round of an epoch
 * running only what is left, so each training example is used exactly once per epoch. Everything
 * random is derived from the seed and (round, partition), so a run is reproducible for a fixed seed
 * and partitioning and a retried task recomputes the same result.
 *
 * <p>Divergence: a replica that meets a NaN or infinite loss or state reports it instead of failing
 * its task, and the driver checks the averaged state of every round too, so a non-finite state is
 * never averaged in, checkpointed or returned. With {@code divergencePolicy=fail} the run stops
 * with a {@link TrainingDivergedException}; with {@code rollback} the round runs again from its
 * start (state and outer momentum) with half the learning rate, which stays halved for the rest of
 * the run, at most {@code maxRollbacks} times over the run.
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
   * Trains as the request says: from fresh parameters, a warm start or a checkpoint's progress,
   * until {@code epochs} epochs are done. Since every random stream is derived from (seed, round,
   * partition, epoch), a run resumed from any progress it reported ends with exactly the parameters
   * of an uninterrupted run.
   *
   * @throws TrainingDivergedException when a round diverges and {@code divergencePolicy} does not
   *     let the run go on (nothing is returned; the listener saw only finite states)
   */
  public TrainingResult fit(TrainingRequest request) {
    features.validate(request.train().schema());
    checkOverlapSteps(dist);
    JavaSparkContext jsc =
        JavaSparkContext.fromSparkContext(request.train().sparkSession().sparkContext());
    int replicas = replicas(dist, request.train().sparkSession());
    Split split = trainAndValidation(request);
    Dataset<Row> train = split.train();
    Dataset<Row> validation = split.validation();
    TrainingProgress start = startingPoint(request);
    String runId = UUID.randomUUID().toString();
    JavaRDD<PackedShard> shards =
        pack(train, replicas).setName("sparkvae training shards " + runId);
    JavaRDD<PackedShard> valShards =
        validation == null
            ? null
            : pack(validation, replicas).setName("sparkvae validation shards " + runId);
    try {
      jsc.setJobDescription("sparkvae: packing " + replicas + " training shards");
      ShardCounts counts = checkTrainingShards(shards, replicas);
      ScaleOutPlan plan =
          withDerivedKlWarmup(
              plan(replicas, Collections.max(counts.sizes())), request.klWarmupFraction());
      logPlan(plan, counts.sizes(), replicas);
      if (dist.overlapSteps() > 0) {
        LOG.info(
            "sparkvae: overlapSteps {}: each replica runs the next round's first {} steps from its own"
                + " state while the driver averages, then moves them onto the new global state; Adam"
                + " moments stay local to each replica",
            dist.overlapSteps(),
            dist.overlapSteps());
      }
      request.listener().onPlan(plan);
      SkippedRows skippedValidation =
          valShards == null ? SkippedRows.NONE : checkValidationShards(valShards);
      // The session's setting, so that it can change between runs of one session (tests do).
      boolean keep =
          Boolean.parseBoolean(train.sparkSession().conf().get(ReplicaCache.ENABLED_CONF, "true"));
      RoundRunner rounds =
          new RoundRunner(jsc, shards, runId, replicas, plan.averagesAdamState(), keep);
      try {
        warmUp(rounds, plan, start);
        return new EpochLoop(
                plan,
                dist,
                rounds,
                request,
                start,
                validation(jsc, valShards),
                SkippedRows.of(counts.bad()),
                skippedValidation)
            .run(config.toBuilder().klWarmupSteps(plan.config().klWarmupSteps()).build());
      } finally {
        rounds.release();
      }
    } finally {
      shards.unpersist(false);
      if (valShards != null) {
        valShards.unpersist(false);
      }
      jsc.setJobDescription(null);
    }
  }

  /**
   * The training rows and the validation rows (null for none): the request's own validation set,
   * else a seeded split of {@code validationFraction} of the training rows.
   */
  private Split trainAndValidation(TrainingRequest request) {
    Dataset<Row> train = request.train();
    Dataset<Row> validation = request.validation();
    if (validation == null && dist.validationFraction() > 0) {
      Dataset<Row>[] split =
          train.randomSplit(
              new double[] {1 - dist.validationFraction(), dist.validationFraction()},
              config.seed());
      return new Split(split[0], split[1]);
    }
    if (validation != null) {
      features.validate(validation.schema());
    }
    return new Split(train, validation);
  }

  /** Training rows and validation rows (null for none). */
  private record Split(Dataset<Row> train, Dataset<Row> validation) {}

  /** Where the run starts: the request's progress (a resume), else the initial parameters. */
  private TrainingProgress startingPoint(TrainingRequest request) {
    TrainingProgress start =
        request.start() != null
            ? request.start()
            : new TrainingProgress(
                0,
                0,
                TrainingState.initial(ParamInit.initialize(ParamLayout.of(config), config.seed())),
                null,
                List.of());
    String badStart = start.state().firstNonFinite();
    if (badStart != null) {
      throw new IllegalArgumentException("the initial training state is not finite: " + badStart);
    }
    return start;
  }

  /** Refuses more steps run ahead than a round has. */
  static void checkOverlapSteps(DistributedConfig dist) {
    if (dist.overlapSteps() > 0 && dist.overlapSteps() >= dist.averagingSteps()) {
      throw new IllegalArgumentException(
          "overlapSteps ("
              + dist.overlapSteps()
              + ") must be less than averagingSteps ("
              + dist.averagingSteps()
              + "): the steps a replica runs ahead are the first of the next round's"
              + " averagingSteps; lower overlapSteps (10 of 50 measured well, docs/BENCHMARKS.md §4)");
    }
  }

  private static void logPlan(ScaleOutPlan plan, List<Integer> sizes, int replicas) {
    LOG.info(
        "sparkvae: {} training rows in {} shards (sizes {} to {}), {} minibatches of {} per epoch, {} rounds"
            + " per epoch",
        sizes.stream().mapToLong(Integer::longValue).sum(),
        replicas,
        Collections.min(sizes),
        Collections.max(sizes),
        plan.batchesPerEpoch(),
        plan.config().batchSize(),
        plan.roundsPerEpoch());
    LOG.info("sparkvae: training with {}", plan.describe());
    plan.warnings().forEach(w -> LOG.warn("sparkvae: {}", w));
  }

  /** The end-of-epoch validation over the validation shards, or null without any. */
  private EpochLoop.Validation validation(JavaSparkContext jsc, JavaRDD<PackedShard> valShards) {
    if (valShards == null) {
      return null;
    }
    return (epoch, params) -> {
      jsc.setJobDescription(
          String.format(Locale.ROOT, "epoch %d/%d · validation", epoch + 1, dist.epochs()));
      return evaluate(jsc, valShards, params, epoch);
    };
  }

  /** Builds the replicas before the first epoch, so their start is not timed as training. */
  private static void warmUp(RoundRunner rounds, ScaleOutPlan plan, TrainingProgress start) {
    double seconds =
        rounds.warmUp(plan.configForRound(start.rounds()), start.state(), start.rounds());
    LOG.info(
        String.format(
            Locale.ROOT,
            "sparkvae: warm-up (engine start, JIT, native allocation) %.1f s, outside"
                + " the epochs' timings",
            seconds));
  }

  /** The run's scale-out plan for this data and replica count. */
  private ScaleOutPlan plan(int replicas, long largestShard) {
    return ScaleOutPlan.derive(
        new ScaleOutPlan.Request(
            config,
            replicas,
            largestShard,
            dist.averagingSteps(),
            dist.replicaBatchSize(),
            dist.warmupRounds(),
            dist.scaleOut() == ScaleOut.AUTO,
            dist.outerOptimizer(),
            dist.outerLearningRate(),
            dist.outerMomentum(),
            dist.averagesAdamState()));
  }

  /**
   * The plan with the KL warm-up the request derives: {@code fraction} of the run's optimizer steps
   * (every replica takes {@code batchesPerEpoch} steps per epoch, all in step, and the KL weight
   * follows that step counter), or the plan as it is when the fraction is 0.
   */
  private ScaleOutPlan withDerivedKlWarmup(ScaleOutPlan plan, double fraction) {
    if (fraction <= 0) {
      return plan;
    }
    long total = (long) plan.batchesPerEpoch() * dist.epochs();
    long steps = Math.max(1, Math.round(fraction * total));
    return plan.withKlWarmupSteps(
        steps,
        String.format(
            Locale.ROOT,
            "klWarmupSteps %d: the KL weight rises linearly from 0 to beta over %.0f %% of the run's %d optimizer steps"
                + " (%d epochs of %d minibatches; derived because klWarmupSteps was not set)",
            steps,
            100 * fraction,
            total,
            dist.epochs(),
            plan.batchesPerEpoch()));
  }

  /** The training shards' sizes and bad rows. */
  private record ShardCounts(List<Integer> sizes, BadRows bad) {}

  /** Counts the training shards' rows and bad rows; fails when the policy or the sizes say so. */
  private ShardCounts checkTrainingShards(JavaRDD<PackedShard> shards, int replicas) {
    List<PackedShard> summaries = shards.map(DistributedTrainer::summary).collect();
    BadRows bad =
        features.checkBadRows(
            summaries, "training", config.inputDim(), inputSupport(), skipBadRows());
    if (bad.total() > 0) {
      LOG.warn(
          "sparkvae: left out {} bad training rows of column '{}': {}",
          bad.total(),
          features.name(),
          bad.describe(config.inputDim(), inputSupport()));
    }
    List<Integer> sizes = summaries.stream().map(PackedShard::rows).toList();
    long total = sizes.stream().mapToLong(Integer::longValue).sum();
    if (total == 0) {
      throw new IllegalArgumentException(
          "features column '" + features.name() + "' has no usable training rows");
    }
    long emptyShards = sizes.stream().filter(n -> n == 0).count();
    if (emptyShards > 0) {
      throw new IllegalArgumentException(
          "only "
              + total
              + " usable training rows for "
              + replicas
              + " replicas: "
              + emptyShards
              + " shards are empty; use fewer replicas (--replicas) or more data");
    }
    return new ShardCounts(sizes, bad);
  }

  /** Counts the validation shards' bad rows; fails when the policy says so. */
  private SkippedRows checkValidationShards(JavaRDD<PackedShard> valShards) {
    BadRows badVal =
        features.checkBadRows(
            valShards.map(DistributedTrainer::summary).collect(),
            "validation",
            config.inputDim(),
            inputSupport(),
            skipBadRows());
    if (badVal.total() > 0) {
      LOG.warn(
          "sparkvae: left out {} bad validation rows: {}",
          badVal.total(),
          badVal.describe(config.inputDim(), inputSupport()));
    }
    return SkippedRows.of(badVal);
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

  private Evaluation.Result evaluate(
      JavaSparkContext jsc, JavaRDD<PackedShard> data, float[] params, int epoch) {
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
    return new PackedShard(RowBlocks.of(new float[0], s.rows(), 0), s.badRows());
  }

  private JavaRDD<PackedShard> pack(Dataset<Row> df, int partitions) {
    FeatureColumn fc = features;
    int dim = config.inputDim();
    Support support = inputSupport();
    long blockValues =
        Long.parseLong(
            df.sparkSession()
                .conf()
                .get(
                    PackedShard.BLOCK_VALUES_CONF,
                    String.valueOf(PackedShard.DEFAULT_BLOCK_VALUES)));
    return shardFrame(df, fc.name(), partitions)
        .javaRDD()
        .mapPartitions(
            rows -> Collections.singletonList(fc.pack(rows, dim, support, blockValues)).iterator())
        // Deserialized: a shard is dense float[] blocks (as large either way), and every round's
        // task
        // reads it; cached serialized, each task of each round deserialized all of it (94 MB per
        // MNIST replica per round). (Caching as objects once seemed to break the driver-kill test
        // of
        // FaultToleranceIT; it only moved the GCs into the training steps, where a GC between the
        // forward and the backward pass freed a constant the autograd graph still read: see
        // Likelihoods.mulConst.)
        .persist(StorageLevel.MEMORY_AND_DISK());
  }

  /**
   * The features column split into shards, each in a canonical row order. A DataFrame-level
   * round-robin repartition (rows travel as Spark's binary rows, no Kryo per row; with Spark's
   * default sort before repartitioning the split is deterministic), then a sort within each shard
   * by the row's position in the input: a shard fetches its rows from every map output in whatever
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
    return dist.badRowPolicy() == BadRowPolicy.SKIP;
  }

  private static final String ROW_ID = "_sparkvae_row";

  // Static so that the closure captures only the broadcast handle and a few scalars, never the
  // trainer or any parameter array.

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
          out.add(
              Evaluation.evaluate(
                  model,
                  s.data(),
                  batchSize,
                  1,
                  Seeds.derive(config.seed(), ReplicaRunner.EVAL_STREAM, epoch, partition)));
        }
      }
      return out.iterator();
    };
  }
}
