package io.sparkvae.spark.ml;

import static io.sparkvae.spark.ml.VaeMlFixtures.DIM;
import static io.sparkvae.spark.ml.VaeMlFixtures.SMALL;
import static io.sparkvae.spark.ml.VaeMlFixtures.untrained;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkvae.spark.SparkTestSession;
import java.util.Arrays;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamsSuite;
import org.apache.spark.ml.util.MLTestingUtils;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Both stages against Spark's own ML test helpers from the {@code spark-mllib} test jar: {@code
 * ParamsSuite.checkParams} (params sorted by name, each owned by the stage and found by {@code
 * getParam}, {@code copy} returning the stage's class) and {@code MLTestingUtils.checkCopyAndUids}
 * (a fitted model has the estimator's uid and parent, kept by {@code copy}). The save/load side of
 * Spark's {@code DefaultReadWriteTest} is in {@link VaeReadWriteTest}.
 */
class SparkMlContractTest {
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("SparkMlContractTest");
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  @Test
  void bothStagesPassSparksCheckParams() {
    VaeEstimator est = new VaeEstimator();
    ParamsSuite.checkParams(est);
    ParamsSuite.checkParams(new VaeModel(untrained(SMALL, 1)));
    String[] names = Arrays.stream(est.params()).map(Param::name).toArray(String[]::new);
    String[] sorted = names.clone();
    Arrays.sort(sorted);
    assertEquals(Arrays.asList(sorted), Arrays.asList(names));
  }

  @Test
  void aFittedModelPassesSparksCheckCopyAndUids() {
    VaeEstimator est =
        new VaeEstimator()
            .setEncoderHidden(10)
            .setDecoderHidden(10)
            .setLatentDim(3)
            .setBatchSize(8)
            .setEpochs(1)
            .setReplicas(2);
    VaeModel model =
        est.fit(
            VaeMlFixtures.frame(
                spark, VaeMlFixtures.rows(32, 3), DIM, VaeMlFixtures.CellType.VECTOR, 2));
    MLTestingUtils.checkCopyAndUids(est, model);
    ParamsSuite.checkParams(model);
  }
}
