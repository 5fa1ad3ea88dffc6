package io.sparkvae.spark.ml;

import static io.sparkvae.spark.ml.VaeMlFixtures.DIM;
import static io.sparkvae.spark.ml.VaeMlFixtures.LATENT;
import static io.sparkvae.spark.ml.VaeMlFixtures.SMALL;
import static io.sparkvae.spark.ml.VaeMlFixtures.assertAllClose;
import static io.sparkvae.spark.ml.VaeMlFixtures.floats;
import static io.sparkvae.spark.ml.VaeMlFixtures.frame;
import static io.sparkvae.spark.ml.VaeMlFixtures.untrained;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.sparkvae.model.format.TrainedVae;
import io.sparkvae.model.vae.VaeInference;
import io.sparkvae.spark.SparkTestSession;
import io.sparkvae.spark.ml.VaeMlFixtures.CellType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.SparkException;
import org.apache.spark.ml.linalg.Vector;
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

/** transform, decode and generate against VaeInference run directly on the same rows. */
class VaeTransformTest {
  static final int N = 50;
  static SparkSession spark;
  static TrainedVae trained;
  static float[] x;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("VaeTransformTest");
    trained = untrained(SMALL, 7);
    x = VaeMlFixtures.rows(N, 11);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  static VaeModel model() {
    return new VaeModel(trained);
  }

  static float[] column(List<Row> rows, String name, int width) {
    float[] out = new float[rows.size() * width];
    for (int i = 0; i < rows.size(); i++) {
      System.arraycopy(floats(rows.get(i).getAs(name)), 0, out, i * width, width);
    }
    return out;
  }

  @Test
  void transformEqualsDirectInferenceForOneAndThreePartitions() {
    VaeInference.Encoding enc;
    float[] rec;
    try (VaeInference direct = new VaeInference(SMALL, trained.params(), Device.cpu())) {
      enc = direct.encode(x, N);
      rec = direct.reconstruct(x, N);
    }
    for (int partitions : new int[] {1, 3}) {
      // Batches of 8 rows: partitions end in partial batches.
      VaeModel m = model().setReconstructionCol("rec").setInferenceBatchSize(8);
      Dataset<Row> in = frame(spark, x, DIM, CellType.VECTOR, partitions);
      Dataset<Row> out = m.transform(in);
      assertEquals(
          m.transformSchema(in.schema()), out.schema(), "the announced schema, metadata included");
      assertEquals(partitions, out.rdd().getNumPartitions());
      List<Row> rows = out.orderBy("id").collectAsList();
      assertEquals(N, rows.size());
      assertAllClose(
          enc.mean(),
          column(rows, "z_mean", LATENT),
          1e-5,
          1e-5,
          "z_mean, " + partitions + " partitions");
      assertAllClose(
          enc.std(),
          column(rows, "z_std", LATENT),
          1e-5,
          1e-5,
          "z_std, " + partitions + " partitions");
      assertAllClose(
          rec,
          column(rows, "rec", DIM),
          1e-5,
          1e-5,
          "reconstruction, " + partitions + " partitions");
      for (int i = 0; i < N; i++) {
        assertEquals(i, rows.get(i).getInt(0), "input columns are kept");
      }
    }
  }

  @Test
  void aStreamingDataFrameIsEncodedLikeABatchOne(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    // Batch DataFrames take the internal-row path, streaming ones the row-encoder path: the same
    // rows must come out the same from both.
    for (CellType type : new CellType[] {CellType.VECTOR, CellType.DOUBLE_ARRAY}) {
      Dataset<Row> in = frame(spark, x, DIM, type, 2, 3);
      String data = dir.resolve("in-" + type).toString();
      in.write().parquet(data);
      VaeModel m = model().setInferenceBatchSize(8).setNegElboCol("score");
      List<Row> batch = m.transform(spark.read().parquet(data)).orderBy("id").collectAsList();
      Dataset<Row> stream = spark.readStream().schema(in.schema()).parquet(data);
      assertTrue(stream.isStreaming());
      List<Row> streamed = new java.util.concurrent.CopyOnWriteArrayList<>();
      org.apache.spark.sql.streaming.StreamingQuery q =
          m.transform(stream)
              .writeStream()
              .foreachBatch(
                  (org.apache.spark.api.java.function.VoidFunction2<Dataset<Row>, Long>)
                      (micro, id) -> streamed.addAll(micro.collectAsList()))
              .trigger(org.apache.spark.sql.streaming.Trigger.AvailableNow())
              .start();
      q.awaitTermination();
      streamed.sort(java.util.Comparator.comparingInt(r -> r.getInt(0)));
      assertEquals(N, streamed.size());
      assertNull(streamed.get(3).getAs("z_mean"), "a null cell gives null outputs, streaming too");
      assertNull(batch.get(3).getAs("z_mean"));
      assertAllClose(
          column(without(batch, 3), "z_mean", LATENT),
          column(without(streamed, 3), "z_mean", LATENT),
          0,
          0,
          "z_mean, streaming vs batch, " + type);
      assertAllClose(
          column(without(batch, 3), "z_std", LATENT),
          column(without(streamed, 3), "z_std", LATENT),
          0,
          0,
          "z_std, streaming vs batch, " + type);
    }
  }

