package io.sparkvae.spark.ml;

import static io.sparkvae.spark.ml.VaeMlFixtures.DIM;
import static io.sparkvae.spark.ml.VaeMlFixtures.SMALL;
import static io.sparkvae.spark.ml.VaeMlFixtures.assertAllClose;
import static io.sparkvae.spark.ml.VaeMlFixtures.floats;
import static io.sparkvae.spark.ml.VaeMlFixtures.untrained;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.vae.LikelihoodKind;
import io.sparkvae.spark.SparkTestSession;
import io.sparkvae.spark.train.BadRowPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.SparkException;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * badRowPolicy in transform: each kind of unusable row under fail (exact messages) and skip (null
 * outputs, exact counts), null features under both, and the param's life on a fitted model.
 */
class VaeBadRowsTest {
  /** 20 rows, two partitions of 10 (ids 0-9 and 10-19, in order). */
  static final int N = 20;

  static final String[] OUTPUTS = {"z_mean", "z_std", "z", "score", "rec"};
  static SparkSession spark;
  static float[] x;

  @TempDir static Path tmp;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("VaeBadRowsTest");
    x = VaeMlFixtures.rows(N, 5);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  /** A kind of bad cell and what it does to a good row's values. */
  enum Bad {
    NULL,
    WRONG_SIZE,
    NAN,
    POS_INF,
    ABOVE_ONE,
    BELOW_ZERO
  }

  static Object cell(int i, Bad bad) {
    if (bad == Bad.NULL) {
      return null;
    }
    List<Double> l = new ArrayList<>();
    for (int j = 0; j < (bad == Bad.WRONG_SIZE ? DIM - 2 : DIM); j++) {
      l.add((double) x[i * DIM + j]);
    }
    if (bad != null) {
      double v =
          switch (bad) {
            case NAN -> Double.NaN;
            case POS_INF -> Double.POSITIVE_INFINITY;
            case ABOVE_ONE -> 1.5;
            case BELOW_ZERO -> -0.5;
            default -> l.get(4);
          };
      l.set(4, v);
    }
    return scala.jdk.javaapi.CollectionConverters.asScala(l).toSeq();
  }

