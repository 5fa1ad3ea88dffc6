package io.sparkvae.model.train;

import io.sparkvae.model.data.RowBlocks;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;

/**
 * Minibatches over a packed dataset, reshuffled every epoch with an order derived from (seed,
 * epoch). A batch never crosses an epoch boundary: the last batch of an epoch holds the remainder,
 * so every example is visited exactly once per epoch (no example is dropped, unlike the averaging
 * master of Deeplearning4j). The position (epoch, offset) fully determines what comes next, so a
 * source can be re-created anywhere for recovery.
 */
public final class ShuffledBatches implements BatchSource {
  private final RowBlocks data;
  private final int rows;
  private final int batchSize;
  private final long seed;
  private final int[] order;
  private int epoch;
  private int position;
  private long visited;

  /**
   * Batches over {@code rows} rows of {@code dim} floats packed in {@code features}.
   *
   * @param seed the seed of the shuffles (derive one per shard)
   */
  public ShuffledBatches(float[] features, int rows, int dim, int batchSize, long seed) {
    this(RowBlocks.of(features, rows, dim), batchSize, seed);
  }

  /**
   * Batches over packed rows in blocks.
   *
   * @param seed the seed of the shuffles (derive one per shard)
   */
  public ShuffledBatches(RowBlocks data, int batchSize, long seed) {
    if (data.rows() < 1) {
      throw new IllegalArgumentException("cannot draw minibatches from an empty dataset");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    this.data = data;
    this.rows = data.rows();
    this.batchSize = batchSize;
    this.seed = seed;
    this.order = new int[rows];
    seek(0, 0);
  }

  /** Moves to {@code position} rows into epoch {@code epoch} (0-based). */
  public void seek(int epoch, int position) {
    if (epoch < 0 || position < 0 || position > rows) {
      throw new IllegalArgumentException("no position " + position + " in epoch " + epoch);
    }
    this.epoch = epoch;
    this.position = position;
    shuffle();
  }

  private void shuffle() {
    for (int i = 0; i < rows; i++) {
      order[i] = i;
    }
    SplittableRandom rng = new SplittableRandom(Seeds.derive(seed, epoch));
    for (int i = rows - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }

  @Override
  public int nextBatch(FloatBuffer dst) {
    if (position == rows) {
      epoch++;
      position = 0;
      shuffle();
    }
    int n = Math.min(batchSize, rows - position);
    for (int i = 0; i < n; i++) {
      data.copyRow(order[position + i], dst);
    }
    position += n;
    visited += n;
    return n;
  }

  /** Index (into the packed rows) of the example at {@code i} in the current epoch's order. */
  public int orderAt(int i) {
    return order[i];
  }

  /** The current epoch (0-based); advances when a batch is drawn after the last one. */
  public int epoch() {
    return epoch;
  }

  /** Rows already drawn in the current epoch. */
  public int position() {
    return position;
  }

  /** True when the current epoch has been fully drawn. */
  public boolean epochDone() {
    return position == rows;
  }

  /** Minibatches left before the current epoch ends. */
  public int batchesLeftInEpoch() {
    return (rows - position + batchSize - 1) / batchSize;
  }

  /** Minibatches per epoch. */
  public int batchesPerEpoch() {
    return (rows + batchSize - 1) / batchSize;
  }

  /** Examples drawn since construction. */
  public long visited() {
    return visited;
  }

  /** Number of rows. */
  public int rows() {
    return rows;
  }
}
