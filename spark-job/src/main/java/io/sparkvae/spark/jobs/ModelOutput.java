package io.sparkvae.spark.jobs;

import io.sparkvae.spark.fs.HadoopPublisher;
import io.sparkvae.spark.fs.OutputGuard;
import io.sparkvae.spark.ml.VaeModel;
import java.io.IOException;
import org.apache.spark.sql.SparkSession;

/** Writes the model directory a training job produces (the estimator writes the report). */
final class ModelOutput {
  private ModelOutput() {}

  /**
   * Writes the model to {@code path}, replacing a previous model (only with {@code overwrite},
   * never a foreign folder) once the new one is complete.
   */
  static void write(SparkSession spark, VaeModel model, String path, boolean overwrite)
      throws IOException {
    try {
      HadoopPublisher.replace(
          path,
          spark.sparkContext().hadoopConfiguration(),
          OutputGuard.model(overwrite),
          staging -> model.write().save(staging));
    } catch (org.apache.hadoop.fs.FSError e) {
      // Hadoop's local file system reports a full disk as this Error, which names no option.
      throw new IOException(
          "cannot write the model to --model-out "
              + path
              + ": "
              + e.getMessage()
              + "; the previous model, if any, is intact",
          e);
    }
  }
}
