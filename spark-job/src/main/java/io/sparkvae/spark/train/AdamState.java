package io.sparkvae.spark.train;

/** Where Adam's moments live between rounds ({@code adamState}). */
public enum AdamState {
  /** {@code averaged}: averaged with the parameters each round and broadcast back. */
  AVERAGED,
  /** {@code local}: each replica keeps its own moments between rounds (DiLoCo's inner optimizer). */
  LOCAL
}
