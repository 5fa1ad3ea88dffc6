package io.sparkvae.spark.train;

import io.sparkvae.model.averaging.AveragingSums;
import io.sparkvae.model.averaging.OuterStep;
import io.sparkvae.model.train.TrainingState;

/**
 * A round's result on the driver: the next global state, or (state null) why the round diverged.
 *
 * @param state the next global state, or null
 * @param divergence why the round diverged, or null
 */
record RoundOutcome(TrainingState state, String divergence) {

  /**
   * Combines a round's sums into the next global state through the outer step, or says why the
   * round diverged; in that case the outer step's state is left as it was before the round.
   */
  static RoundOutcome combine(
      AveragingSums sums, TrainingState start, OuterStep outer, int replicas) {
    if (sums.diverged() > 0) {
      return new RoundOutcome(
          null,
          sums.firstDivergence().describe()
              + " ("
              + sums.diverged()
              + " of "
              + replicas
              + " replicas diverged)");
    }
    float[] before = outer.state();
    TrainingState averaged = sums.average(start);
    averaged = averaged.withParams(outer.step(start.params(), averaged.params()));
    // Finite replicas can still average (or extrapolate, with outer momentum) to an overflow:
    // this check is what keeps NaN out of checkpoints and of the returned, saved model.
    String bad = averaged.firstNonFinite();
    if (bad == null) {
      bad = outer.firstNonFinite();
    }
    if (bad == null) {
      return new RoundOutcome(averaged, null);
    }
    outer.restore(before);
    return new RoundOutcome(
        null,
        "the averaged state is not finite ("
            + bad
            + ") after optimizer step "
            + averaged.step()
            + " (mean minibatch loss "
            + sums.stats().meanLoss()
            + " per example this round)");
  }
}