  private static List<Row> without(List<Row> rows, int index) {
    List<Row> out = new ArrayList<>(rows);
    out.remove(index);
    return out;
  }

  @Test
  void sparseVectorsEncodeLikeTheirDenseValues() {
    // Mostly-zero rows, as VectorAssembler emits for images: each sparse row must not inherit the
    // previous row's values in the packed batch buffer.
    float[] sparse = x.clone();
    java.util.SplittableRandom mask = new java.util.SplittableRandom(5);
    for (int i = 0; i < sparse.length; i++) {
      if (mask.nextInt(3) != 0) {
        sparse[i] = 0f; // a different zero pattern in every row
      }
    }
    java.util.List<Row> list = new java.util.ArrayList<>();
    for (int i = 0; i < N; i++) {
      double[] v = new double[DIM];
      for (int j = 0; j < DIM; j++) {
        v[j] = sparse[i * DIM + j];
      }
      list.add(
          org.apache.spark.sql.RowFactory.create(
              i, org.apache.spark.ml.linalg.Vectors.dense(v).toSparse()));
    }
    Dataset<Row> in =
        spark.createDataFrame(
            list,
            new org.apache.spark.sql.types.StructType()
                .add("id", org.apache.spark.sql.types.DataTypes.IntegerType)
                .add("features", new org.apache.spark.ml.linalg.VectorUDT()));
    List<Row> rows = model().setInferenceBatchSize(8).transform(in).orderBy("id").collectAsList();
    VaeInference.Encoding enc;
    try (VaeInference direct = new VaeInference(SMALL, trained.params(), Device.cpu())) {
      enc = direct.encode(sparse, N);
    }
    assertAllClose(enc.mean(), column(rows, "z_mean", LATENT), 1e-5, 1e-5, "z_mean of sparse rows");
  }

  @Test
  void negElboEqualsDirectInferenceWithThePartitionsNoise() {
    long scoreSeed = 5;
    int batch = 16;
    VaeModel m =
        model()
            .setNegElboCol("score")
            .setInferenceBatchSize(batch)
            .setScoreSeed(scoreSeed)
            .setNegElboSamples(2);
    List<Row> rows = m.transform(frame(spark, x, DIM, CellType.FLOAT_ARRAY, 1)).collectAsList();
    float[] expected = new float[N];
    try (VaeInference direct = new VaeInference(SMALL, trained.params(), Device.cpu())) {
      SplittableRandom noise = new SplittableRandom(VaeModel.scoreNoiseSeed(scoreSeed, 0));
      for (int start = 0; start < N; start += batch) {
        int n = Math.min(batch, N - start);
        float[] b = Arrays.copyOfRange(x, start * DIM, (start + n) * DIM);
        System.arraycopy(direct.negElbo(b, n, 2, noise), 0, expected, start, n);
      }
    }
    float[] actual = new float[N];
    for (int i = 0; i < N; i++) {
      actual[i] = (float) rows.get(i).getDouble(rows.get(i).fieldIndex("score"));
    }
    assertAllClose(expected, actual, 1e-5, 1e-5, "negElbo");
    // Reproducible for a seed and partitioning, different for another seed.
    List<Row> again = m.transform(frame(spark, x, DIM, CellType.FLOAT_ARRAY, 1)).collectAsList();
    assertEquals(rows, again);
    List<Row> other =
        m.copy(new org.apache.spark.ml.param.ParamMap())
            .setScoreSeed(6)
            .transform(frame(spark, x, DIM, CellType.FLOAT_ARRAY, 1))
            .collectAsList();
    assertNotEquals(rows.get(0).<Double>getAs("score"), other.get(0).<Double>getAs("score"));
  }

