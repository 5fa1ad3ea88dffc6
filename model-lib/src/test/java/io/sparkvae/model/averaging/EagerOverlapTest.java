package io.sparkvae.model.averaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EagerOverlapTest {

  @Test
  void continuationAddsTheReplicasOwnProgressToTheNewestGlobal() {
    float[] start = {1.0f, -2.0f, 0.5f};
    float[] end = {1.25f, -2.5f, 0.5f};
    float[] known = {0.0f, 4.0f, -1.0f};
    // known + (end - start), by hand: 0 + 0.25, 4 - 0.5, -1 + 0
    assertArrayEquals(
        new float[] {0.25f, 3.5f, -1.0f}, EagerOverlap.continuation(end, known, start));
  }

  @Test
  void aReplicaThatStartedFromTheNewestGlobalContinuesFromItsEndBitForBit() {
    SplittableRandom rnd = new SplittableRandom(7);
    float[] start = new float[10_000];
    float[] end = new float[start.length];
    for (int i = 0; i < start.length; i++) {
      start[i] = (float) rnd.nextGaussian() * (i % 7 == 0 ? 1e-30f : 3f);
      end[i] = (float) (start[i] + rnd.nextGaussian() * 1e-3);
    }
    end[0] = -0.0f;
    float[] c = EagerOverlap.continuation(end, start.clone(), start);
    for (int i = 0; i < c.length; i++) {
      assertEquals(Float.floatToRawIntBits(end[i]), Float.floatToRawIntBits(c[i]), "at " + i);
    }
    // end + (known - start) would turn this -0 into +0 (-0 + +0 = +0): the continuation keeps it.
    assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(c[0]));
  }

  @Test
  void mismatchedLengthsAreRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> EagerOverlap.continuation(new float[2], new float[3], new float[2]));
    assertEquals("parameter counts differ: end 2, known 3, start 2", e.getMessage());
  }
}
