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
  private final BadRows badRows;

  /** A shard with no rejected rows. */
  public PackedShard(float[] features, int rows, int dim) {
    this(features, rows, dim, new BadRows());
  }

  /** {@code rows} rows of {@code dim} features in the first {@code rows * dim} values. */
  public PackedShard(float[] features, int rows, int dim, BadRows badRows) {
    if ((long) rows * dim > features.length) {
      throw new IllegalArgumentException(rows + " rows of " + dim + " do not fit " + features.length + " values");
    }
    this.features = features;
    this.rows = rows;
    this.dim = dim;
    this.badRows = badRows;
  }

  /** The input rows left out of this shard, by reason. */
  public BadRows badRows() {
    return badRows;
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
