package io.sparkvae.model.averaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.config.VaeConfig;
import org.junit.jupiter.api.Test;

/** The settings a run derives from (N, R, B), computed by hand. */
class ScaleOutPlanTest {
  private static final VaeConfig PYRO =
      VaeConfig.builder().inputDim(784).batchSize(256).learningRate(1e-3).build();

  private static ScaleOutPlan plan(
      int replicas, long shardRows, int replicaBatch, int warmup, boolean derive) {
    return ScaleOutPlan.derive(
        new ScaleOutPlan.Request(
            PYRO,
            replicas,
            shardRows,
            50,
            replicaBatch,
            warmup,
            derive,
            OuterOptimizerKind.NESTEROV,
            1.0,
            0.7,
            true));
  }

  @Test
  void oneReplicaTrainsWithTheConfigurationAsGiven() {
    ScaleOutPlan p = plan(1, 600_000, 0, -1, true);
    assertEquals(PYRO, p.config());
    assertEquals(0, p.warmupRounds());
    assertEquals(47, p.roundsPerEpoch()); // ceil(600000 / 256) = 2344 steps, 50 per round
    assertTrue(p.reasons().isEmpty() && p.warnings().isEmpty());
  }

  @Test
  void replicasShareTheGlobalMinibatchSoARoundIsWorthAsManySingleProcessSteps() {
    // 8 replicas of 75,000 rows: 256 / 8 = 32 per replica, the global minibatch stays 256.
    ScaleOutPlan p = plan(8, 75_000, 0, -1, true);
    assertEquals(32, p.config().batchSize());
    assertEquals(1e-3, p.config().learningRate());
    assertEquals(0, p.warmupRounds());
    assertEquals(
        47, p.roundsPerEpoch()); // ceil(75000 / 32) = 2344 steps: as many rounds as one process
    // 2 replicas: 128 each.
    assertEquals(128, plan(2, 300_000, 0, -1, true).config().batchSize());
  }

  @Test
  void belowTheSmallestReplicaBatchTheRateScalesWithTheSquareRootOfTheGlobalBatchAfterAWarmUp() {
    // 16 replicas: 256 / 16 = 16 < 32, so 32 each, global 512 = 2 x 256: rate x sqrt(2).
    ScaleOutPlan p = plan(16, 37_500, 0, -1, true);
    assertEquals(32, p.config().batchSize());
    assertEquals(1e-3 * Math.sqrt(2), p.config().learningRate(), 1e-15);
    assertEquals(24, p.roundsPerEpoch()); // ceil(37500 / 32) = 1172 steps
    assertEquals(6, p.warmupRounds()); // a quarter epoch
    // Linear warm-up: round r < 6 at (r + 1) / 7 of the rate, then the rate itself.
    assertEquals(p.config().learningRate() / 7, p.configForRound(0).learningRate(), 1e-18);
    assertEquals(p.config().learningRate() * 6 / 7, p.configForRound(5).learningRate(), 1e-18);
    assertSame(p.config(), p.configForRound(6));
    assertEquals(32, p.configForRound(0).batchSize());
    // 32 replicas: 32 each, global 1024 = 4 x 256: rate x 2, 586 steps, 12 rounds, 3 warm-up
    // rounds.
    ScaleOutPlan r32 = plan(32, 18_750, 0, -1, true);
    assertEquals(32, r32.config().batchSize());
    assertEquals(2e-3, r32.config().learningRate(), 1e-15);
    assertEquals(12, r32.roundsPerEpoch());
    assertEquals(3, r32.warmupRounds());
    // A configured batchSize below the floor is kept as it is (one replica's worth, never more).
    VaeConfig small = PYRO.toBuilder().batchSize(8).build();
    assertEquals(
        8,
        ScaleOutPlan.derive(
                new ScaleOutPlan.Request(
                    small, 2, 100, 50, 0, -1, true, OuterOptimizerKind.NESTEROV, 1.0, 0.7, true))
            .config()
            .batchSize());
  }

  @Test
  void aKlWarmupSetOnThePlanReachesEveryRoundAndItsReasonIsLogged() {
    ScaleOutPlan p =
        plan(8, 75_000, 0, -1, true).withKlWarmupSteps(1234, "klWarmupSteps 1234: derived");
    assertEquals(1234, p.config().klWarmupSteps());
    assertEquals(1234, p.configForRound(0).klWarmupSteps());
    assertEquals(32, p.config().batchSize(), "the rest of the plan is kept");
    assertTrue(p.describe().endsWith("; klWarmupSteps 1234: derived"), p.describe());
  }

  @Test
  void everyDerivedSettingCanBeOverridden() {
    ScaleOutPlan p = plan(32, 18_750, 64, 0, true);
    assertEquals(64, p.config().batchSize());
    assertEquals(1e-3 * Math.sqrt(8), p.config().learningRate(), 1e-15);
    assertEquals(0, p.warmupRounds());
    ScaleOutPlan off = plan(8, 75_000, 0, -1, false);
    assertEquals(PYRO, off.config(), "derive=false: batchSize per replica, the rate as configured");
    assertEquals(0, off.warmupRounds());
    assertEquals(6, off.roundsPerEpoch());
  }

  @Test
  void tooFewRoundsPerEpochDrawAWarningThatSaysWhatToChange() {
    // 32 replicas of 18,750 rows at 256 each: ceil(18750 / 256) = 74 steps, 2 rounds of 50.
    ScaleOutPlan p = plan(32, 18_750, 256, 0, true);
    assertEquals(2, p.roundsPerEpoch());
    assertEquals(1, p.warnings().size());
    assertTrue(
        p.warnings()
            .get(0)
            .startsWith(
                "only 2 averaging rounds per epoch (18750 rows per replica, minibatches"
                    + " of 256, averagingSteps 50): too few outer steps to learn well; lower averagingSteps (e.g. to 18)"),
        p.warnings().get(0));
    // The quickstart: 2 replicas of 30,000 MNIST rows at 128: 235 steps, 5 rounds: no warning.
    assertTrue(plan(2, 30_000, 0, -1, true).warnings().isEmpty());
  }

  @Test
  void theOuterStepIsTheReplaceablePieceOfTheAlgorithm() {
    assertSame(
        OuterStep.AVERAGE,
        ScaleOutPlan.derive(
                new ScaleOutPlan.Request(
                    PYRO, 2, 100, 50, 0, -1, true, OuterOptimizerKind.NONE, 1.0, 0.7, true))
            .outerStep());
    OuterStep nesterov = plan(2, 100, 0, -1, true).outerStep();
    // Hand-computed: u = 0.7 * 0 + (3 - 1) = 2, next = 1 + 1.0 * (2 + 0.7 * 2) = 4.4.
    assertArrayEquals(new float[] {4.4f}, nesterov.step(new float[] {1f}, new float[] {3f}));
    assertArrayEquals(new float[] {2f}, nesterov.state());
    float[] avg = {5f};
    assertSame(avg, OuterStep.AVERAGE.step(new float[] {1f}, avg));
  }
}
