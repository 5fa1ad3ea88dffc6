package io.sparkvae.model.averaging;

import static io.sparkvae.model.Allclose.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.train.TrainStats;
import io.sparkvae.model.train.TrainingState;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AveragingSumsTest {
  static float[] random(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian();
    }
    return a;
  }

  static TrainingState state(long seed, long step) {
    return new TrainingState(
        random(1000, seed), random(1000, seed + 1), random(1000, seed + 2), step);
  }

  @Test
  void oneReplicaAveragesToItselfExactly() {
    TrainingState s = state(1, 7);
    TrainingState avg = new AveragingSums().add(s, 256, true, TrainStats.EMPTY).average(s);
    assertArrayEquals(s.params(), avg.params());
    assertArrayEquals(s.adamM(), avg.adamM());
    assertArrayEquals(s.adamV(), avg.adamV());
    assertEquals(7, avg.step());
  }

  @Test
  void twoReplicasAverageToTheElementWiseMeanInAnyOrder() {
    TrainingState a = state(1, 10);
    TrainingState b = state(5, 10);
    AveragingSums left = new AveragingSums().add(a, 100, true, new TrainStats(5, 100, 1, 1, 1));
    AveragingSums right = new AveragingSums().add(b, 100, true, new TrainStats(7, 100, 1, 1, 1));
    TrainingState ab = new AveragingSums().merge(left).merge(right).average(a);
    TrainingState ba =
        new AveragingSums()
            .add(b, 100, true, TrainStats.EMPTY)
            .add(a, 100, true, TrainStats.EMPTY)
            .average(a);
    for (int i = 0; i < 1000; i++) {
      assertEquals((float) (((double) a.params()[i] + b.params()[i]) / 2), ab.params()[i]);
      assertEquals((float) (((double) a.adamV()[i] + b.adamV()[i]) / 2), ab.adamV()[i]);
    }
    assertArrayEquals(ab.params(), ba.params());
    assertEquals(12, new AveragingSums().merge(left).merge(right).stats().lossSum());
  }

  @Test
  void weightsAreHonouredAndLocalMomentsKept() {
    TrainingState a = state(1, 3);
    TrainingState b = state(9, 3);
    TrainingState avg =
        new AveragingSums()
            .add(a, 3, false, TrainStats.EMPTY)
            .add(b, 1, false, TrainStats.EMPTY)
            .average(a);
    for (int i = 0; i < 1000; i++) {
      assertClose(
          0.75 * a.params()[i] + 0.25 * b.params()[i], avg.params()[i], 1e-6, 1e-7, "param " + i);
    }
    assertArrayEquals(a.adamM(), avg.adamM(), "moments not averaged: the fallback's are kept");
  }

  @Test
  void aPartialSumWithoutMomentsTravelsWithoutThem() throws Exception {
    TrainingState s = state(5, 3);
    int with = serializedSize(new AveragingSums().add(s, 10, true, TrainStats.EMPTY));
    AveragingSums without = new AveragingSums().add(s, 10, false, TrainStats.EMPTY);
    int size = serializedSize(without);
    // 1000 floats of parameters, not 3000 of parameters and moments.
    assertTrue(
        size < 4000 + 1000 && with > 3 * 4000,
        "serialized " + size + " bytes without moments, " + with + " with");
    TrainingState fallback = state(9, 0);
    AveragingSums merged = new AveragingSums().merge(roundTrip(without));
    TrainingState avg = merged.average(fallback);
    assertArrayEquals(s.params(), avg.params());
    assertArrayEquals(fallback.adamM(), avg.adamM());
    assertArrayEquals(fallback.adamV(), avg.adamV());
    AveragingSums two =
        roundTrip(without).merge(new AveragingSums().add(state(6, 3), 30, false, TrainStats.EMPTY));
    float[] expected = new float[1000];
    float[] other = state(6, 3).params();
    for (int i = 0; i < expected.length; i++) {
      expected[i] = (float) ((10.0 * s.params()[i] + 30.0 * other[i]) / 40);
    }
    assertArrayEquals(expected, two.average(fallback).params());
  }

  private static int serializedSize(Object o) throws java.io.IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    return bytes.size();
  }

  private static AveragingSums roundTrip(AveragingSums sums) throws Exception {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
      out.writeObject(sums);
    }
    try (java.io.ObjectInputStream in =
        new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
      return (AveragingSums) in.readObject();
    }
  }

  @Test
  void emptyRoundIsAnError() {
    TrainingState a = state(1, 3);
    assertThrows(IllegalStateException.class, () -> new AveragingSums().average(a));
  }

  @Test
  void aDivergedReplicaIsCountedInAnyOrderAndBlocksTheAverage() {
    TrainingState a = state(1, 3);
    Divergence d1 = new Divergence(1, 4, Double.NaN, "minibatch loss is NaN");
    Divergence d2 = new Divergence(2, 5, Double.POSITIVE_INFINITY, "minibatch loss is Infinity");
    AveragingSums left = new AveragingSums().add(a, 10, true, TrainStats.EMPTY).addDiverged(d2);
    AveragingSums right = new AveragingSums().addDiverged(d1);
    for (AveragingSums s :
        new AveragingSums[] {
          new AveragingSums().merge(left).merge(right), new AveragingSums().merge(right).merge(left)
        }) {
      assertEquals(2, s.diverged());
      assertEquals(d1, s.firstDivergence(), "the lowest replica, whatever the order");
      assertEquals(1, s.replicas(), "a diverged replica adds no state");
      assertEquals(10, s.weight());
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.average(a));
      assertTrue(
          e.getMessage()
              .contains("replica on partition 1: minibatch loss is NaN at optimizer step 4"),
          e.getMessage());
    }
    assertEquals(0, new AveragingSums().add(a, 1, true, TrainStats.EMPTY).diverged());
    assertNull(new AveragingSums().firstDivergence());
  }

  @Test
  void firstNonFiniteNamesTheArrayAndIndex() {
    TrainingState s = state(1, 3);
    assertNull(s.firstNonFinite());
    s.adamV()[7] = Float.POSITIVE_INFINITY;
    assertEquals("adamV[7] = Infinity", s.firstNonFinite());
    s.params()[9] = Float.NaN;
    assertEquals("params[9] = NaN", s.firstNonFinite());
  }

  @Test
  void outerOptimizerWithoutMomentumIsPlainAveraging() {
    float[] prev = random(1000, 3);
    float[] avg = random(1000, 4);
    assertArrayEquals(avg, new OuterOptimizer(1.0, 0.0).step(prev, avg));
  }

  @Test
  void outerNesterovMomentumMatchesHandComputation() {
    OuterOptimizer opt = new OuterOptimizer(1.0, 0.5);
    float[] p0 = {1f};
    float[] p1 = opt.step(p0, new float[] {2f}); // delta 1, u 1, next 1 + (1 + 0.5) = 2.5
    assertEquals(2.5f, p1[0]);
    float[] p2 =
        opt.step(p1, new float[] {3f}); // delta 0.5, u 0.5*1+0.5 = 1, next 2.5 + 0.5 + 0.5 = 3.5
    assertEquals(3.5f, p2[0]);
    assertThrows(IllegalArgumentException.class, () -> new OuterOptimizer(1, 1));
  }
}
