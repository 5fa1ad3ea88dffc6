package io.sparkvae.spark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.spark.SparkTestSession;
import io.sparkvae.spark.ml.VaeModel;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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
 * TrainJob --tabular then ScoreJob over a range of days: daily partitions with column_nll and
 * is_anomaly.
 */
class TabularJobsTest {
  static SparkSession spark;

  @TempDir static Path tmp;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("TabularJobsTest");
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  @Test
  void trainsOnAFilterAndScoresEveryDayOfARange() throws Exception {
    Random r = new Random(3);
    List<Row> rows = new ArrayList<>();
    String[] cities = {"Oslo", "Lima", "Pune"};
    for (int i = 0; i < 240; i++) {
      int c = r.nextInt(3);
      LocalDateTime at = LocalDateTime.of(2001, 4, 28, 0, 0).plusHours(i / 4 * 2);
      rows.add(
          RowFactory.create(Timestamp.valueOf(at), cities[c], 100.0 * (c + 1) + r.nextGaussian()));
    }
    StructType schema =
        new StructType()
            .add("at", DataTypes.TimestampType, true)
            .add("city", DataTypes.StringType, true)
            .add("price", DataTypes.DoubleType, true);
    String input = tmp.resolve("in").toString();
    spark.createDataFrame(rows, schema).coalesce(2).write().parquet(input);
    String model = tmp.resolve("model").toString();
    TrainJob.run(
        spark,
        TrainJob.parse(
            new String[] {
              "--tabular",
              "--input",
              input,
              "--input-format",
              "parquet",
              "--feature-columns",
              "at,city,price",
              "--timestamp-features",
              "--contamination",
              "0.05",
              "--input-filter",
              "at < timestamp'2001-05-01 00:00:00'",
              "--latent-dim",
              "2",
              "--encoder-hidden",
              "8",
              "--decoder-hidden",
              "8",
              "--batch-size",
              "16",
              "--epochs",
              "1",
              "--replicas",
              "2",
              "--model-out",
              model,
              "--metrics-out",
              tmp.resolve("metrics.jsonl").toString()
            }));
    VaeModel m = VaeModel.load(model);
    assertEquals(
        "[at_hour:categorical, at_dow:categorical, city:categorical, price:numeric]",
        m.tabular().columns().toString());
    assertTrue(Double.isFinite(m.anomalyThreshold()));

    String scores = tmp.resolve("scores").toString();
    ScoreJob.Summary s =
        ScoreJob.run(
            spark,
            ScoreJob.parse(
                new String[] {
                  "--model",
                  model,
                  "--input",
                  input,
                  "--output",
                  scores,
                  "--run-date",
                  "2001-05-01..2001-05-03",
                  "--date-column",
                  "at",
                  "--id-columns",
                  "at,city"
                }));
    Dataset<Row> out = spark.read().parquet(scores);
    assertEquals(
        List.of(
            "at", "city", "z_mean", "z_std", "neg_elbo", "column_nll", "is_anomaly", "run_date"),
        List.of(out.columns()));
    // 48 rows a day (4 every 2 hours) from April 28 to May 2: 96 in the range, none on May 3.
    assertEquals(96, s.rows());
    assertEquals(48, out.where("run_date = '2001-05-02'").count());
    assertEquals(0, out.where("to_date(at) != run_date").count());

    IllegalArgumentException noColumn =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ScoreJob.parse(
                    new String[] {
                      "--model",
                      model,
                      "--input",
                      input,
                      "--output",
                      scores,
                      "--run-date",
                      "2001-05-01..2001-05-03"
                    }));
    assertTrue(noColumn.getMessage().contains("needs --date-column"), noColumn.getMessage());
  }
}
