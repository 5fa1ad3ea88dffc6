package io.sparkvae.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.util.CollectionAccumulator;
import org.junit.jupiter.api.Test;

class ExecutorJitTest {
  private final CollectionAccumulator<ExecutorJit.Reading> acc = new CollectionAccumulator<>();
  private final ExecutorJit jit = new ExecutorJit(acc);

  private void job(Object... executorAndSeconds) {
    jit.reset();
    for (int i = 0; i < executorAndSeconds.length; i += 2) {
      acc.add(
          new ExecutorJit.Reading(
              (String) executorAndSeconds[i], (Double) executorAndSeconds[i + 1]));
    }
    jit.collect();
  }

  @Test
  void anEpochCountsHowFarEachExecutorsCompilerTimeMovedSinceTheLastEpochsEnd() {
    assertTrue(Double.isNaN(jit.sinceLastCall()), "no executor has reported: local mode");
    // Warm-up: two tasks on executor 1 (in no particular order), one on executor 2.
    job("1", 7.0, "1", 6.0, "2", 3.0);
    // Epoch 1: two rounds.
    job("1", 8.0, "2", 4.5);
    job("2", 5.0, "1", 9.5);
    assertEquals((9.5 - 6.0) + (5.0 - 3.0), jit.sinceLastCall(), 1e-12);
    // Epoch 2: executor 2 lost; executor 3 joins, counted from its first reading.
    job("1", 10.0, "3", 4.0);
    job("1", 10.25, "3", 4.5);
    assertEquals((10.25 - 9.5) + (4.5 - 4.0), jit.sinceLastCall(), 1e-12);
    // Epoch 3: nothing new compiled.
    job("1", 10.25, "3", 4.5);
    assertEquals(0, jit.sinceLastCall());
  }
}
