package io.sparkvae.spark.jobs;

import java.util.Arrays;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Reads a job's input in one of the supported formats into a DataFrame with a features column. */
public final class InputReader {
  private InputReader() {}

  /**
   * Reads {@code path}.
   *
   * @param format idx, parquet, csv (with a header line) or libsvm
   * @param featuresCol the features column to produce or expect
   * @param featureColumns comma-separated columns to assemble into {@code featuresCol} (may be
   *     empty)
   */
  public static Dataset<Row> read(
      SparkSession spark,
      String path,
      InputFormat format,
      String featuresCol,
      String featureColumns,
      int partitions) {
    InputFiles.check(spark.sparkContext().hadoopConfiguration(), path, format);
    Dataset<Row> df =
        switch (format) {
          case IDX -> named(IdxRelation.read(spark, path, partitions), featuresCol);
          case PARQUET -> spark.read().parquet(path);
          case CSV -> spark.read().option("header", "true").option("inferSchema", "true").csv(path);
          case LIBSVM -> named(spark.read().format("libsvm").load(path), featuresCol);
        };
    if (!featureColumns.isBlank()) {
      String[] cols =
          Arrays.stream(featureColumns.split(",")).map(String::trim).toArray(String[]::new);
      for (String c : cols) {
        if (!Arrays.asList(df.columns()).contains(c)) {
          throw new IllegalArgumentException(
              "feature column '"
                  + c
                  + "' is not in "
                  + path
                  + "; "
                  + io.sparkvae.spark.train.FeatureColumn.columnList(df.columns()));
        }
      }
      df =
          new VectorAssembler()
              .setInputCols(cols)
              .setOutputCol(featuresCol)
              .setHandleInvalid("keep")
              .transform(df);
    }
    return df;
  }

  /** idx and libsvm readers name their vector column "features": renamed to {@code featuresCol}. */
  private static Dataset<Row> named(Dataset<Row> df, String featuresCol) {
    return featuresCol.equals("features") ? df : df.withColumnRenamed("features", featuresCol);
  }
}
