package io.sparkvae.spark.train;

/** What training and transform do with unusable input rows ({@code badRowPolicy}). */
public enum BadRowPolicy {
  /** {@code fail}: bad rows stop training (or fail the scoring task) with their counts. */
  FAIL,
  /**
   * {@code skip}: bad rows are left out of training (null outputs in transform), counted and
   * logged.
   */
  SKIP;

  /**
   * The configuration name ({@code fail}), so that messages and logs show the value as it is
   * written.
   */
  @Override
  public String toString() {
    return io.sparkvae.model.config.ParamType.nameOf(this);
  }
}
