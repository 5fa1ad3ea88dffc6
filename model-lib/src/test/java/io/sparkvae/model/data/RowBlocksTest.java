package io.sparkvae.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.train.ShuffledBatches;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Rows in blocks read exactly as the same rows in one array, and their index math is in longs. */
class RowBlocksTest {
  private static final int DIM = 7;

  /**
   * {@code rows} rows packed through the builder in blocks of at most {@code blockValues} values.
   */
  private static RowBlocks blocked(float[] flat, int rows, long blockValues) {
    RowBlocks.Builder b = new RowBlocks.Builder(DIM, blockValues);
    for (int r = 0; r < rows; r++) {
      float[] block = b.nextRowBlock();
      System.arraycopy(flat, r * DIM, block, b.nextRowOffset(), DIM);
      b.keepRow();
    }
    return b.build();
  }

  private static float[] random(int rows, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[rows * DIM];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextDouble();
    }
    return x;
  }

  @Test
  void blocksHoldWholeRowsAndReadBackAsTheFlatArray() {
    int rows = 53;
    float[] flat = random(rows, 1);
    RowBlocks split = blocked(flat, rows, 5 * DIM + 3); // 5 rows a block: 11 blocks, the last of 3
    assertEquals(5, split.rowsPerBlock());
    assertEquals(11, split.blockCount());
    float[] all = new float[rows * DIM];
    split.copyRows(0, rows, all, 0);
    assertArrayEquals(flat, all);
    float[] some = new float[9 * DIM];
    split.copyRows(13, 9, some, 0); // from the middle of one block across two more
    assertArrayEquals(java.util.Arrays.copyOfRange(flat, 13 * DIM, 22 * DIM), some);
    FloatBuffer row = FloatBuffer.allocate(DIM);
    split.copyRow(52, row);
    assertArrayEquals(java.util.Arrays.copyOfRange(flat, 52 * DIM, 53 * DIM), row.array());
  }

  @Test
  void shuffledMinibatchesOverBlocksAreThoseOverOneArray() {
    int rows = 41;
    float[] flat = random(rows, 2);
    ShuffledBatches one = new ShuffledBatches(flat, rows, DIM, 8, 99);
    ShuffledBatches split = new ShuffledBatches(blocked(flat, rows, 3 * DIM), 8, 99);
    FloatBuffer a = FloatBuffer.allocate(8 * DIM);
    FloatBuffer b = FloatBuffer.allocate(8 * DIM);
    for (int step = 0; step < 20; step++) { // four epochs and a bit, each reshuffled
      a.clear();
      b.clear();
      assertEquals(one.nextBatch(a), split.nextBatch(b));
      assertArrayEquals(a.array(), b.array(), "minibatch " + step);
    }
  }

  @Test
  void aShardOfMoreThan2To31ValuesIsAddressedInLongs() {
    // 3,000,000 rows of 1,000: 3e9 values, beyond one array (2^31 - 9) but not beyond blocks.
    long rows = 3_000_000;
    int dim = 1_000;
    int perBlock = RowBlocks.rowsPerBlock(dim, 1L << 24);
    assertEquals(16_777, perBlock);
    assertTrue(rows * dim > Integer.MAX_VALUE);
    assertEquals(179, RowBlocks.blockCount(rows, perBlock));
    long last = rows - 1;
    int block = RowBlocks.blockOf(last, perBlock);
    int offset = RowBlocks.offsetInBlock(last, perBlock, dim);
    assertEquals(178, block);
    assertEquals(last, (long) block * perBlock + offset / dim, "block and offset name the row");
    assertTrue(offset + dim <= (long) perBlock * dim, "the row ends inside its block");
    assertTrue((long) perBlock * dim <= RowBlocks.MAX_ARRAY, "a block is one array");
    // The first row of the last block, whose flat index 2,986,306,000 overflows an int.
    long first = 178L * perBlock;
    assertTrue(first * dim > Integer.MAX_VALUE);
    assertEquals(0, RowBlocks.offsetInBlock(first, perBlock, dim));
    // A row longer than a block gets a block of its own.
    assertEquals(1, RowBlocks.rowsPerBlock(5_000, 1_000));
  }

  @Test
  void blocksTooSmallForTheirRowsAreRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new RowBlocks(new float[][] {new float[10], new float[3]}, 2, 4, 5));
    assertEquals("block 1 holds 3 values, needs 10", e.getMessage());
  }
}
