package io.sparkvae.spark.train;

import static io.sparkvae.spark.train.TrainingListener.progressTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.averaging.OuterOptimizerKind;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.train.TrainingState;
import io.sparkvae.model.vae.LikelihoodKind;
import io.sparkvae.model.vae.ParamInit;
import io.sparkvae.model.vae.ParamLayout;
import io.sparkvae.spark.SparkTestSession;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Divergence policies, forced deterministically with learning rates far too large for the small
 * Bernoulli VAE of {@link DistributedTrainerTest} (12 inputs, 10 hidden, 3 latent, batches of 8).
 * Measured with its seed and this data: Adam's first update moves every parameter by about the
 * learning rate, so from about 1 upwards the second minibatch's loss is NaN or infinite (encoder
 * log-variances so large that their exp overflows); on 2 replicas of 32 rows with 4 steps per
 * round, 2.4 and 1.2 diverge in the first round and 0.6 stays finite. A learning rate of 1e39
 * overflows float32 in the very first update: parameters become infinite after a step whose loss
 * was finite.
 */
class DivergenceTest {
  static final int DIM = DistributedTrainerTest.DIM;
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("DivergenceTest");
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  static Dataset<Row> frame(int n) {
    float[] x = DistributedTrainerTest.rows(n, 7);
    List<Row> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double[] v = new double[DIM];
      for (int j = 0; j < DIM; j++) {
        v[j] = x[i * DIM + j];
      }
      list.add(RowFactory.create(Vectors.dense(v)));
    }
    return spark
        .createDataFrame(list, new StructType().add("features", new VectorUDT()))
        .repartition(2);
  }

  static VaeConfig withRate(double learningRate) {
    return DistributedTrainerTest.SMALL.toBuilder().learningRate(learningRate).build();
  }

  /** 2 replicas of 32 rows: 4 minibatches each per epoch, all in one round. */
  static DistributedConfig.Builder oneRoundPerEpoch() {
    return DistributedConfig.builder()
        .replicas(2)
        .averagingSteps(4)
        .epochs(3)
        .outerOptimizer(OuterOptimizerKind.NONE)
        // Every replica at the configured rate: the messages below name it.
        .scaleOut(ScaleOut.OFF);
  }

  @Test
  void failStopsWithTheRoundReplicaStepAndLossAndNotASparkFailure() {
    DistributedConfig dist = oneRoundPerEpoch().build();
    assertEquals(OnDivergence.FAIL, dist.divergencePolicy(), "the default policy");
    TrainingDivergedException e =
        assertThrows(
            TrainingDivergedException.class,
            () ->
                new DistributedTrainer(withRate(1e6), dist, "features")
                    .fit(TrainingRequest.of(frame(64))));
    // The replicas' NonFiniteLossException did not fail their Spark tasks (that would surface as a
    // SparkException wrapping it): the driver raised its own exception.
    assertNull(e.getCause());
    String msg = e.getMessage();
    assertTrue(
        msg.startsWith(
            "training diverged in epoch 1/3, round 1/3: replica on partition 0:"
                + " minibatch loss is NaN at optimizer step 2 (2 of 2 replicas diverged)"),
        msg);
    assertTrue(
        msg.contains("Lower learningRate (now 1000000.0) or set divergencePolicy=rollback"), msg);
    assertEquals(1, e.epoch());
    assertEquals(1, e.round());
    assertEquals(0, e.rollbacks());
  }

  @Test
  void aNonFiniteParameterAfterAFiniteLossIsCaughtByTheReplicasScan() {
    DistributedConfig dist = oneRoundPerEpoch().averagingSteps(1).build();
    TrainingDivergedException e =
        assertThrows(
            TrainingDivergedException.class,
            () ->
                new DistributedTrainer(withRate(1e39), dist, "features")
                    .fit(TrainingRequest.of(frame(64))));
    assertTrue(
        e.getMessage()
            .matches(
                "training diverged in epoch 1/3, round 1/12: replica on partition 0:"
                    + " params\\[\\d+\\] = -?(Infinity|NaN) after the update at optimizer step 1 \\(mean minibatch loss .*"),
        e.getMessage());
  }

  @Test
  void rollbackRedoesTheRoundWithHalfTheLearningRateUntilItStaysFinite() {
    DistributedConfig dist =
        oneRoundPerEpoch().divergencePolicy(OnDivergence.ROLLBACK).maxRollbacks(10).build();
    List<TrainingProgress> saved = new ArrayList<>();
    TrainingResult r =
        new DistributedTrainer(withRate(2.4), dist, "features")
            .fit(
                TrainingRequest.of(frame(64))
                    .from(new TrainingProgress(0, 0, initial(), null, List.of()))
                    .listener(progressTo(saved::add))
                    .progressEvery(1));
    assertEquals(2, r.rollbacks(), "2.4 and 1.2 diverge in the first round, 0.6 does not");
    assertEquals(0.6, r.finalLearningRate());
    assertEquals(2.4, r.config().learningRate(), "the result keeps the configuration as given");
    assertNull(r.state().firstNonFinite());
    assertEquals(3, r.history().size());
    assertEquals(3 * 4, r.state().step(), "a rolled-back round's steps are not counted twice");
    assertEquals(2, saved.get(2).rollbacks(), "checkpoints carry the rollbacks");

    // The redone round restarts from the round's start with the same noise (same round number),
    // so the run equals one that used the final learning rate from the start.
    TrainingResult direct =
        new DistributedTrainer(withRate(0.6), dist, "features").fit(TrainingRequest.of(frame(64)));
    assertEquals(0, direct.rollbacks());
    assertArrayEquals(direct.state().params(), r.state().params());
    // A run resumed after the rollbacks goes on with the halved learning rate.
    TrainingResult resumed =
        new DistributedTrainer(withRate(2.4), dist, "features")
            .fit(TrainingRequest.of(frame(64)).from(saved.get(0)));
    assertArrayEquals(r.state().params(), resumed.state().params());
    assertEquals(2, resumed.rollbacks());
  }

  @Test
  void rollbackFailsOnceMaxRollbacksAreSpent() {
    DistributedConfig none =
        oneRoundPerEpoch().divergencePolicy(OnDivergence.ROLLBACK).maxRollbacks(0).build();
    TrainingDivergedException e =
        assertThrows(
            TrainingDivergedException.class,
            () ->
                new DistributedTrainer(withRate(1e6), none, "features")
                    .fit(TrainingRequest.of(frame(64))));
    assertTrue(
        e.getMessage()
            .startsWith(
                "training diverged in epoch 1/3, round 1/3 after 0 rollbacks"
                    + " (maxRollbacks=0; learningRate now 1000000.0, configured 1000000.0): replica on partition 0:"),
        e.getMessage());
    DistributedConfig two = none.toBuilder().maxRollbacks(2).build();
    e =
        assertThrows(
            TrainingDivergedException.class,
            () ->
                new DistributedTrainer(withRate(1e6), two, "features")
                    .fit(TrainingRequest.of(frame(64))));
    assertTrue(
        e.getMessage()
            .contains(
                "after 2 rollbacks (maxRollbacks=2; learningRate now 250000.0, configured"
                    + " 1000000.0)"),
        e.getMessage());
    assertEquals(2, e.rollbacks());
  }

  @Test
  void aLossNotFiniteAtTheInitialParametersPointsAtTheInputScaleAndIsNotRolledBack() {
    List<Row> rows = new ArrayList<>();
    for (Row r : frame(64).collectAsList()) {
      rows.add(
          RowFactory.create(
              Vectors.dense(
                  java.util.Arrays.stream(((org.apache.spark.ml.linalg.Vector) r.get(0)).toArray())
                      .map(v -> v * 1e25)
                      .toArray())));
    }
    Dataset<Row> unscaled =
        spark
            .createDataFrame(rows, new StructType().add("features", new VectorUDT()))
            .repartition(2);
    VaeConfig gaussian =
        DistributedTrainerTest.SMALL.toBuilder().likelihood(LikelihoodKind.GAUSSIAN).build();
    DistributedConfig dist =
        oneRoundPerEpoch().divergencePolicy(OnDivergence.ROLLBACK).maxRollbacks(3).build();
    TrainingDivergedException e =
        assertThrows(
            TrainingDivergedException.class,
            () ->
                new DistributedTrainer(gaussian, dist, "features")
                    .fit(TrainingRequest.of(unscaled)));
    assertEquals(0, e.rollbacks(), "no rollback attempted in vain");
    assertTrue(
        e.getMessage().contains("at optimizer step 1")
            && e.getMessage().contains("at the initial parameters before any update")
            && e.getMessage().contains("standardise the features"),
        e.getMessage());
    assertTrue(!e.getMessage().contains("Lower learningRate"), e.getMessage());
  }

  @Test
  void aReplicaReportsItsDivergenceInsteadOfThrowing() {
    PackedShard shard = new PackedShard(DistributedTrainerTest.rows(32, 8), 32, DIM);
    ReplicaResult r =
        ReplicaRunner.run(
            new RoundInput("diverging", withRate(1e6), initial(), 0, 0, 0, 4, false, null),
            1,
            shard);
    assertNull(r.state());
    assertEquals(0, r.weight());
    assertNotNull(r.divergence());
    assertEquals(1, r.divergence().replica());
    assertEquals(2, r.divergence().step());
    assertTrue(Double.isNaN(r.divergence().loss()));
  }

  @Test
  void aRoundRunAgainWithLocalMomentsStartsFromTheSameMoments() {
    // A rolled-back (or retried) round must not start from the moments its discarded run left.
    PackedShard shard = new PackedShard(DistributedTrainerTest.rows(32, 9), 32, DIM);
    String run = "local-moments-redo";
    try {
      TrainingState first =
          ReplicaRunner.run(
                  new RoundInput(run, withRate(1e-2), initial(), 0, 0, 0, 2, true, null), 0, shard)
              .state();
      ReplicaResult redo =
          ReplicaRunner.run(
              new RoundInput(run, withRate(1e-2), initial(), 0, 0, 0, 2, true, null), 0, shard);
      assertArrayEquals(first.params(), redo.state().params());
      assertArrayEquals(first.adamV(), redo.state().adamV());
      // The next round goes on from the moments the round ended with.
      TrainingState next =
          ReplicaRunner.run(
                  new RoundInput(run, withRate(1e-2), first, 1, 0, 2, 2, true, null), 0, shard)
              .state();
      assertEquals(4, next.step());
      assertTrue(next.adamV()[0] != first.adamV()[0], "moments moved on");
    } finally {
      ReplicaRunner.forget(run);
    }
  }

  static TrainingState initial() {
    VaeConfig c = DistributedTrainerTest.SMALL;
    return TrainingState.initial(ParamInit.initialize(ParamLayout.of(c), c.seed()));
  }
}
