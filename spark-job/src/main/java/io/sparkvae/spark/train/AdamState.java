package io.sparkvae.spark.train;

/** Where Adam's moments live between rounds ({@code adamState}). */
public enum AdamState {
  /** {@code averaged}: averaged with the parameters each round and broadcast back. */
  AVERAGED,
  /**
   * {@code local}: each replica keeps its own moments between rounds (DiLoCo's inner optimizer).
   */
  LOCAL;

  /**
   * The configuration name ({@code averaged}), so that messages and logs show the value as it is
   * written.
   */
  @Override
  public String toString() {
    return io.sparkvae.model.config.ParamType.nameOf(this);
  }
}
