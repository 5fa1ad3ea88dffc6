package io.sparkvae.spark.train;

import io.sparkvae.model.data.RowBlocks;
import java.io.Serializable;

/**
 * One shard of training or validation data, packed once into blocks of whole rows ({@link
 * RowBlocks}) so that the training loop touches no per-row object, and a shard is bounded by
 * memory, not by the 2^31 values of one Java array. It is the unit Spark caches (serialized with
 * Kryo) and ships when a shard must move.
 */
public final class PackedShard implements Serializable {
  private static final long serialVersionUID = 2L;

  /**
   * Spark setting: values per block of a shard (default {@link #DEFAULT_BLOCK_VALUES}); read on the
   * driver when the data are packed. Tests lower it to split small shards.
   */
  static final String BLOCK_VALUES_CONF = "spark.sparkvae.shardBlockValues";

  /**
   * 2^24 values (64 MiB) a block: large enough that a block is many minibatches, small enough that
   * packing, which grows one block at a time, never holds much more than the shard.
   */
  static final long DEFAULT_BLOCK_VALUES = 1L << 24;

  private final RowBlocks data;
  private final BadRows badRows;

  /** A shard with no rejected rows. */
  public PackedShard(float[] features, int rows, int dim) {
    this(RowBlocks.of(features, rows, dim), new BadRows());
  }

  /** The packed rows and the input rows left out of them. */
  public PackedShard(RowBlocks data, BadRows badRows) {
    this.data = data;
    this.badRows = badRows;
  }

  /** The input rows left out of this shard, by reason. */
  public BadRows badRows() {
    return badRows;
  }

  /** The packed rows (not copied: do not modify). */
  public RowBlocks data() {
    return data;
  }

  /** Number of rows. */
  public int rows() {
    return data.rows();
  }

  /** Features per row. */
  public int dim() {
    return data.dim();
  }
}
