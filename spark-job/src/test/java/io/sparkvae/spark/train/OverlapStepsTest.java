package io.sparkvae.spark.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.averaging.OuterOptimizerKind;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.train.TrainingState;
import io.sparkvae.spark.SparkTestSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Steps run ahead while the driver averages ({@code overlapSteps}, {@link RunAhead}). */
class OverlapStepsTest {
  private static final VaeConfig SMALL = DistributedTrainerTest.SMALL;
  private static final int DIM = DistributedTrainerTest.DIM;
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("OverlapStepsTest");
    DistributedTrainerTest.spark = spark;
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  private static RoundInput round(
      String run, TrainingState global, long round, int stepInEpoch, int steps) {
    return new RoundInput(run, SMALL, global, round, 0, stepInEpoch, steps, true, null, true);
  }

  @Test
  void stepsRunAheadOfTheRoundThatSentTheGlobalStateAreTheRoundsOwnFirstSteps() {
    // One replica whose state is the global one (one replica, plain averaging): moving its steps
    // ahead onto the global state moves them by nothing, so the next round ends with the bits of a
    // round run without steps ahead.
    PackedShard shard = new PackedShard(DistributedTrainerTest.rows(64, 21), 64, DIM);
    String ahead = "ahead-exact";
    String plain = "plain-exact";
    try {
      long before = RunAhead.taken();
      TrainingState sent =
          ReplicaRunner.run(
                  round(ahead, DistributedTrainerTest.initial(), 0, 0, 3)
                      .withOverlap(new RoundInput.Overlap(0, 2, SMALL, false)),
                  0,
                  shard)
              .state();
      ReplicaResult next =
          ReplicaRunner.run(
              round(ahead, sent, 1, 3, 3).withOverlap(new RoundInput.Overlap(2, 0, null, false)),
              0,
              shard);
      assertEquals(before + 1, RunAhead.taken(), "the second round found its steps ahead");

      TrainingState first =
          ReplicaRunner.run(round(plain, DistributedTrainerTest.initial(), 0, 0, 3), 0, shard)
              .state();
      assertArrayEquals(first.params(), sent.params());
      ReplicaResult second = ReplicaRunner.run(round(plain, first, 1, 3, 3), 0, shard);
      assertArrayEquals(second.state().params(), next.state().params());
      assertArrayEquals(second.state().adamM(), next.state().adamM());
      assertArrayEquals(second.state().adamV(), next.state().adamV());
      assertEquals(6, next.state().step());
      assertEquals(second.weight(), next.weight(), "the steps ahead count as the round's examples");
    } finally {
      ReplicaRunner.forget(ahead);
      ReplicaRunner.forget(plain);
    }
  }

  @Test
  void aRoundThatFindsNoStepsAheadRunsFromTheGlobalState() {
    // As a task on a new executor would: the round expects steps ahead, none are here.
    PackedShard shard = new PackedShard(DistributedTrainerTest.rows(64, 22), 64, DIM);
    String missing = "ahead-missing";
    String plain = "plain-missing";
    try {
      long before = RunAhead.taken();
      ReplicaResult fallback =
          ReplicaRunner.run(
              round(missing, DistributedTrainerTest.initial(), 1, 3, 3)
                  .withOverlap(new RoundInput.Overlap(2, 0, null, false)),
              0,
              shard);
      assertEquals(before, RunAhead.taken());
      ReplicaResult sync =
          ReplicaRunner.run(round(plain, DistributedTrainerTest.initial(), 1, 3, 3), 0, shard);
      assertArrayEquals(sync.state().params(), fallback.state().params());
      assertEquals(sync.weight(), fallback.weight());
    } finally {
      ReplicaRunner.forget(missing);
      ReplicaRunner.forget(plain);
    }
  }

