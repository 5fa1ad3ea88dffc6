package io.sparkvae.spark.train;

import java.io.Serializable;

/**
 * One shard of training or validation data, packed once into a contiguous row-major {@code float[]}
 * so that the training loop touches no per-row object. It is the unit Spark caches (serialized with
 * Kryo) and ships when a shard must move.
 */
public final class PackedShard implements Serializable {
  private static final long serialVersionUID = 1L;

  private final float[] features;
  private final int rows;
  private final int dim;
  private final long nullRows;
  private final long wrongSizeRows;
  private final long nonFiniteRows;

  /** A shard with no rejected rows. */
  public PackedShard(float[] features, int rows, int dim) {
    this(features, rows, dim, 0, 0, 0);
  }

  /** {@code rows} rows of {@code dim} features in the first {@code rows * dim} values. */
  public PackedShard(
      float[] features, int rows, int dim, long nullRows, long wrongSizeRows, long nonFiniteRows) {
    if ((long) rows * dim > features.length) {
      throw new IllegalArgumentException(rows + " rows of " + dim + " do not fit " + features.length + " values");
    }
    this.features = features;
    this.rows = rows;
    this.dim = dim;
    this.nullRows = nullRows;
    this.wrongSizeRows = wrongSizeRows;
    this.nonFiniteRows = nonFiniteRows;
  }

  /** Input rows left out because their features were null. */
  public long nullRows() {
    return nullRows;
  }

  /** Input rows left out because their features had the wrong size. */
  public long wrongSizeRows() {
    return wrongSizeRows;
  }

  /** Input rows left out because a feature was NaN or infinite. */
  public long nonFiniteRows() {
    return nonFiniteRows;
  }

  /** True when some input row was left out. */
  public boolean hasRejectedRows() {
    return nullRows + wrongSizeRows + nonFiniteRows > 0;
  }

  /** The packed values (not copied: do not modify). */
  public float[] features() {
    return features;
  }

  /** Number of rows. */
  public int rows() {
    return rows;
  }

  /** Features per row. */
  public int dim() {
    return dim;
  }
}
