package io.sparkvae.spark.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.format.ModelFormat;
import io.sparkvae.model.format.TrainedVae;
import io.sparkvae.model.tabular.TabularSchema;
import io.sparkvae.spark.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tabular input with a real SparkSession: kinds, masking, outputs, anomaly flags, bad values,
 * save/load.
 */
class VaeTabularTest {
  static SparkSession spark;
  static final StructType SCHEMA =
      new StructType()
          .add("city", DataTypes.StringType, true)
          .add("price", DataTypes.DoubleType, true)
          .add("promo", DataTypes.IntegerType, true)
          .add("items", DataTypes.LongType, true)
          .add("at", DataTypes.TimestampType, true);

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("VaeTabularTest");
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  /**
   * Rows where price and items depend on the city; row 0 has every value missing, row 1 a NaN
   * price. items takes 45 values with variance about 5 times its mean, so it is inferred as a count
   * (more than categoricalMaxLevels values, index of dispersion under 10).
   */
  static Dataset<Row> frame(int n, long seed, double badPrice) {
    Random r = new Random(seed);
    String[] cities = {"Oslo", "Lima", "Pune"};
    List<Row> rows = new ArrayList<>();
    rows.add(RowFactory.create(null, null, null, null, null));
    for (int i = 1; i < n; i++) {
      int c = r.nextInt(3);
      double price = i == 1 ? Double.NaN : i == 2 ? badPrice : 10 * (c + 1) + r.nextGaussian();
      rows.add(
          RowFactory.create(
              cities[c],
              price,
              r.nextInt(2),
              (long) (c * 10 + r.nextInt(25)),
              new Timestamp(1_000_000_000_000L + i * 3_600_000L)));
    }
    return spark.createDataFrame(rows, SCHEMA).repartition(2);
  }

  static VaeEstimator estimator() {
    return new VaeEstimator()
        .setInputCols("city", "price", "promo", "items", "at")
        .setTimestampFeatures(true)
        .setColumnKinds("promo:categorical")
        .setEncoderHidden(16)
        .setDecoderHidden(16)
        .setLatentDim(2)
        .setBatchSize(32)
        .setLearningRate(1e-2)
        .setEpochs(3)
        .setReplicas(2)
        .setSeed(5)
        .setNegElboCol("neg_elbo");
  }

  @Test
  void fitsKindsMasksMissingValuesAndFlagsAnomalies() {
    VaeModel model = estimator().setContamination(0.05).fit(frame(300, 1, 12.0));
    TabularSchema schema = model.tabular();
    assertEquals(
        "[city:categorical, price:numeric, promo:categorical, items:count, at_hour:categorical,"
            + " at_dow:categorical]",
        schema.columns().toString());
    assertEquals(
        List.of("Lima", "Oslo", "Pune").size(), schema.columns().get(0).vocabulary().size());
    assertEquals(2, schema.columns().get(1).missing()); // a null and a NaN
    assertTrue(Double.isFinite(model.anomalyThreshold()));

    Dataset<Row> out = model.transform(frame(300, 2, 12.0));
    assertEquals(
        List.of(
            "city",
            "price",
            "promo",
            "items",
            "at",
            "z_mean",
            "z_std",
            "neg_elbo",
            "column_nll",
            "is_anomaly"),
        List.of(out.columns()));
    List<Row> rows = out.collectAsList();
    Row allMissing = rows.stream().filter(x -> x.isNullAt(0)).findFirst().orElseThrow();
    Row nll = allMissing.getStruct(allMissing.fieldIndex("column_nll"));
    for (int j = 0; j < nll.length(); j++) {
      assertEquals(0.0, nll.getDouble(j), 0.0, "a missing value contributes nothing");
    }
    Row nanPrice =
        rows.stream()
            .filter(x -> !x.isNullAt(1) && Double.isNaN(x.getDouble(1)))
            .findFirst()
            .orElseThrow();
    assertEquals(0.0, nanPrice.getStruct(nanPrice.fieldIndex("column_nll")).getDouble(1), 0.0);
    long flagged = rows.stream().filter(x -> x.getBoolean(x.fieldIndex("is_anomaly"))).count();
    assertTrue(flagged >= 3 && flagged <= 45, flagged + " of 300 flagged at contamination 0.05");
  }

