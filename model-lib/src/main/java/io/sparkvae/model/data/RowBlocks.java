package io.sparkvae.model.data;

import java.io.Serializable;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Rows of {@code dim} floats packed row-major into blocks of whole rows: every block but the last
 * holds {@code rowsPerBlock} rows, so row {@code r} is in block {@code r / rowsPerBlock} at {@code
 * (r % rowsPerBlock) * dim}. Why blocks: one {@code float[]} holds at most 2^31 values, so a single
 * array would bound a shard by Java's array index instead of by memory; with blocks, only the row
 * count (an {@code int}) and the memory are limits. Reading a row costs one division more than a
 * flat array; the values and the order rows are read in are the same.
 */
public final class RowBlocks implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Largest array length every JVM allows. */
  public static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

  private final float[][] blocks;
  private final int rowsPerBlock;
  private final int rows;
  private final int dim;

  /**
   * {@code rows} rows of {@code dim} values in {@code blocks} (not copied), {@code rowsPerBlock}
   * rows in each block but the last.
   */
  public RowBlocks(float[][] blocks, int rowsPerBlock, int rows, int dim) {
    if (rows < 0 || dim < 0 || rowsPerBlock < 1) {
      throw new IllegalArgumentException(
          "rows and dim must be >= 0 and rowsPerBlock >= 1, got "
              + rows
              + ", "
              + dim
              + ", "
              + rowsPerBlock);
    }
    if (blocks.length != blockCount(rows, rowsPerBlock)) {
      throw new IllegalArgumentException(
          rows
              + " rows in blocks of "
              + rowsPerBlock
              + " need "
              + blockCount(rows, rowsPerBlock)
              + " blocks, got "
              + blocks.length);
    }
    for (int b = 0; b < blocks.length; b++) {
      long need = Math.min(rowsPerBlock, rows - (long) b * rowsPerBlock) * dim;
      if (blocks[b].length < need) {
        throw new IllegalArgumentException(
            "block " + b + " holds " + blocks[b].length + " values, needs " + need);
      }
    }
    this.blocks = blocks;
    this.rowsPerBlock = rowsPerBlock;
    this.rows = rows;
    this.dim = dim;
  }

  /** The first {@code rows} rows of a flat row-major array, as one block (not copied). */
  public static RowBlocks of(float[] features, int rows, int dim) {
    if ((long) rows * dim > features.length) {
      throw new IllegalArgumentException(
          rows
              + " rows of "
              + dim
              + " features need "
              + (long) rows * dim
              + " values, have "
              + features.length);
    }
    return new RowBlocks(
        rows == 0 ? new float[0][] : new float[][] {features}, Math.max(1, rows), rows, dim);
  }

  /**
   * Whole rows of {@code dim} values that fit in a block of at most {@code blockValues} values (at
   * least one row, however long).
   */
  public static int rowsPerBlock(int dim, long blockValues) {
    return (int) Math.max(1, Math.min(MAX_ARRAY, blockValues / Math.max(1, dim)));
  }

  /** Blocks that {@code rows} rows need at {@code rowsPerBlock} rows a block. */
  public static int blockCount(long rows, int rowsPerBlock) {
    return Math.toIntExact((rows + rowsPerBlock - 1) / rowsPerBlock);
  }

  /** The block that holds row {@code row}. */
  public static int blockOf(long row, int rowsPerBlock) {
    return Math.toIntExact(row / rowsPerBlock);
  }

  /** Where row {@code row} starts in its block. */
  public static int offsetInBlock(long row, int rowsPerBlock, int dim) {
    return Math.toIntExact(row % rowsPerBlock * dim);
  }

  /** Appends row {@code row} to {@code dst}. */
  public void copyRow(int row, FloatBuffer dst) {
    dst.put(blocks[blockOf(row, rowsPerBlock)], offsetInBlock(row, rowsPerBlock, dim), dim);
  }

  /** Copies rows {@code from .. from + n - 1}, in order, into {@code dst} from {@code offset}. */
  public void copyRows(int from, int n, float[] dst, int offset) {
    int row = from;
    int at = offset;
    while (row < from + n) {
      int inBlock = Math.min(from + n - row, rowsPerBlock - row % rowsPerBlock);
      System.arraycopy(
          blocks[blockOf(row, rowsPerBlock)],
          offsetInBlock(row, rowsPerBlock, dim),
          dst,
          at,
          inBlock * dim);
      row += inBlock;
      at += inBlock * dim;
    }
  }

  /** Number of rows. */
  public int rows() {
    return rows;
  }

  /** Values per row. */
  public int dim() {
    return dim;
  }

  /** Rows in every block but the last. */
  public int rowsPerBlock() {
    return rowsPerBlock;
  }

  /** Number of blocks. */
  public int blockCount() {
    return blocks.length;
  }

  /** Values held: rows x dim (may exceed 2^31). */
  public long values() {
    return (long) rows * dim;
  }

  /**
   * Packs rows one by one: each row is written in place into the next free slot ({@link
   * #nextRowBlock}, {@link #nextRowOffset}) and kept by {@link #keepRow} (a slot not kept is reused
   * by the next row). The open block grows by doubling up to a full block, then a new one starts,
   * so packing holds at most one block more than the rows need.
   */
  public static final class Builder {
    private final int dim;
    private final int rowsPerBlock;
    private final List<float[]> full = new ArrayList<>();
    private float[] open = new float[0];
    private int rowsInOpen;
    private int rows;

    /** A builder of rows of {@code dim} values in blocks of at most {@code blockValues} values. */
    public Builder(int dim, long blockValues) {
      this.dim = dim;
      this.rowsPerBlock = rowsPerBlock(dim, blockValues);
    }

    /** The block the next row goes into, with room for it. */
    public float[] nextRowBlock() {
      if (rowsInOpen == rowsPerBlock) {
        full.add(open);
        open = new float[0];
        rowsInOpen = 0;
      }
      long need = (long) (rowsInOpen + 1) * dim;
      if (need > open.length) {
        long cap =
            Math.min((long) rowsPerBlock * dim, Math.max(need, Math.max(1024L, 2L * open.length)));
        open = Arrays.copyOf(open, Math.toIntExact(cap));
      }
      return open;
    }

    /** Where the next row starts in {@link #nextRowBlock}. */
    public int nextRowOffset() {
      return rowsInOpen * dim;
    }

    /** Keeps the row just written. */
    public void keepRow() {
      if (rows == MAX_ARRAY) {
        throw new IllegalStateException("more than " + MAX_ARRAY + " rows");
      }
      rowsInOpen++;
      rows++;
    }

    /** Rows kept so far. */
    public int rows() {
      return rows;
    }

    /** The rows kept, the open block trimmed to them. */
    public RowBlocks build() {
      List<float[]> blocks = new ArrayList<>(full);
      if (rowsInOpen > 0) {
        blocks.add(open.length == rowsInOpen * dim ? open : Arrays.copyOf(open, rowsInOpen * dim));
      }
      return new RowBlocks(blocks.toArray(new float[0][]), rowsPerBlock, rows, dim);
    }
  }
}
