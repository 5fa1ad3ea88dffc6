package io.sparkvae.spark.ml;

import static io.sparkvae.spark.ml.VaeMlFixtures.DIM;
import static io.sparkvae.spark.ml.VaeMlFixtures.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.format.TrainedVae;
import io.sparkvae.model.vae.ParamInit;
import io.sparkvae.model.vae.ParamLayout;
import io.sparkvae.spark.SparkTestSession;
import io.sparkvae.spark.ml.VaeMlFixtures.CellType;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** fit: the config snapshot, the trainer, the fitted model's params, parent and history. */
class VaeEstimatorTest {
  static SparkSession spark;
  static float[] x;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("VaeEstimatorTest");
    x = VaeMlFixtures.rows(48, 9);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  static VaeEstimator small() {
    return new VaeEstimator()
        .setEncoderHidden(10)
        .setDecoderHidden(10)
        .setLatentDim(3)
        .setBatchSize(8)
        .setLearningRate(5e-3)
        .setSeed(3)
        .setEpochs(2)
        .setReplicas(2)
        .setAveragingSteps(2);
  }

  @Test
  void fitTrainsTakesInputDimFromTheDataAndCopiesParams() {
    VaeEstimator est = small().setFeaturesCol("features").setNegElboCol("score").setScoreSeed(4);
    Dataset<Row> df = frame(spark, x, DIM, CellType.FLOAT_ARRAY, 2);
    VaeModel model = est.fit(df);

    assertEquals(est.uid(), model.uid());
    assertSame(est, model.parent());
    assertEquals(DIM, model.getInputDim(), "from the first row: array columns carry no size");
    assertEquals(3, model.getLatentDim());
    assertEquals("score", model.getNegElboCol());
    assertEquals(4L, model.getScoreSeed());
    assertEquals(2, model.getEpochs());
    VaeConfig config = model.vaeConfig();
    assertEquals(DIM, config.inputDim());
    assertArrayEquals(new int[] {10}, config.encoderHidden());
    assertEquals(3, config.seed());

    // Trained: the parameters moved away from their initialization, and the history says how.
    float[] initial = ParamInit.initialize(ParamLayout.of(config), config.seed());
    assertFalse(Arrays.equals(initial, model.trainedVae().params()));
    assertEquals(2, model.trainingHistory().size());
    assertEquals(2, model.trainingHistory().get(1).epoch());
    assertEquals(48, model.trainingHistory().get(1).examples());
    TrainedVae trained = model.trainedVae();
    assertEquals(model.trainingHistory(), TrainingHistory.fromMetadata(trained.metadata()));
    assertEquals("2", trained.metadata().get("epochs"));
    assertEquals("2", trained.metadata().get("replicas"));
    assertEquals(VaeEstimator.class.getName(), trained.metadata().get("trainedBy"));

    List<Row> out = model.transform(df).collectAsList();
    assertEquals(48, out.size());
    for (Row r : out) {
      double score = r.getAs("score");
      assertTrue(Double.isFinite(score) && score > 0, "a negative ELBO in nats: " + score);
    }

    long bytes = 4L * ParamLayout.of(config).totalSize();
    assertEquals(bytes, model.estimatedSize());
    assertEquals(bytes, est.estimateModelSize(df));

    // Same data, partitioning and seed: the same model.
    assertArrayEquals(trained.params(), est.fit(df).trainedVae().params());
  }

  @Test
  void vectorColumnsWithAnMlAttributeGiveTheirSize() {
    Dataset<Row> df = frame(spark, x, DIM, CellType.VECTOR, 2);
    Dataset<Row> sized =
        df.withColumn(
            "features",
            df.col("features").as("features", new AttributeGroup("features", DIM).toMetadata()));
    VaeModel model = small().setEpochs(1).fit(sized);
    assertEquals(DIM, model.getInputDim());
    // The model checks the attribute of the data it transforms before running anything.
    Dataset<Row> wrong =
        df.withColumn(
            "features",
            df.col("features")
                .as("features", new AttributeGroup("features", DIM + 1).toMetadata()));
    assertEquals(
        "features column 'features' has vectors of size 13 but the model expects 12",
        assertThrows(IllegalArgumentException.class, () -> model.transform(wrong)).getMessage());
  }

