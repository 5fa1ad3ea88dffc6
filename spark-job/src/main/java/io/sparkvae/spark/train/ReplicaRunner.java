package io.sparkvae.spark.train;

import ai.djl.Device;
import io.sparkvae.model.averaging.Divergence;
import io.sparkvae.model.averaging.EagerOverlap;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.train.LocalTrainer;
import io.sparkvae.model.train.NonFiniteLossException;
import io.sparkvae.model.train.Seeds;
import io.sparkvae.model.train.ShuffledBatches;
import io.sparkvae.model.train.TrainStats;
import io.sparkvae.model.train.TrainingState;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor side of a round: one replica trains on its shard from the broadcast state.
 *
 * <p>The replica is rebuilt from the round's inputs alone: where it is in its shard follows from
 * (epoch, steps done), its shuffle from (seed, partition, epoch) and its noise from (seed, round,
 * partition). A retried or relocated task therefore recomputes exactly the same result. The
 * replica's native state may stay on the executor between rounds ({@link ReplicaCache}), but it is
 * only a container: every round loads the whole driver state into it.
 *
 * <p>With {@code overlapSteps} the replica also runs the next round's first steps ahead, from its
 * own state, once its task has returned ({@link RunAhead}); the next round's task moves them onto
 * the new global state. A task that finds none (a new executor, a retry) runs its round from the
 * global state, so only runs without steps ahead keep the promise above.
 *
 * <p>A replica that runs into NaN or infinity (a non-finite minibatch loss, or a non-finite value
 * in its state after the steps) does not fail its task: it returns a {@link ReplicaResult} that
 * carries a {@link Divergence} instead of a state, and the driver applies the divergence policy.
 */
public final class ReplicaRunner {
  /** Tags that keep the random streams of a run apart. */
  static final long SHUFFLE_STREAM = 101;

  static final long NOISE_STREAM = 102;
  static final long EVAL_STREAM = 103;
  static final long WARMUP_STREAM = 104;

  /**
   * Minibatch steps of a warm-up: enough for the JIT to compile the step's Java loops (the fused
   * Adam loop runs over every parameter once a step) and for the native allocations to be made
   * once.
   */
  static final int WARMUP_STEPS = 5;

  private static final Logger LOG = LoggerFactory.getLogger(ReplicaRunner.class);

  /**
   * Adam moments of replicas that keep them locally, by run and partition. A cache, not the truth:
   * a replica that lands on an executor without its moments restarts them from zero (logged).
   */
  private static final Map<String, LocalMoments> LOCAL_MOMENTS = new ConcurrentHashMap<>();

  /**
   * A replica's local moments around its latest finished round: the moments it started that round
   * from and those it ended with. Keeping the start lets the same round run again (a retried task,
   * or a round the driver rolled back after a divergence) from the same moments.
   */
  private record LocalMoments(
      long round, float[] startM, float[] startV, float[] endM, float[] endV) {}

  private ReplicaRunner() {}

  /** Minibatches per epoch of a shard. */
  public static int batchesPerEpoch(int rows, int batchSize) {
    return (rows + batchSize - 1) / batchSize;
  }

  /** Runs one replica's share of a round that carries the global moments. */
  public static ReplicaResult run(RoundInput in, int partition, PackedShard shard) {
    return run(in, null, partition, shard);
  }

