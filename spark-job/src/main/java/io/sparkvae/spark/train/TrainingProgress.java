package io.sparkvae.spark.train;

import io.sparkvae.model.train.TrainingState;
import java.io.Serializable;
import java.util.List;

/**
 * Where a training run stands after a whole epoch: everything needed to continue exactly as an
 * uninterrupted run would (state, outer momentum, round counter, learning-rate halvings) and the
 * history so far.
 *
 * @param epochsDone completed epochs
 * @param rounds completed rounds (seeds the next round's noise)
 * @param velocity the outer optimizer's momentum buffer, or null
 * @param rollbacks rounds rolled back after a divergence so far; each halved the learning rate, so
 *     the run goes on with {@code learningRate / 2^rollbacks}
 */
public record TrainingProgress(
    int epochsDone, long rounds, TrainingState state, float[] velocity, List<EpochMetrics> history, int rollbacks)
    implements Serializable {
  public TrainingProgress {
    history = List.copyOf(history);
    if (rollbacks < 0) {
      throw new IllegalArgumentException("rollbacks must be >= 0, got " + rollbacks);
    }
  }

  /** Progress of a run that has not rolled back. */
  public TrainingProgress(
      int epochsDone, long rounds, TrainingState state, float[] velocity, List<EpochMetrics> history) {
    this(epochsDone, rounds, state, velocity, history, 0);
  }
}
