package io.sparkvae.model.train;

import java.io.Serializable;

/**
 * Sums over the minibatch steps of a training run: the objective summed over examples (nats), the
 * number of examples and steps, and the seconds spent, on the clock and on a core. Sums, not means,
 * so replicas can be combined by adding.
 *
 * @param lossSum sum over examples of the optimized loss (the negative ELBO, or of the
 *     importance-weighted bound when {@code elboSamples > 1}, with the current KL weight)
 * @param examples examples visited
 * @param steps optimizer steps taken
 * @param seconds wall-clock seconds of the steps
 * @param cpuSeconds CPU seconds the thread that ran the steps used meanwhile ({@link ThreadCpu});
 *     NaN where the JVM cannot measure it
 */
public record TrainStats(
    double lossSum, long examples, long steps, double seconds, double cpuSeconds)
    implements Serializable {
  /** No steps. */
  public static final TrainStats EMPTY = new TrainStats(0, 0, 0, 0, 0);

  /** Component-wise sum (seconds add too: total compute time; NaN CPU seconds stay unknown). */
  public TrainStats plus(TrainStats o) {
    return new TrainStats(
        lossSum + o.lossSum,
        examples + o.examples,
        steps + o.steps,
        seconds + o.seconds,
        cpuSeconds + o.cpuSeconds);
  }

  /** Mean loss per example, NaN when there were none. */
  public double meanLoss() {
    return examples == 0 ? Double.NaN : lossSum / examples;
  }
}