  @Test
  void oneReplicaRunningAheadEndsWithTheParametersOfOneThatDoesNot() {
    float[] x = DistributedTrainerTest.rows(75, 23); // 10 minibatches of 8 per epoch
    DistributedConfig.Builder b = oneReplicaOfRoundsOf4().epochs(2);
    long before = RunAhead.taken();
    TrainingResult ahead =
        new DistributedTrainer(SMALL, b.overlapSteps(2).build(), "features")
            .fit(TrainingRequest.of(DistributedTrainerTest.frame(x, 1)));
    // Rounds of 4, 4 and 2 steps per epoch: steps ahead before the second and the third of each
    // epoch, and, nothing keeping the progress at the first epoch's end, before the second epoch's
    // first round (the start of that epoch's shuffle).
    assertEquals(before + 5, RunAhead.taken());
    TrainingResult plain =
        new DistributedTrainer(SMALL, b.overlapSteps(0).build(), "features")
            .fit(TrainingRequest.of(DistributedTrainerTest.frame(x, 1)));
    assertArrayEquals(plain.state().params(), ahead.state().params());
    assertEquals(plain.state().step(), ahead.state().step());
    assertEquals(plain.history().get(1).trainNegElbo(), ahead.history().get(1).trainNegElbo());
  }

  @Test
  void aRunResumedFromAnEpochEndContinuesExactlyWithStepsAhead() {
    // Two replicas: steps run ahead from a replica's own state end elsewhere than steps from the
    // global state, so a checkpoint at an epoch's end that steps ahead crossed could not be resumed
    // exactly.
    float[] x = DistributedTrainerTest.rows(160, 25);
    DistributedConfig dist =
        DistributedConfig.builder()
            .replicas(2)
            .averagingSteps(4)
            .epochs(3)
            .adamState(AdamState.LOCAL)
            .overlapSteps(2)
            .build();
    List<TrainingProgress> kept = new ArrayList<>();
    TrainingResult whole =
        new DistributedTrainer(SMALL, dist, "features")
            .fit(
                TrainingRequest.of(DistributedTrainerTest.frame(x, 2))
                    .listener(TrainingListener.progressTo(kept::add)));
    assertEquals(3, kept.size(), "one progress report per epoch");
    TrainingResult resumed =
        new DistributedTrainer(SMALL, dist, "features")
            .fit(
                TrainingRequest.of(DistributedTrainerTest.frame(x, 2))
                    .from(kept.get(0))
                    .listener(TrainingListener.progressTo(p -> {})));
    assertArrayEquals(whole.state().params(), resumed.state().params());
    assertEquals(whole.history().get(2).trainNegElbo(), resumed.history().get(2).trainNegElbo());
  }

  private static DistributedConfig.Builder oneReplicaOfRoundsOf4() {
    return DistributedConfig.builder()
        .replicas(1)
        .averagingSteps(4)
        .adamState(AdamState.LOCAL)
        .outerOptimizer(OuterOptimizerKind.NONE);
  }

  @Test
  void twoReplicasRunningAheadLearnAndEndElsewhereThanSynchronousRounds() {
    float[] x = DistributedTrainerTest.rows(200, 24);
    DistributedConfig.Builder b =
        DistributedConfig.builder()
            .replicas(2)
            .averagingSteps(4)
            .epochs(3)
            .adamState(AdamState.LOCAL);
    long before = RunAhead.taken();
    TrainingResult ahead =
        new DistributedTrainer(SMALL, b.overlapSteps(1).build(), "features")
            .fit(TrainingRequest.of(DistributedTrainerTest.frame(x, 2)));
    assertTrue(RunAhead.taken() > before, "rounds took steps run ahead");
    TrainingResult plain =
        new DistributedTrainer(SMALL, b.overlapSteps(0).build(), "features")
            .fit(TrainingRequest.of(DistributedTrainerTest.frame(x, 2)));
    assertFalse(Arrays.equals(plain.state().params(), ahead.state().params()));
    double first = ahead.history().get(0).trainNegElbo();
    double last = ahead.history().get(2).trainNegElbo();
    assertTrue(last < first, "train -ELBO " + first + " -> " + last);
    double sync = plain.history().get(2).trainNegElbo();
    assertTrue(
        Math.abs(last - sync) < 0.05 * sync,
        "with steps ahead " + last + " against " + sync + " without");
  }

  @Test
  void moreStepsAheadThanARoundHasAreRefusedNamingBothSettings() {
    DistributedConfig dist =
        DistributedConfig.builder().replicas(1).averagingSteps(4).overlapSteps(4).build();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new DistributedTrainer(SMALL, dist, "features")
                    .fit(
                        TrainingRequest.of(
                            DistributedTrainerTest.frame(DistributedTrainerTest.rows(16, 1), 1))));
    assertTrue(
        e.getMessage().startsWith("overlapSteps (4) must be less than averagingSteps (4)"),
        e.getMessage());
  }
}