  @Test
  void latentSampleIsMeanPlusStdTimesNoise() {
    VaeModel m = model().setLatentSampleCol("z").setScoreSeed(3);
    List<Row> rows =
        m.transform(frame(spark, x, DIM, CellType.VECTOR, 3)).orderBy("id").collectAsList();
    double sumSq = 0;
    for (Row r : rows) {
      double[] mean = ((Vector) r.getAs("z_mean")).toArray();
      double[] std = ((Vector) r.getAs("z_std")).toArray();
      double[] z = ((Vector) r.getAs("z")).toArray();
      for (int j = 0; j < LATENT; j++) {
        double eps = (z[j] - mean[j]) / std[j];
        assertTrue(Math.abs(eps) < 6, "a standard normal draw: " + eps);
        sumSq += eps * eps;
      }
    }
    // 150 standard normal draws: their mean square is 1 within a few standard errors (0.115).
    assertEquals(1.0, sumSq / (N * LATENT), 0.5);
    assertEquals(
        rows, m.transform(frame(spark, x, DIM, CellType.VECTOR, 3)).orderBy("id").collectAsList());
  }

  @Test
  void vectorAndArrayInputsGiveTheSameOutputs() {
    VaeModel m = model().setNegElboCol("score").setReconstructionCol("rec");
    List<Row> vec =
        m.transform(frame(spark, x, DIM, CellType.VECTOR, 2)).orderBy("id").collectAsList();
    for (CellType t : List.of(CellType.FLOAT_ARRAY, CellType.DOUBLE_ARRAY)) {
      List<Row> arr = m.transform(frame(spark, x, DIM, t, 2)).orderBy("id").collectAsList();
      for (int i = 0; i < N; i++) {
        for (String c : List.of("z_mean", "z_std", "score", "rec")) {
          assertEquals(
              vec.get(i).<Object>getAs(c), arr.get(i).<Object>getAs(c), t + " " + c + " row " + i);
        }
      }
    }
  }

  @Test
  void nullFeaturesGiveNullOutputs() {
    VaeModel m =
        model()
            .setNegElboCol("score")
            .setReconstructionCol("rec")
            .setLatentSampleCol("z")
            .setInferenceBatchSize(4);
    int[] nulls = {0, 5, 6, 7, 8, 49};
    List<Row> rows =
        m.transform(frame(spark, x, DIM, CellType.DOUBLE_ARRAY, 2, nulls))
            .orderBy("id")
            .collectAsList();
    List<Row> reference =
        m.transform(frame(spark, x, DIM, CellType.DOUBLE_ARRAY, 2)).orderBy("id").collectAsList();
    assertEquals(N, rows.size());
    for (int i = 0; i < N; i++) {
      Row r = rows.get(i);
      boolean isNull = Arrays.stream(nulls).anyMatch(k -> k == r.getInt(0));
      for (String c : List.of("z_mean", "z_std", "z", "score", "rec")) {
        if (isNull) {
          assertNull(r.getAs(c), c + " of row " + i);
        } else {
          assertFalse(r.isNullAt(r.fieldIndex(c)), c + " of row " + i);
        }
      }
      if (!isNull) {
        // Deterministic outputs do not depend on which other rows share the batch.
        assertAllClose(
            floats(reference.get(i).getAs("z_mean")),
            floats(r.getAs("z_mean")),
            1e-6,
            1e-6,
            "z_mean");
      }
    }
  }

