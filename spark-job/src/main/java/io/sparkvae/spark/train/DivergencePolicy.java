package io.sparkvae.spark.train;

import io.sparkvae.model.config.VaeConfig;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a run does when a round diverges ({@code divergencePolicy}): fail, or roll the round back
 * and redo it with half the learning rate, at most {@code maxRollbacks} times over the run. The
 * halvings are exact (powers of two) and carried in checkpoints, so a resumed run goes on with the
 * learning rate it had.
 */
final class DivergencePolicy {
  private static final Logger LOG = LoggerFactory.getLogger(DivergencePolicy.class);

  private final DistributedConfig dist;
  private final double configuredRate;
  private int rollbacks;

  /**
   * @param configuredRate the learning rate before any rollback
   * @param rollbacks rollbacks of the run so far (a resumed run's)
   */
  DivergencePolicy(DistributedConfig dist, double configuredRate, int rollbacks) {
    this.dist = dist;
    this.configuredRate = configuredRate;
    this.rollbacks = rollbacks;
  }

  /** Rollbacks so far. */
  int rollbacks() {
    return rollbacks;
  }

  /** A learning rate halved {@code rollbacks} times (exactly: a power-of-two scaling). */
  static double learningRateAfter(double learningRate, int rollbacks) {
    return Math.scalb(learningRate, -rollbacks);
  }

  /** The configuration a round runs with after the rollbacks so far. */
  VaeConfig apply(VaeConfig config) {
    return rollbacks == 0
        ? config
        : config.toBuilder()
            .learningRate(learningRateAfter(config.learningRate(), rollbacks))
            .build();
  }

  /**
   * Decides on a diverged round: returns when the round is to run again (one more rollback, the
   * learning rate halved), throws when the run must stop.
   *
   * @param where "epoch e/E, round r/R"
   * @param divergence what diverged
   * @param rate the learning rate the round ran with
   * @throws TrainingDivergedException when the policy is fail, or the rollbacks are used up
   */
  void onDivergence(String where, String divergence, double rate, int epoch, long round) {
    if (!dist.rollsBackOnDivergence()) {
      throw new TrainingDivergedException(
          String.format(
              Locale.ROOT,
              "training diverged in %s: %s. Nothing of this round was kept and no model is returned;"
                  + " earlier checkpoints are intact. Lower learningRate (now %s) or set"
                  + " divergencePolicy=rollback",
              where,
              divergence,
              rate),
          epoch + 1,
          round + 1,
          rollbacks);
    }
    // (A learning rate halved down to 0 would be refused by VaeConfig: that ends the run too.)
    if (rollbacks >= dist.maxRollbacks()
        || !(learningRateAfter(configuredRate, rollbacks + 1) > 0)) {
      throw new TrainingDivergedException(
          String.format(
              Locale.ROOT,
              "training diverged in %s after %d rollbacks (maxRollbacks=%d; learningRate now %s, configured"
                  + " %s): %s. No model is returned; earlier checkpoints are intact. Lower"
                  + " learningRate",
              where,
              rollbacks,
              dist.maxRollbacks(),
              rate,
              configuredRate,
              divergence),
          epoch + 1,
          round + 1,
          rollbacks);
    }
    rollbacks++;
    LOG.warn(
        String.format(
            Locale.ROOT,
            "training diverged in %s: %s; rolling back to the start of the round and halving learningRate to"
                + " %s (rollback %d of at most %d)",
            where,
            divergence,
            rate / 2,
            rollbacks,
            dist.maxRollbacks()));
  }
}