  /**
   * Runs one replica's share of a round.
   *
   * @param runMoments the run's global moments when the round carries none (local moments), else
   *     null
   */
  static ReplicaResult run(
      RoundInput in, TrainingState runMoments, int partition, PackedShard shard) {
    int batch = in.config().batchSize();
    int left = batchesPerEpoch(shard.rows(), batch) - in.stepInEpoch();
    int steps = Math.max(0, Math.min(in.steps(), left));
    String key = in.runId() + "/" + partition;
    RunAhead.Ahead ahead = takeAhead(in, partition, key);
    if (ahead != null && ahead.diverged() != null) {
      ahead.trainer().close();
      NonFiniteLossException e = ahead.diverged();
      return diverged(in, partition, e.step(), e.loss(), "minibatch loss is " + e.loss());
    }
    TrainingState start =
        ahead != null
            ? ahead
                .state()
                .withParams(
                    EagerOverlap.continuation(
                        ahead.state().params(), in.params(), ahead.sent().params()))
            : startState(in, runMoments, partition, key);
    if (ahead == null && (steps == 0 || shard.rows() == 0)) {
      if (in.localAdamState()) {
        // Nothing left in this epoch for this replica: its moments are as they were, after this
        // round too.
        LOCAL_MOMENTS.put(
            key,
            new LocalMoments(
                in.round(), start.adamM(), start.adamV(), start.adamM(), start.adamV()));
      }
      return new ReplicaResult(partition, start, 0, TrainStats.EMPTY);
    }
    ShuffledBatches batches;
    SplittableRandom noise;
    TrainStats stats;
    if (ahead != null) {
      batches = ahead.batches();
      noise = ahead.noise();
      stats = ahead.stats();
    } else {
      batches =
          new ShuffledBatches(
              shard.data(), batch, Seeds.derive(in.config().seed(), SHUFFLE_STREAM, partition));
      batches.seek(in.epoch(), in.stepInEpoch() * batch);
      noise =
          new SplittableRandom(
              Seeds.derive(in.config().seed(), NOISE_STREAM, in.round(), partition));
      stats = TrainStats.EMPTY;
    }
    int toRun = steps - (ahead == null ? 0 : ahead.steps());
    TrainingState end;
    Device device = TaskDevice.current();
    LocalTrainer trainer =
        ahead != null
            ? ahead.trainer()
            : in.keepReplicas()
                ? ReplicaCache.take(in.runId(), partition, in.round(), device, in.config())
                : null;
    boolean keep = false;
    boolean handedOver = false;
    try {
      if (trainer == null) {
        trainer = new LocalTrainer(in.config(), start, device);
      } else {
        // The whole driver state, every round: what makes a kept replica compute the same bits as a
        // new one.
        if (!trainer.adopt(in.config())) {
          throw new IllegalStateException("a replica run ahead has another configuration");
        }
        trainer.load(start);
      }
      if (toRun > 0) {
        stats = stats.plus(trainer.train(batches, toRun, noise));
      }
      end = trainer.snapshot();
      // The loss of the last step can be finite while that step's update overflowed: scan what
      // would be averaged (and kept as local moments) before it leaves the replica.
      String bad = end.firstNonFinite();
      if (bad != null) {
        return diverged(in, partition, end.step(), stats.meanLoss(), bad + " after the update");
      }
      handedOver = runAhead(in, partition, key, trainer, end, batches);
      keep = !handedOver && in.keepReplicas();
    } catch (NonFiniteLossException e) {
      // Reported, not thrown: a task that throws is retried (4 times on a cluster) and would
      // diverge again, since it recomputes exactly the same steps. The driver decides instead.
      return diverged(in, partition, e.step(), e.loss(), "minibatch loss is " + e.loss());
    } finally {
      if (keep) {
        ReplicaCache.put(in.runId(), partition, in.round(), device, trainer);
      } else if (trainer != null && !handedOver) {
        trainer.close();
      }
    }
    if (in.localAdamState()) {
      LOCAL_MOMENTS.put(
          key,
          new LocalMoments(in.round(), start.adamM(), start.adamV(), end.adamM(), end.adamV()));
    }
    return new ReplicaResult(partition, end, stats.examples(), stats);
  }

  /**
   * The steps this replica ran ahead for the round, when the round expects some; null otherwise or
   * when there are none here (logged: the round then runs from the global state).
   */
  private static RunAhead.Ahead takeAhead(RoundInput in, int partition, String key) {
    if (in.overlap().ranAhead() == 0) {
      return null;
    }
    RunAhead.Ahead a = RunAhead.take(key, in.round());
    if (a == null) {
      LOG.warn(
          "replica {} of run {} finds no steps run ahead for round {} (a new executor, a retried"
              + " task, or a shard with no steps left in the round before): it runs the round from"
              + " the global state",
          partition,
          in.runId(),
          in.round() + 1);
    }
    return a;
  }