  @Test
  void unseenCategoriesScoreAndBadValuesNameTheColumn() {
    VaeModel model = estimator().setEpochs(1).fit(frame(120, 3, 11.0));
    Dataset<Row> unseen =
        spark.createDataFrame(List.of(RowFactory.create("Rome", 20.0, 1, 2L, null)), SCHEMA);
    Row r = model.transform(unseen).collectAsList().get(0);
    assertFalse(r.isNullAt(r.fieldIndex("neg_elbo")));

    IllegalArgumentException fit =
        assertThrows(
            IllegalArgumentException.class,
            () -> estimator().fit(frame(60, 4, Double.POSITIVE_INFINITY)));
    assertTrue(
        fit.getMessage()
            .contains("price: 1 bad values, e.g. column 'price' has the value Infinity"),
        fit.getMessage());
    VaeModel skipped =
        estimator()
            .setEpochs(1)
            .setBadRowPolicy("skip")
            .fit(frame(60, 4, Double.POSITIVE_INFINITY));
    Exception score =
        assertThrows(
            Exception.class,
            () -> model.transform(frame(60, 4, Double.NEGATIVE_INFINITY)).collectAsList());
    assertTrue(causes(score).contains("column 'price' has the value -Infinity"), causes(score));
    List<Row> nulls =
        skipped
            .transform(frame(60, 4, Double.NEGATIVE_INFINITY))
            .where("neg_elbo is null")
            .collectAsList();
    // The all-missing row is scored (every column masked); only the -Infinity row gets null
    // outputs.
    assertEquals(1, nulls.size(), nulls.toString());
    assertTrue(Double.isInfinite(nulls.get(0).getDouble(1)));
  }

  @Test
  void pipelineSaveLoadKeepsTheSchemaAndTheScores(@TempDir Path dir) throws Exception {
    Dataset<Row> train = frame(120, 5, 9.0);
    PipelineModel fitted =
        new Pipeline()
            .setStages(new PipelineStage[] {estimator().setEpochs(1).setContamination(0.1)})
            .fit(train);
    String path = dir.resolve("p").toString();
    fitted.write().save(path);
    PipelineModel loaded = PipelineModel.load(path);
    List<Row> a =
        fitted.transform(train).select("neg_elbo", "column_nll", "is_anomaly").collectAsList();
    List<Row> b =
        loaded.transform(train).select("neg_elbo", "column_nll", "is_anomaly").collectAsList();
    assertEquals(a, b);
    VaeModel m = (VaeModel) loaded.stages()[0];
    assertEquals(((VaeModel) fitted.stages()[0]).tabular(), m.tabular());
    assertEquals(((VaeModel) fitted.stages()[0]).anomalyThreshold(), m.anomalyThreshold(), 0.0);
    // The data/ folder is a model-lib model: schema and statistics without Spark.
    Path data =
        Files.list(dir.resolve("p").resolve("stages")).findFirst().orElseThrow().resolve("data");
    TrainedVae plain = ModelFormat.load(data);
    assertNotNull(plain.config().tabular());
    assertEquals(m.tabular(), plain.config().tabular());
  }

  /**
   * A tabular fit without klWarmupSteps warms the KL weight up over 40 % of its optimizer steps and
   * records that in the model's config (also after save and load); an explicit value, 0 included,
   * wins; a fit on a features column keeps the configured 0.
   */
  @Test
  void klWarmupDefaultsToFortyPercentOfATabularRunsStepsUnlessSet(@TempDir Path dir)
      throws Exception {
    // One replica and no validation split: the 300 rows in minibatches of 32 take ceil(300 / 32) =
    // 10
    // steps per epoch, 30 in 3 epochs, and 40 % of 30 is 12.
    Dataset<Row> train = frame(300, 1, 12.0);
    VaeModel derived = estimator().setReplicas(1).setValidationFraction(0).fit(train);
    assertEquals(12, derived.vaeConfig().klWarmupSteps());
    assertEquals(12L, derived.getKlWarmupSteps());
    String path = dir.resolve("m").toString();
    derived.write().save(path);
    assertEquals(12, VaeModel.load(path).vaeConfig().klWarmupSteps());

    assertEquals(
        0,
        estimator()
            .setReplicas(1)
            .setValidationFraction(0)
            .setKlWarmupSteps(0)
            .setEpochs(1)
            .fit(train)
            .vaeConfig()
            .klWarmupSteps(),
        "an explicit 0 means no warm-up");
    assertEquals(
        5,
        estimator()
            .setReplicas(1)
            .setValidationFraction(0)
            .setKlWarmupSteps(5)
            .setEpochs(1)
            .fit(train)
            .vaeConfig()
            .klWarmupSteps());

    List<Row> vectors = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      vectors.add(
          RowFactory.create(org.apache.spark.ml.linalg.Vectors.dense(0.1 * (i % 8), 0.5, 0.9)));
    }
    Dataset<Row> features =
        spark.createDataFrame(
            vectors,
            new StructType().add("features", new org.apache.spark.ml.linalg.VectorUDT(), false));
    VaeModel image =
        new VaeEstimator()
            .setEncoderHidden(4)
            .setDecoderHidden(4)
            .setLatentDim(2)
            .setBatchSize(16)
            .setEpochs(1)
            .setReplicas(1)
            .setValidationFraction(0)
            .fit(features);
    assertEquals(
        0, image.vaeConfig().klWarmupSteps(), "a features-column fit keeps the configured warm-up");
  }

  private static String causes(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append(c.getMessage()).append(" | ");
    }
    return sb.toString();
  }
}
