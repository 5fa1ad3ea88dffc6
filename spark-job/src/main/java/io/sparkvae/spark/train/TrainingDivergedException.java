package io.sparkvae.spark.train;

/**
 * Distributed training stopped because a round ran into NaN or infinity (a replica's minibatch loss
 * or state, or the averaged parameters) and the divergence policy did not allow it to go on: {@code
 * divergencePolicy=fail}, or {@code rollback} with its {@code maxRollbacks} spent. Nothing of the
 * diverged round is kept: the trainer returns no state, so no model is written, and checkpoints of
 * earlier epochs stay as they were.
 */
public final class TrainingDivergedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final int epoch;
  private final long round;
  private final int rollbacks;

  /**
   * @param epoch the epoch of the diverged round (1-based)
   * @param round the diverged round (1-based, counted over the whole run)
   * @param rollbacks rounds rolled back before this one failed
   */
  TrainingDivergedException(String message, int epoch, long round, int rollbacks) {
    super(message);
    this.epoch = epoch;
    this.round = round;
    this.rollbacks = rollbacks;
  }

  /** The epoch of the diverged round (1-based). */
  public int epoch() {
    return epoch;
  }

  /** The diverged round (1-based, counted over the whole run). */
  public long round() {
    return round;
  }

  /** Rounds rolled back before this one failed. */
  public int rollbacks() {
    return rollbacks;
  }
}