  @Test
  void wrongSizeRowsFailWithTheirCount() {
    List<Row> list = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      list.add(RowFactory.create(Vectors.dense(new double[i % 4 == 0 ? 10 : DIM])));
    }
    Dataset<Row> df =
        spark.createDataFrame(list, new StructType().add("features", new VectorUDT())).coalesce(1);
    SparkException e = assertThrows(SparkException.class, () -> model().transform(df).collect());
    String msg = rootMessage(e);
    assertEquals(
        "features column 'features' has 3 unusable row(s) in partition 0 (of 10 rows): 3 not of size 12,"
            + " 0 with NaN or Inf, 0 with values outside [0, 1] (the Bernoulli likelihood needs them in it); first"
            + " rows (input partition:row): 0:0, 0:4, 0:8 (badRowPolicy=skip gives them null outputs)",
        msg);
  }

  @Test
  void aNullElementInAnArrayOfFeaturesFailsNamingTheColumn() {
    // Arrays are read from Spark's binary rows in bulk; one with a null element must still be
    // caught.
    List<Row> list = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Double[] v = new Double[DIM];
      Arrays.fill(v, 0.5);
      if (i == 2) {
        v[DIM - 1] = null;
      }
      list.add(RowFactory.create((Object) v));
    }
    Dataset<Row> df =
        spark
            .createDataFrame(
                list,
                new StructType()
                    .add(
                        "features",
                        org.apache.spark.sql.types.DataTypes.createArrayType(
                            org.apache.spark.sql.types.DataTypes.DoubleType, true)))
            .coalesce(1);
    SparkException e = assertThrows(SparkException.class, () -> model().transform(df).collect());
    assertTrue(
        rootMessage(e).contains("column 'features': null element in an array of features"),
        rootMessage(e));
  }

  @Test
  void decodeOfTheMeanIsTheReconstruction() {
    VaeModel m = model().setReconstructionCol("rec");
    Dataset<Row> encoded = m.transform(frame(spark, x, DIM, CellType.VECTOR, 2));
    List<Row> rows = m.decode(encoded, "z_mean", "decoded").orderBy("id").collectAsList();
    assertAllClose(
        column(rows, "rec", DIM), column(rows, "decoded", DIM), 1e-6, 1e-6, "decoded mean");
    // The reconstruction column carries its size (12) as an ML attribute: refused before any job.
    assertEquals(
        "latent column 'rec' has vectors of size 12 but the model expects 3",
        assertThrows(IllegalArgumentException.class, () -> m.decode(encoded, "rec", "d"))
            .getMessage());
    assertEquals(
        "output column 'rec' already exists",
        assertThrows(IllegalArgumentException.class, () -> m.decode(encoded, "z_mean", "rec"))
            .getMessage());
  }

  @Test
  void generateDrawsFromThePriorReproducibly() {
    VaeModel m = model();
    Dataset<Row> g = m.generate(spark, 25, 4);
    assertEquals(List.of("features"), List.of(g.schema().fieldNames()));
    List<Row> rows = g.collectAsList();
    assertEquals(25, rows.size());
    for (Row r : rows) {
      double[] v = ((Vector) r.get(0)).toArray();
      assertEquals(DIM, v.length);
      for (double p : v) {
        assertTrue(p > 0 && p < 1, "Bernoulli means are probabilities: " + p);
      }
    }
    assertEquals(rows, m.generate(spark, 25, 4).collectAsList());
    assertNotEquals(rows, m.generate(spark, 25, 5).collectAsList());
    // The first rows do not depend on n: each row has its own generator.
    // (equal up to float rounding: the decoder's matrix products depend on the batch's shape)
    assertAllClose(
        floats(rows.get(3).get(0)),
        floats(m.generate(spark, 5, 4).collectAsList().get(3).get(0)),
        1e-6,
        1e-6,
        "row 3");
    assertEquals(0, m.generate(spark, 0, 4).count());
  }

  @Test
  void theExecutorKeepsOneNativeModelPerModel() {
    VaeModel m = model();
    Dataset<Row> df = frame(spark, x, DIM, CellType.VECTOR, 3);
    m.transform(df).collect();
    int size = InferenceCache.size();
    for (int i = 0; i < 3; i++) {
      m.transform(df).collect();
      m.copy(new org.apache.spark.ml.param.ParamMap()).transform(df).collect();
    }
    assertEquals(
        size, InferenceCache.size(), "same uid and parameters: the cached model is reused");
    assertTrue(
        InferenceCache.size() <= InferenceCache.MAX_IDLE,
        "idle models beyond the bound are closed");
  }

  static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage();
  }
}
