package io.sparkvae.spark.jobs;

import io.sparkvae.spark.fs.HadoopPublisher;
import java.io.IOException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

/**
 * Replaces one partition ({@code output/column=value/}) of a Parquet dataset atomically through
 * {@link HadoopPublisher}: the staging directory ({@code _staging-…}) is hidden from Spark's
 * readers by its leading underscore. A failed run leaves the previous partition untouched; other
 * partitions are never touched; re-running a day gives the same rows, not duplicates.
 */
public final class PartitionWriter {
  private PartitionWriter() {}

  /** Writes {@code rows} as the partition {@code column=value} of {@code output}. */
  public static void replacePartition(Dataset<Row> rows, String output, String column, String value)
      throws IOException {
    HadoopPublisher.replace(
        output + "/" + column + "=" + value,
        rows.sparkSession().sparkContext().hadoopConfiguration(),
        staging -> rows.write().mode(SaveMode.ErrorIfExists).parquet(staging));
  }
}
