package io.sparkvae.spark.train;

import io.sparkvae.model.train.LocalTrainer;
import io.sparkvae.model.train.Seeds;
import io.sparkvae.model.train.ShuffledBatches;
import io.sparkvae.model.train.TrainStats;
import io.sparkvae.model.train.TrainingState;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor side of a round: one replica trains on its shard from the broadcast state.
 *
 * <p>The replica is rebuilt from the round's inputs alone: where it is in its shard follows from
 * (epoch, steps done), its shuffle from (seed, partition, epoch) and its noise from (seed, round,
 * partition). A retried or relocated task therefore recomputes exactly the same result, and no
 * native state outlives the task: the trainer's manager is closed before the task returns.
 */
public final class ReplicaRunner {
  /** Tags that keep the random streams of a run apart. */
  static final long SHUFFLE_STREAM = 101;
  static final long NOISE_STREAM = 102;
  static final long EVAL_STREAM = 103;

  private static final Logger LOG = LoggerFactory.getLogger(ReplicaRunner.class);

  /**
   * Adam moments of replicas that keep them locally, by run and partition. A cache, not the truth:
   * a replica that lands on an executor without its moments restarts them from zero (logged).
   */
  private static final Map<String, TrainingState> LOCAL_MOMENTS = new ConcurrentHashMap<>();

  private ReplicaRunner() {}

  /** Minibatches per epoch of a shard. */
  public static int batchesPerEpoch(int rows, int batchSize) {
    return (rows + batchSize - 1) / batchSize;
  }

  /** Runs one replica's share of a round. */
  public static ReplicaResult run(RoundInput in, int partition, PackedShard shard) {
    int batch = in.config().batchSize();
    int left = batchesPerEpoch(shard.rows(), batch) - in.stepInEpoch();
    int steps = Math.max(0, Math.min(in.steps(), left));
    TrainingState start = in.state();
    String key = in.runId() + "/" + partition;
    if (in.localAdamState()) {
      TrainingState mine = LOCAL_MOMENTS.get(key);
      if (mine != null) {
        start = new TrainingState(start.params(), mine.adamM(), mine.adamV(), start.step());
      } else if (in.round() > 0) {
        LOG.warn("replica {} of run {} lost its local Adam moments (new executor?); restarting them", partition, in.runId());
      }
    }
    if (steps == 0 || shard.rows() == 0) {
      return new ReplicaResult(partition, start, 0, TrainStats.EMPTY);
    }
    ShuffledBatches batches = new ShuffledBatches(
        shard.features(), shard.rows(), shard.dim(), batch, Seeds.derive(in.config().seed(), SHUFFLE_STREAM, partition));
    batches.seek(in.epoch(), in.stepInEpoch() * batch);
    java.util.SplittableRandom noise =
        new java.util.SplittableRandom(Seeds.derive(in.config().seed(), NOISE_STREAM, in.round(), partition));
    TrainingState end;
    TrainStats stats;
    try (LocalTrainer trainer = new LocalTrainer(in.config(), start, TaskDevice.current())) {
      stats = trainer.train(batches, steps, noise);
      end = trainer.snapshot();
    }
    if (in.localAdamState()) {
      LOCAL_MOMENTS.put(key, end);
    }
    return new ReplicaResult(partition, end, stats.examples(), stats);
  }

  /** Forgets the local moments of a finished run on this executor. */
  public static void forget(String runId) {
    LOCAL_MOMENTS.keySet().removeIf(k -> k.startsWith(runId + "/"));
  }
}
