package io.sparkvae.spark.train;

/**
 * What training does on a NaN or infinite loss or parameter ({@code divergencePolicy}; {@link
 * DivergencePolicy} carries it out).
 */
public enum OnDivergence {
  /** {@code fail}: stop the run with an error. */
  FAIL,
  /** {@code rollback}: redo the round from its start with half the learning rate. */
  ROLLBACK
}