  /**
   * Starts the next round's first steps on a background thread ({@link RunAhead}) when the round
   * asks for it and this replica's shard has them.
   *
   * @return whether the replica was handed over
   */
  private static boolean runAhead(
      RoundInput in,
      int partition,
      String key,
      LocalTrainer trainer,
      TrainingState end,
      ShuffledBatches batches) {
    if (in.overlap().nextStartsEpoch()) {
      batches.seek(in.epoch() + 1, 0);
    }
    int n = Math.min(in.overlap().runAhead(), batches.batchesLeftInEpoch());
    if (n <= 0) {
      return false;
    }
    SplittableRandom nextNoise =
        new SplittableRandom(
            Seeds.derive(in.config().seed(), NOISE_STREAM, in.round() + 1, partition));
    RunAhead.start(key, in.round() + 1, trainer, end, batches, nextNoise, n, in.overlap().next());
    return true;
  }

  /**
   * Warms one replica up before the first round, outside the epochs' clock: starts the engine,
   * builds the replica, and runs a few throwaway steps on its shard so that the JIT and the native
   * allocations happen here. The steps draw from a stream of their own and the replica is kept for
   * the first round ({@code keep}), which loads the whole driver state into it like any kept
   * replica: nothing of the warm-up reaches the training.
   *
   * @param firstRound the round the replica will run next
   */
  static void warmUp(
      String runId,
      VaeConfig config,
      TrainingState state,
      long firstRound,
      boolean keep,
      int partition,
      PackedShard shard) {
    if (shard.rows() == 0) {
      return;
    }
    Device device = TaskDevice.current();
    LocalTrainer trainer = new LocalTrainer(config, state, device);
    boolean kept = false;
    try {
      ShuffledBatches batches =
          new ShuffledBatches(
              shard.data(),
              config.batchSize(),
              Seeds.derive(config.seed(), WARMUP_STREAM, partition));
      trainer.train(
          batches,
          WARMUP_STEPS,
          new java.util.SplittableRandom(Seeds.derive(config.seed(), WARMUP_STREAM)));
      trainer.snapshot();
      if (keep) {
        ReplicaCache.put(runId, partition, firstRound - 1, device, trainer);
        kept = true;
      }
    } catch (NonFiniteLossException e) {
      // A starting point that diverges is the first round's to report, with the driver's policy.
    } finally {
      if (!kept) {
        trainer.close();
      }
    }
  }

  /**
   * The state a replica starts the round from: the driver's, with its own moments when they are
   * local.
   */
  private static TrainingState startState(
      RoundInput in, TrainingState runMoments, int partition, String key) {
    TrainingState start = in.state(runMoments);
    if (!in.localAdamState()) {
      return start;
    }
    LocalMoments saved = LOCAL_MOMENTS.get(key);
    if (saved != null && saved.round() == in.round()) {
      return new TrainingState(start.params(), saved.startM(), saved.startV(), start.step());
    } else if (saved != null) {
      return new TrainingState(start.params(), saved.endM(), saved.endV(), start.step());
    } else if (in.initialMoments() != null && partition < in.initialMoments().length) {
      ReplicaMoments resumed = in.initialMoments()[partition];
      return new TrainingState(start.params(), resumed.adamM(), resumed.adamV(), start.step());
    } else if (in.round() > 0) {
      LOG.warn(
          "replica {} of run {} lost its local Adam moments (new executor?); restarting them",
          partition,
          in.runId());
    }
    return start;
  }

  private static ReplicaResult diverged(
      RoundInput in, int partition, long step, double loss, String reason) {
    LOG.warn(
        "replica {} diverged in round {}: {} at optimizer step {}",
        partition,
        in.round() + 1,
        reason,
        step);
    return ReplicaResult.diverged(new Divergence(partition, step, loss, reason));
  }

  /**
   * This executor's copy of a replica's local moments after round {@code round}, or null when it
   * has none (the replica ran elsewhere, or its executor was replaced).
   */
  static ReplicaMoments momentsAfter(String runId, int partition, long round) {
    LocalMoments saved = LOCAL_MOMENTS.get(runId + "/" + partition);
    return saved == null || saved.round() != round
        ? null
        : new ReplicaMoments(partition, saved.endM(), saved.endV());
  }

  /** Forgets the local moments and closes the kept replicas of a finished run on this executor. */
  public static void forget(String runId) {
    LOCAL_MOMENTS.keySet().removeIf(k -> k.startsWith(runId + "/"));
    RunAhead.forget(runId);
    ReplicaCache.forget(runId);
  }
}