  @Test
  void fitRefusesDataItCannotTrainOn() {
    Dataset<Row> allNull =
        frame(spark, Arrays.copyOf(x, 3 * DIM), DIM, CellType.VECTOR, 1, 0, 1, 2);
    assertEquals(
        "features column 'features' has no non-null rows to train on",
        assertThrows(IllegalArgumentException.class, () -> small().fit(allNull)).getMessage());

    Dataset<Row> someNull = frame(spark, x, DIM, CellType.VECTOR, 2, 5);
    String msg =
        assertThrows(IllegalArgumentException.class, () -> small().fit(someNull)).getMessage();
    assertTrue(
        msg.startsWith("features column 'features' of the training data has 1 bad rows: 1 null"),
        msg);

    // inputDim set through Spark's generic setter (the command line's --input-dim, or a loaded
    // estimator) is a contract, as on the command line: rows of another size are bad rows.
    VaeEstimator est = small();
    IntParam inputDim = (IntParam) (Param<?>) est.getParam("inputDim");
    est.set(inputDim, 10);
    msg =
        assertThrows(
                IllegalArgumentException.class,
                () -> est.fit(frame(spark, x, DIM, CellType.FLOAT_ARRAY, 1)))
            .getMessage();
    assertTrue(
        msg.startsWith(
            "features column 'features' of the training data has 48 bad rows: 0 null, 48 not of size 10,"),
        msg);
  }

  @Test
  void checkpointsAndResumeAreEstimatorParamsAndAResumedFitEndsWithTheUninterruptedParameters(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws java.io.IOException {
    Dataset<Row> df = frame(spark, x, DIM, CellType.VECTOR, 2);
    VaeModel straight = small().setEpochs(2).fit(df);
    String ck = tmp.resolve("ck").toString();
    String metrics = tmp.resolve("m.jsonl").toString();
    small().setEpochs(1).setCheckpointDir(ck).setMetricsOut(metrics).fit(df);
    assertEquals(1, java.nio.file.Files.readAllLines(java.nio.file.Path.of(metrics)).size());
    // Another run in the same folder is refused unless it resumes (or shares the folder).
    IllegalArgumentException other =
        assertThrows(
            IllegalArgumentException.class,
            () -> small().setEpochs(2).setCheckpointDir(ck).fit(df));
    assertTrue(other.getMessage().contains("holds checkpoints of another run"), other.getMessage());
    VaeModel resumed =
        small().setEpochs(2).setCheckpointDir(ck).setResume(true).setMetricsOut(metrics).fit(df);
    assertArrayEquals(straight.trainedVae().params(), resumed.trainedVae().params());
    assertEquals(2, resumed.trainingHistory().size());
    assertEquals(
        straight.trainingHistory().get(1).trainNegElbo(),
        resumed.trainingHistory().get(1).trainNegElbo());
    assertEquals(
        2,
        java.nio.file.Files.readAllLines(java.nio.file.Path.of(metrics)).size(),
        "the resumed run's file holds the checkpoint's epoch and its own");
    assertTrue(resumed.getResume());
    assertEquals(ck, resumed.getCheckpointDir());
    assertEquals(
        "resume (--resume) needs checkpointDir (--checkpoint-dir)",
        assertThrows(IllegalArgumentException.class, () -> small().setResume(true).fit(df))
            .getMessage());
  }

  @Test
  void withStepsAheadAResumedFitEndsAsAnUninterruptedOneWithCheckpoints(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
    Dataset<Row> df = frame(spark, x, DIM, CellType.VECTOR, 2);
    // 24 rows per replica in minibatches of 8: rounds of 2 and 1 steps, 1 of them run ahead.
    VaeModel straight =
        small().setOverlapSteps(1).setCheckpointDir(tmp.resolve("a").toString()).fit(df);
    String ck = tmp.resolve("b").toString();
    small().setOverlapSteps(1).setEpochs(1).setCheckpointDir(ck).fit(df);
    VaeModel resumed = small().setOverlapSteps(1).setCheckpointDir(ck).setResume(true).fit(df);
    assertArrayEquals(straight.trainedVae().params(), resumed.trainedVae().params());
    // Without checkpoints the steps ahead also cross the epoch's end: a run of its own.
    VaeModel free = small().setOverlapSteps(1).fit(df);
    assertFalse(
        java.util.Arrays.equals(straight.trainedVae().params(), free.trainedVae().params()));
  }
}
