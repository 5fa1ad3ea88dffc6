package io.sparkvae.spark.train;

import io.sparkvae.model.averaging.AveragingSums;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.train.TrainingState;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.CollectionAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs rounds on the cluster: broadcasts a round's input, trains every replica on its cached shard
 * ({@link ReplicaRunner} on the executors) and combines the replicas' weighted sums with {@code
 * treeAggregate}. The driver-side half of a round ends with the {@link AveragingSums}; what to do
 * with them (divide, outer step, divergence) is the caller's.
 */
final class RoundRunner {
  private static final Logger LOG = LoggerFactory.getLogger(RoundRunner.class);

  private final JavaSparkContext jsc;
  private final JavaRDD<PackedShard> shards;
  private final String runId;
  private final int replicas;
  private final boolean averageMoments;
  private final CollectionAccumulator<Long> rss;
  private final ExecutorJit executorJit;
  private final boolean keepReplicas;

  /**
   * With local moments: the run's global moments, broadcast once (they change only with a new
   * state's arrays).
   */
  private Broadcast<TrainingState> runMoments;

  private long payloadBytes = -1;

  RoundRunner(
      JavaSparkContext jsc,
      JavaRDD<PackedShard> shards,
      String runId,
      int replicas,
      boolean averageMoments,
      boolean keepReplicas) {
    this.jsc = jsc;
    this.shards = shards;
    this.runId = runId;
    this.replicas = replicas;
    this.averageMoments = averageMoments;
    this.rss = jsc.sc().collectionAccumulator("sparkvae executor RSS bytes");
    this.executorJit = new ExecutorJit(jsc);
    this.keepReplicas = keepReplicas;
  }

  /**
   * Whether replicas stay on their executors between rounds ({@link ReplicaCache#ENABLED_CONF}).
   */
  boolean keepReplicas() {
    return keepReplicas;
  }

  /** Runs one round as a Spark job with the given description and returns the replicas' sums. */
  AveragingSums run(RoundInput input, String description) {
    jsc.setJobDescription(description);
    RoundInput sent = input;
    if (!averageMoments) {
      // Local moments: the global ones are the run's starting moments; a round ships only
      // parameters.
      TrainingState state = input.state();
      if (runMoments == null
          || runMoments.value().adamM() != state.adamM()
          || runMoments.value().adamV() != state.adamV()) {
        if (runMoments != null) {
          runMoments.destroy();
        }
        // The whole state (its parameters are not read): a TrainingState is what the serializer
        // knows.
        runMoments = jsc.broadcast(state);
      }
      sent = input.withoutMoments();
    }
    if (payloadBytes < 0) {
      payloadBytes = RoundPayload.bytes(sent, input.state(), replicas, averageMoments);
    }
    Broadcast<RoundInput> bc = jsc.broadcast(sent);
    rss.reset();
    executorJit.reset();
    try {
      AveragingSums sums =
          shards
              .mapPartitionsWithIndex(
                  trainReplica(
                      bc, averageMoments ? null : runMoments, rss, executorJit.accumulator()),
                  true)
              .treeAggregate(
                  new AveragingSums(), addReplica(averageMoments), AveragingSums::merge, 2);
      executorJit.collect();
      return sums;
    } finally {
      bc.destroy();
    }
  }

