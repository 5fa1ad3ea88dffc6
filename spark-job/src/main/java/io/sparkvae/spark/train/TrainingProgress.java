package io.sparkvae.spark.train;

import io.sparkvae.model.train.TrainingState;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * Where a training run stands after a round: everything needed to continue exactly as an
 * uninterrupted run would (state, outer momentum, round counter, position in the epoch,
 * learning-rate halvings, the epoch's statistics so far) and the history of finished epochs.
 *
 * <p>The random streams need no saved position: shuffles are derived from (seed, partition, epoch)
 * and noise from (seed, round, partition), so {@code epochsDone}, {@code stepInEpoch} and {@code
 * rounds} are the positions of every generator.
 *
 * @param epochsDone completed epochs
 * @param stepInEpoch minibatches every replica has run in epoch {@code epochsDone + 1}; 0 at an
 *     epoch's end
 * @param rounds completed rounds (seeds the next round's noise)
 * @param velocity the outer optimizer's momentum buffer, or null
 * @param history the metrics of the completed epochs
 * @param epochSoFar the statistics of the unfinished epoch's rounds ({@link EpochSoFar#NONE} at an
 *     epoch's end)
 * @param rollbacks rounds rolled back after a divergence so far; each halved the learning rate, so
 *     the run goes on with {@code learningRate / 2^rollbacks}
 * @param replicaMoments with {@code adamState=local}, every replica's own Adam moments, by
 *     partition; empty when the moments are averaged (they are in {@code state}) or were not
 *     available (a replica's executor was lost: a resumed run restarts them from zero)
 */
public record TrainingProgress(
    int epochsDone,
    int stepInEpoch,
    long rounds,
    TrainingState state,
    float[] velocity,
    List<EpochMetrics> history,
    EpochSoFar epochSoFar,
    int rollbacks,
    List<ReplicaMoments> replicaMoments)
    implements Serializable {
  public TrainingProgress {
    history = List.copyOf(history);
    replicaMoments = List.copyOf(replicaMoments);
    for (int i = 0; i < replicaMoments.size(); i++) {
      if (replicaMoments.get(i).partition() != i) {
        throw new IllegalArgumentException(
            "replica moments must be by partition 0.." + (replicaMoments.size() - 1));
      }
    }
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(epochSoFar, "epochSoFar");
    if (epochsDone < 0 || stepInEpoch < 0 || rounds < 0 || rollbacks < 0) {
      throw new IllegalArgumentException(
          String.format(
              "epochsDone, stepInEpoch, rounds and rollbacks must be >= 0, got %d, %d, %d, %d",
              epochsDone, stepInEpoch, rounds, rollbacks));
    }
    if (stepInEpoch == 0 && !epochSoFar.equals(EpochSoFar.NONE)) {
      throw new IllegalArgumentException("statistics of an unfinished epoch at an epoch's end");
    }
  }

  /** Progress at the end of an epoch, without replica moments. */
  public TrainingProgress(
      int epochsDone,
      long rounds,
      TrainingState state,
      float[] velocity,
      List<EpochMetrics> history,
      int rollbacks) {
    this(epochsDone, 0, rounds, state, velocity, history, EpochSoFar.NONE, rollbacks, List.of());
  }

  /** The same progress with the replicas' own Adam moments. */
  public TrainingProgress withReplicaMoments(List<ReplicaMoments> moments) {
    return new TrainingProgress(
        epochsDone, stepInEpoch, rounds, state, velocity, history, epochSoFar, rollbacks, moments);
  }

  /** Progress at the end of an epoch of a run that has not rolled back. */
  public TrainingProgress(
      int epochsDone,
      long rounds,
      TrainingState state,
      float[] velocity,
      List<EpochMetrics> history) {
    this(epochsDone, rounds, state, velocity, history, 0);
  }

  /** Whether this is the progress at an epoch's end (not in the middle of one). */
  public boolean atEpochEnd() {
    return stepInEpoch == 0;
  }

  /** "epoch 3" at an epoch's end, or "epoch 4, minibatch 100" in the middle of one. */
  public String describe() {
    return atEpochEnd()
        ? epochsDone + " epochs done"
        : epochsDone
            + " epochs and "
            + stepInEpoch
            + " minibatches of epoch "
            + (epochsDone + 1)
            + " done";
  }

  /**
   * The statistics of the rounds of an unfinished epoch, so that the epoch's metrics come out the
   * same when it finishes after a resume.
   *
   * @param lossSum objective summed over the examples trained on
   * @param examples examples trained on
   * @param seconds wall-clock seconds of the rounds
   * @param computeSeconds wall-clock seconds of the rounds' replica compute ({@link
   *     RoundRunner#computeSpan})
   * @param rounds rounds done
   * @param replicaCpuSeconds CPU seconds the replicas' threads used in their steps, summed over the
   *     replicas (NaN unknown: a JVM that cannot measure it, or a checkpoint written before it was
   *     recorded)
   * @param driverJitSeconds CPU seconds the driver JVM's JIT compiler threads used from the epoch's
   *     first round to its last, mid-epoch checkpoint writes left out (NaN unknown)
   */
  public record EpochSoFar(
      double lossSum,
      long examples,
      double seconds,
      double computeSeconds,
      int rounds,
      double replicaCpuSeconds,
      double driverJitSeconds)
      implements Serializable {
    /** Nothing yet. */
    public static final EpochSoFar NONE = new EpochSoFar(0, 0, 0, 0, 0, 0, 0);

    /** Adds one round. */
    public EpochSoFar plus(
        double roundLossSum,
        long roundExamples,
        double roundSeconds,
        double roundCompute,
        double roundReplicaCpu) {
      return new EpochSoFar(
          lossSum + roundLossSum,
          examples + roundExamples,
          seconds + roundSeconds,
          computeSeconds + roundCompute,
          rounds + 1,
          replicaCpuSeconds + roundReplicaCpu,
          driverJitSeconds);
    }

    /**
     * Adds the compilers' CPU seconds of a span of rounds; a negative span (a compiler thread that
     * ended took its time along) adds nothing.
     */
    public EpochSoFar plusDriverJit(double jitSeconds) {
      return new EpochSoFar(
          lossSum,
          examples,
          seconds,
          computeSeconds,
          rounds,
          replicaCpuSeconds,
          driverJitSeconds + Math.max(0, jitSeconds));
    }
  }
}
