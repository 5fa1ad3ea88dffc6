package io.sparkvae.spark.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.averaging.OuterOptimizerKind;
import io.sparkvae.model.config.VaeConfig;
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
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Replicas kept on their executors between rounds train exactly the bits of replicas built every
 * round.
 */
class ReplicaCacheTest {
  static final int DIM = DistributedTrainerTest.DIM;
  static final VaeConfig SMALL = DistributedTrainerTest.SMALL;
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("ReplicaCacheTest");
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.conf().unset(ReplicaCache.ENABLED_CONF);
      spark.stop();
    }
  }

  static Dataset<Row> frame(float[] x) {
    List<Row> list = new ArrayList<>();
    for (int i = 0; i < x.length / DIM; i++) {
      double[] v = new double[DIM];
      for (int j = 0; j < DIM; j++) {
        v[j] = x[i * DIM + j];
      }
      list.add(RowFactory.create(i, Vectors.dense(v)));
    }
    StructType schema =
        new StructType().add("id", DataTypes.IntegerType).add("features", new VectorUDT());
    return spark.createDataFrame(list, schema).repartition(3);
  }

  private TrainingResult fit(DistributedConfig dist, boolean keep, float[] x) {
    spark.conf().set(ReplicaCache.ENABLED_CONF, Boolean.toString(keep));
    return new DistributedTrainer(SMALL, dist, "features").fit(TrainingRequest.of(frame(x)));
  }

  /**
   * @param arraysPerState the float arrays of the model's size a round moves per state: 3 with
   *     averaged moments (parameters and both moments), 1 with local ones (parameters only)
   */
  private void sameBitsWithAndWithout(DistributedConfig dist, int arraysPerState) {
    float[] x = DistributedTrainerTest.rows(150, 11);
    long hits = ReplicaCache.hits();
    TrainingResult kept = fit(dist, true, x);
    long keptHits = ReplicaCache.hits() - hits;
    assertEquals(0, ReplicaCache.size(), "the run's end closes its kept replicas");
    TrainingResult rebuilt = fit(dist, false, x);
    assertEquals(keptHits, ReplicaCache.hits() - hits, "no replica kept with the cache off");
    // 75 rows per shard in minibatches of 8: 10 per epoch, 4 rounds of 3 (the last of 1), 8 rounds;
    // every round of each replica finds it kept, the first one built by the warm-up (rounds of the
    // rate's warm-up change only the rate).
    assertEquals(2 * 8, keptHits, "rounds that found their replica kept");
    assertArrayEquals(rebuilt.state().params(), kept.state().params());
    assertArrayEquals(rebuilt.state().adamM(), kept.state().adamM());
    assertArrayEquals(rebuilt.state().adamV(), kept.state().adamV());
    assertEquals(rebuilt.state().step(), kept.state().step());
    for (int e = 0; e < rebuilt.history().size(); e++) {
      assertEquals(
          rebuilt.history().get(e).trainNegElbo(), kept.history().get(e).trainNegElbo(), 0.0);
    }
    // The broadcast and two replicas' results, each arraysPerState arrays, plus at most 20 %
    // framing.
    long floats = 3L * arraysPerState * ParamLayout.of(SMALL).totalSize();
    long bytes = kept.history().get(0).roundPayloadBytes();
    assertTrue(
        bytes >= 4 * floats && bytes < 4 * floats * 1.2,
        bytes + " bytes per round, " + floats + " floats");
  }

  @Test
  void averagedMomentsWithWarmupAndOuterMomentum() {
    sameBitsWithAndWithout(
        DistributedConfig.builder()
            .replicas(2)
            .averagingSteps(3)
            .epochs(2)
            .warmupRounds(3)
            .scaleOut(ScaleOut.OFF)
            .build(),
        3);
  }

  @Test
  void localMoments() {
    sameBitsWithAndWithout(
        DistributedConfig.builder()
            .replicas(2)
            .averagingSteps(3)
            .epochs(2)
            .adamState(AdamState.LOCAL)
            .outerOptimizer(OuterOptimizerKind.NONE)
            .scaleOut(ScaleOut.OFF)
            .build(),
        1);
  }
}
