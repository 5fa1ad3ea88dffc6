package io.sparkvae.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShuffledBatchesTest {
  @Test
  void everyExampleIsVisitedExactlyOncePerEpochWithUnevenBatches() {
    int rows = 103;
    float[] x = new float[rows * 2];
    for (int i = 0; i < rows; i++) {
      x[2 * i] = i;
      x[2 * i + 1] = -i;
    }
    ShuffledBatches b = new ShuffledBatches(x, rows, 2, 10, 42);
    FloatBuffer buf = FloatBuffer.allocate(20);
    List<int[]> epochs = new ArrayList<>();
    for (int e = 0; e < 3; e++) {
      int[] count = new int[rows];
      List<Integer> sizes = new ArrayList<>();
      for (int s = 0; s < b.batchesPerEpoch(); s++) {
        buf.clear();
        int n = b.nextBatch(buf);
        sizes.add(n);
        for (int r = 0; r < n; r++) {
          int id = (int) buf.get(2 * r);
          assertEquals(-id, (int) buf.get(2 * r + 1), "row kept whole");
          count[id]++;
        }
      }
      assertEquals(11, sizes.size());
      assertEquals(3, sizes.get(10), "the remainder is the last batch of the epoch");
      int[] ones = new int[rows];
      Arrays.fill(ones, 1);
      assertEquals(Arrays.toString(ones), Arrays.toString(count), "epoch " + e);
      assertEquals(e, b.epoch());
      int[] order = new int[rows];
      for (int i = 0; i < rows; i++) {
        order[i] = b.orderAt(i);
      }
      epochs.add(order);
    }
    assertNotEquals(
        Arrays.toString(epochs.get(0)), Arrays.toString(epochs.get(1)), "reshuffled each epoch");
    assertEquals(3 * rows, b.visited());
  }
}