  /**
   * (id int, features array&lt;double&gt;) in two partitions of ten rows: row {@code i} is bad as
   * {@code bad} says, else a good row.
   */
  static Dataset<Row> frame(Map<Integer, Bad> bad) {
    List<Row> list = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      list.add(RowFactory.create(i, cell(i, bad.get(i))));
    }
    StructType schema =
        new StructType()
            .add("id", DataTypes.IntegerType, false)
            .add("features", DataTypes.createArrayType(DataTypes.DoubleType, true), true);
    return twoPartitions(spark.createDataFrame(list, schema));
  }

  /** Ids 0-9 in partition 0 and 10-19 in partition 1, in order (as VaeMlFixtures.frame does). */
  static Dataset<Row> twoPartitions(Dataset<Row> df) {
    return df.repartitionByRange(2, functions.col("id")).sortWithinPartitions("id");
  }

  static VaeModel model(VaeConfig config, String policy) {
    return new VaeModel(untrained(config, 7))
        .setLatentSampleCol("z")
        .setNegElboCol("score")
        .setReconstructionCol("rec")
        .setInferenceBatchSize(4)
        .setBadRowPolicy(policy);
  }

  static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage();
  }

  static String failure(VaeModel m, Dataset<Row> df) {
    return rootMessage(assertThrows(SparkException.class, () -> m.transform(df).collect()));
  }

  @Test
  void underFailEachKindOfBadRowFailsWithItsCountsAndFirstRows() {
    String tail = " (badRowPolicy=skip gives them null outputs)";
    String range = " with values outside [0, 1] (the Bernoulli likelihood needs them in it)";
    VaeModel m = model(SMALL, "fail");
    // A null in partition 0 is no data, not a failure; partition 1 holds two bad rows of one kind
    // at its rows 2 and 7.
    assertEquals(
        "features column 'features' has 2 unusable row(s) in partition 1 (of 10 rows): 2 not of"
            + " size 12, 0 with NaN or Inf, 0"
            + range
            + "; first rows (input partition:row): 1:2, 1:7"
            + tail,
        failure(m, frame(Map.of(3, Bad.NULL, 12, Bad.WRONG_SIZE, 17, Bad.WRONG_SIZE))));
    assertEquals(
        "features column 'features' has 2 unusable row(s) in partition 1 (of 10 rows): 0 not of"
            + " size 12, 2 with NaN or Inf, 0"
            + range
            + "; first rows (input partition:row): 1:2, 1:7"
            + tail,
        failure(m, frame(Map.of(3, Bad.NULL, 12, Bad.NAN, 17, Bad.NAN))));
    assertEquals(
        "features column 'features' has 2 unusable row(s) in partition 1 (of 10 rows): 0 not of"
            + " size 12, 2 with NaN or Inf, 0"
            + range
            + "; first rows (input partition:row): 1:2, 1:7"
            + tail,
        failure(m, frame(Map.of(3, Bad.NULL, 12, Bad.POS_INF, 17, Bad.POS_INF))));
    assertEquals(
        "features column 'features' has 2 unusable row(s) in partition 1 (of 10 rows): 0 not of"
            + " size 12, 0 with NaN or Inf, 2"
            + range
            + "; first rows (input partition:row): 1:2, 1:7"
            + tail,
        failure(m, frame(Map.of(3, Bad.NULL, 12, Bad.ABOVE_ONE, 17, Bad.BELOW_ZERO))));
    // Every kind in one partition: counted by reason, the first five rows listed in order.
    assertEquals(
        "features column 'features' has 8 unusable row(s) in partition 0 (of 10 rows): 2 not of"
            + " size 12, 4 with NaN or Inf, 2"
            + range
            + "; first rows (input partition:row): 0:1, 0:2, 0:3, 0:4,"
            + " 0:6"
            + tail,
        failure(
            m,
            frame(
                Map.of(
                    0,
                    Bad.NULL,
                    1,
                    Bad.WRONG_SIZE,
                    2,
                    Bad.NAN,
                    3,
                    Bad.POS_INF,
                    4,
                    Bad.ABOVE_ONE,
                    5,
                    Bad.NULL,
                    6,
                    Bad.NAN,
                    7,
                    Bad.WRONG_SIZE,
                    8,
                    Bad.BELOW_ZERO,
                    9,
                    Bad.NAN))));
  }

  @Test
  void underFailNullFeaturesGiveNullOutputsAndAreCounted() {
    VaeModel m = model(SMALL, "fail");
    InferenceCounts counts = InferenceCounts.register(spark.sparkContext(), "test");
    List<Row> rows = m.transform(frame(Map.of(0, Bad.NULL, 13, Bad.NULL)), counts).collectAsList();
    assertEquals(N, rows.size());
    for (Row r : rows) {
      boolean isNull = r.getInt(0) == 0 || r.getInt(0) == 13;
      for (String c : OUTPUTS) {
        assertEquals(isNull, r.isNullAt(r.fieldIndex(c)), c + " of row " + r.getInt(0));
      }
    }
    assertEquals(
        List.of(20L, 18L, 2L, 0L),
        List.of(counts.rows(), counts.scored(), counts.nullFeatures(), counts.skipped()));
  }

  @Test
  void underSkipBadRowsGetNullOutputsAndAreCountedByReason() {
    VaeModel m = model(SMALL, "skip");
    Map<Integer, Bad> bad =
        Map.of(
            0,
            Bad.NULL,
            3,
            Bad.WRONG_SIZE,
            4,
            Bad.NAN,
            9,
            Bad.POS_INF,
            11,
            Bad.ABOVE_ONE,
            12,
            Bad.NULL,
            15,
            Bad.BELOW_ZERO,
            19,
            Bad.WRONG_SIZE);
    InferenceCounts counts = InferenceCounts.register(spark.sparkContext(), "test");
    // One action, with the transform after the last shuffle: each partition is computed once, so
    // the
    // counts are exact.
    List<Row> rows = m.transform(frame(bad), counts).collectAsList();
    List<Row> reference = model(SMALL, "fail").transform(frame(Map.of())).collectAsList();
    assertEquals(N, rows.size());
    for (int i = 0; i < N; i++) {
      Row r = rows.get(i);
      assertEquals(i, r.getInt(0), "rows keep their order");
      for (String c : OUTPUTS) {
        assertEquals(bad.containsKey(i), r.isNullAt(r.fieldIndex(c)), c + " of row " + i);
      }
      if (!bad.containsKey(i)) {
        // Skipped rows do not shift the others' outputs.
        assertAllClose(
            floats(reference.get(i).getAs("z_mean")),
            floats(r.getAs("z_mean")),
            1e-6,
            1e-6,
            "z_mean of row " + i);
        assertAllClose(
            floats(reference.get(i).getAs("rec")),
            floats(r.getAs("rec")),
            1e-6,
            1e-6,
            "rec of row " + i);
      }
    }
    assertEquals(20, counts.rows());
    assertEquals(2, counts.nullFeatures());
    assertEquals(2, counts.wrongSize());
    assertEquals(2, counts.nonFinite());
    assertEquals(2, counts.outOfRange());
    assertEquals(6, counts.skipped());
    assertEquals(12, counts.scored());
    assertEquals(
        "20 rows: 12 scored, 2 with null features, 6 skipped (2 of the wrong size, 2 with NaN or Inf,"
            + " 2 with values outside [0, 1])",
        counts.toString());
  }

  @Test
  void theGaussianLikelihoodAcceptsValuesOutsideTheUnitInterval() {
    VaeConfig gaussian = SMALL.toBuilder().likelihood(LikelihoodKind.GAUSSIAN).build();
    VaeModel m = model(gaussian, "fail");
    InferenceCounts counts = InferenceCounts.register(spark.sparkContext(), "test");
    List<Row> rows =
        m.transform(frame(Map.of(2, Bad.ABOVE_ONE, 14, Bad.BELOW_ZERO)), counts).collectAsList();
    for (Row r : rows) {
      for (String c : OUTPUTS) {
        assertFalse(r.isNullAt(r.fieldIndex(c)), c + " of row " + r.getInt(0));
      }
    }
    assertEquals(
        List.of(20L, 20L, 0L), List.of(counts.rows(), counts.scored(), counts.nullOutputs()));
    // NaN is refused under every likelihood, and the message leaves out the [0, 1] count.
    assertEquals(
        "features column 'features' has 1 unusable row(s) in partition 1 (of 10 rows): 0 not of size"
            + " 12, 1 with NaN or Inf; first rows (input partition:row): 1:4 (badRowPolicy=skip gives them null"
            + " outputs)",
        failure(m, frame(Map.of(2, Bad.ABOVE_ONE, 14, Bad.NAN))));
  }

  @Test
  void decodeAppliesThePolicyToLatentCodes() {
    List<Row> list = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      list.add(
          RowFactory.create(
              i, i == 3 ? null : Vectors.dense(0.1 * i, i == 15 ? Double.NaN : -0.2, 0.3)));
    }
    StructType schema =
        new StructType().add("id", DataTypes.IntegerType, false).add("code", new VectorUDT(), true);
    Dataset<Row> codes = twoPartitions(spark.createDataFrame(list, schema));
    assertEquals(
        "latent column 'code' has 1 unusable row(s) in partition 1 (of 10 rows): 0 not of size 3, 1 with"
            + " NaN or Inf; first rows (input partition:row): 1:5 (badRowPolicy=skip gives them null outputs)",
        rootMessage(
            assertThrows(
                SparkException.class,
                () -> model(SMALL, "fail").decode(codes, "code", "x").collect())));
    List<Row> decoded = model(SMALL, "skip").decode(codes, "code", "x").collectAsList();
    for (Row r : decoded) {
      int id = r.getInt(0);
      assertEquals(id == 3 || id == 15, r.isNullAt(2), "decoded " + id);
    }
  }

  @Test
  void theModelsPolicyIsSettablePersistedAndDefaultsToFail() throws Exception {
    VaeModel m = new VaeModel(untrained(SMALL, 1));
    assertEquals(BadRowPolicy.FAIL, m.getBadRowPolicy());
    assertEquals(BadRowPolicy.SKIP, m.setBadRowPolicy("skip").getBadRowPolicy());
    String msg =
        assertThrows(IllegalArgumentException.class, () -> m.setBadRowPolicy("drop")).getMessage();
    assertTrue(msg.contains("badRowPolicy") && msg.contains("drop"), msg);
    assertEquals(BadRowPolicy.SKIP, new VaeEstimator().setBadRowPolicy("skip").getBadRowPolicy());

    String path = tmp.resolve("skip-model").toString();
    m.write().save(path);
    assertEquals(BadRowPolicy.SKIP, VaeModel.load(path).getBadRowPolicy());

    // A model saved before transform had the param: its metadata has no badRowPolicy at all.
    Path metadata;
    try (Stream<Path> files = Files.list(Path.of(path, "metadata"))) {
      metadata =
          files
              .filter(p -> p.getFileName().toString().startsWith("part-"))
              .findFirst()
              .orElseThrow();
    }
    String json = Files.readString(metadata);
    String old =
        json.replaceAll("\"badRowPolicy\":\"[a-z]+\",", "")
            .replaceAll(",\"badRowPolicy\":\"[a-z]+\"", "");
    assertFalse(old.contains("badRowPolicy"), old);
    assertTrue(
        json.length() - old.length() > 20, "both the set value and the default were removed");
    Files.writeString(metadata, old);
    Files.deleteIfExists(metadata.resolveSibling("." + metadata.getFileName() + ".crc"));
    VaeModel loaded = VaeModel.load(path);
    assertEquals(BadRowPolicy.FAIL, loaded.getBadRowPolicy());
  }
}
