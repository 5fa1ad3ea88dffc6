package io.sparkvae.spark.train;

import io.sparkvae.model.train.TrainingState;
import java.io.Serializable;
import java.util.List;

/**
 * Where a training run stands after a whole epoch: everything needed to continue exactly as an
 * uninterrupted run would (state, outer momentum, round counter) and the history so far.
 *
 * @param epochsDone completed epochs
 * @param rounds completed rounds (seeds the next round's noise)
 * @param velocity the outer optimizer's momentum buffer, or null
 */
public record TrainingProgress(
    int epochsDone, long rounds, TrainingState state, float[] velocity, List<EpochMetrics> history)
    implements Serializable {
  public TrainingProgress {
    history = List.copyOf(history);
  }
}
