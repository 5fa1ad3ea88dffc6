package io.sparkvae.spark.train;

/**
 * What training does on a NaN or infinite loss or parameter ({@code divergencePolicy}; {@link
 * DivergencePolicy} carries it out).
 */
public enum OnDivergence {
  /** {@code fail}: stop the run with an error. */
  FAIL,
  /** {@code rollback}: redo the round from its start with half the learning rate. */
  ROLLBACK;

  /**
   * The configuration name ({@code fail}), so that messages and logs show the value as it is
   * written.
   */
  @Override
  public String toString() {
    return io.sparkvae.model.config.ParamType.nameOf(this);
  }
}