  /**
   * Warms every replica up before the first round (engine start, JIT, native allocation; see {@link
   * ReplicaRunner#warmUp}) as a job of its own, so that the first epoch's clock runs at the steady
   * speed; with kept replicas, the first round finds them built.
   *
   * @return the seconds it took
   */
  double warmUp(VaeConfig config, TrainingState state, long firstRound) {
    long t0 = System.nanoTime();
    jsc.setJobDescription("sparkvae: warming up " + replicas + " replicas");
    Broadcast<TrainingState> bc = jsc.broadcast(state);
    executorJit.reset();
    try {
      String run = runId;
      boolean keep = keepReplicas;
      CollectionAccumulator<ExecutorJit.Reading> jit = executorJit.accumulator();
      shards
          .mapPartitionsWithIndex(
              (Function2<Integer, Iterator<PackedShard>, Iterator<Integer>>)
                  (partition, it) -> {
                    while (it.hasNext()) {
                      ReplicaRunner.warmUp(
                          run, config, bc.value(), firstRound, keep, partition, it.next());
                    }
                    ExecutorJit.read(jit);
                    return List.<Integer>of().iterator();
                  },
              true)
          .count();
      executorJit.collect();
    } finally {
      bc.destroy();
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /**
   * The wall-clock seconds a round's replica compute spans: the replicas run at most {@link
   * #taskSlots} at a time, so {@code replicas} replicas run in {@code ceil(replicas / slots)}
   * waves, each about as long as the mean replica (the shards differ by at most one row). With
   * fewer replicas than slots that is the mean replica's compute.
   *
   * @param replicaSeconds the replicas' compute seconds, summed
   */
  double computeSpan(double replicaSeconds) {
    return computeSpan(replicaSeconds, replicas, taskSlots());
  }

  static double computeSpan(double replicaSeconds, int replicas, int slots) {
    int waves = (replicas + slots - 1) / slots;
    return waves * (replicaSeconds / replicas);
  }

  /**
   * Tasks the cluster runs at once now: its cores ({@code spark.default.parallelism}, which is the
   * cores of the registered executors unless set) over {@code spark.task.cpus}. Asked every round,
   * since executors come and go.
   */
  int taskSlots() {
    return Math.max(1, jsc.defaultParallelism() / cpusPerTask());
  }

  /** Cores the replicas' tasks have now: task slots times {@code spark.task.cpus}. */
  int taskCores() {
    return taskSlots() * cpusPerTask();
  }

  private int cpusPerTask() {
    return jsc.sc().conf().getInt("spark.task.cpus", 1);
  }

  /** The run's id (keys the executors' caches). */
  String runId() {
    return runId;
  }

  /**
   * Serialized bytes one round moves (the broadcast plus every replica's result); -1 before the
   * first.
   */
  long payloadBytes() {
    return payloadBytes;
  }

  /**
   * The executor JVMs' compiler seconds since the last call, summed ({@link ExecutorJit}); NaN in
   * local mode.
   */
  double executorJitSinceLastCall() {
    return executorJit.sinceLastCall();
  }

  /** The largest executor RSS the replicas measured at the end of the last round; -1 unknown. */
  long lastRoundRss() {
    return rss.value().stream().mapToLong(Long::longValue).max().orElse(-1);
  }

  /**
   * The progress with every replica's local Adam moments after its last round, fetched from the
   * executors that hold them; unchanged with averaged moments, or (with a warning) when a replica's
   * moments are gone with its executor.
   */
  TrainingProgress withMoments(TrainingProgress p) {
    if (averageMoments) {
      return p;
    }
    long round = p.rounds() - 1;
    String run = runId;
    List<ReplicaMoments> found =
        new ArrayList<>(
            shards
                .mapPartitionsWithIndex(
                    (Function2<Integer, Iterator<PackedShard>, Iterator<ReplicaMoments>>)
                        (partition, it) -> {
                          ReplicaMoments m = ReplicaRunner.momentsAfter(run, partition, round);
                          return (m == null ? List.<ReplicaMoments>of() : List.of(m)).iterator();
                        },
                    true)
                .collect());
    found.sort(java.util.Comparator.comparingInt(ReplicaMoments::partition));
    if (found.size() != replicas) {
      LOG.warn(
          "only {} of {} replicas still hold their local Adam moments of round {} (executors lost?):"
              + " this progress has none, and a run resumed from it restarts them",
          found.size(),
          replicas,
          round + 1);
      return p;
    }
    return p.withReplicaMoments(found);
  }

  /**
   * Releases what the run keeps on the executors: the replicas' local Adam moments and the kept
   * replicas. Called when the run ends, normally or not; an executor this does not reach frees them
   * on eviction or at exit.
   */
  void release() {
    if (runMoments != null) {
      runMoments.destroy();
      runMoments = null;
    }
    if (averageMoments && !keepReplicas) {
      return;
    }
    String run = runId;
    try {
      jsc.setJobDescription("sparkvae: releasing the replicas of run " + run);
      shards.foreachPartition(it -> ReplicaRunner.forget(run));
    } catch (RuntimeException e) {
      LOG.warn(
          "could not release the replicas of run {} on the executors: {}", runId, e.toString());
    }
  }

  // Static so that the closures capture only the broadcast handle and a flag, never this runner.

  private static Function2<Integer, Iterator<PackedShard>, Iterator<ReplicaResult>> trainReplica(
      Broadcast<RoundInput> input,
      Broadcast<TrainingState> runMoments,
      CollectionAccumulator<Long> rss,
      CollectionAccumulator<ExecutorJit.Reading> jit) {
    return (partition, it) -> {
      List<ReplicaResult> out = new ArrayList<>(1);
      while (it.hasNext()) {
        out.add(
            ReplicaRunner.run(
                input.value(),
                runMoments == null ? null : runMoments.value(),
                partition,
                it.next()));
      }
      long resident = ExecutorMemory.residentBytes();
      if (resident >= 0) {
        rss.add(resident);
      }
      ExecutorJit.read(jit);
      return out.iterator();
    };
  }

  private static Function2<AveragingSums, ReplicaResult, AveragingSums> addReplica(
      boolean withMoments) {
    return (sums, r) ->
        r.divergence() != null
            ? sums.addDiverged(r.divergence())
            : sums.add(r.state(), r.weight(), withMoments, r.stats());
  }
}
