package io.sparkvae.spark.jobs;

import io.sparkvae.model.data.Dataset;
import io.sparkvae.model.format.TrainedVae;
import io.sparkvae.spark.ml.VaeModel;
import io.sparkvae.spark.report.TrainingReport;
import io.sparkvae.spark.train.EpochMetrics;
import io.sparkvae.spark.train.FeatureColumn;
import io.sparkvae.spark.train.TrainingResult;
import io.sparkvae.spark.fs.DirectorySwap;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Writes what a training job produces: the model directory and the report. */
final class ModelOutput {
  private ModelOutput() {}

  /** The trained model as a Spark ML model, with the run's metadata. */
  static VaeModel model(TrainingResult result) {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("trainer", "DistributedTrainer");
    meta.put("replicas", String.valueOf(result.replicas()));
    if (!result.history().isEmpty()) {
      EpochMetrics last = result.history().get(result.history().size() - 1);
      meta.put("epochs", String.valueOf(last.epoch()));
      meta.put("val_neg_elbo", String.valueOf(last.valNegElbo()));
      meta.put("train_neg_elbo", String.valueOf(last.trainNegElbo()));
    }
    TrainedVae trained = new TrainedVae(result.config(), result.state().params(), meta);
    return new VaeModel(org.apache.spark.ml.util.Identifiable.randomUID("vae"), trained, result.history());
  }

  /**
   * Writes the model to {@code path}, replacing a previous model (only with {@code overwrite}, never
   * a foreign folder) once the new one is complete.
   */
  static void write(SparkSession spark, VaeModel model, String path, boolean overwrite) throws IOException {
    DirectorySwap.replace(path, spark.sparkContext().hadoopConfiguration(), OutputGuard.model(overwrite),
        staging -> model.write().save(staging));
  }

  /**
   * Writes the report; its pictures of test images use up to {@code maxRows} rows of the
   * validation data (collected to the driver: a few thousand rows at most).
   */
  static void report(Path dir, VaeModel model, org.apache.spark.sql.Dataset<Row> validation, String featuresCol,
      int[] imageShape, int maxRows, long seed) throws IOException {
    Dataset test = null;
    if (validation != null) {
      boolean labels = Arrays.asList(validation.columns()).contains("label");
      org.apache.spark.sql.Dataset<Row> sample = labels
          ? validation.select(featuresCol, "label") : validation.select(featuresCol);
      List<Row> rows = sample.na().drop().limit(maxRows).collectAsList();
      int dim = model.vaeConfig().inputDim();
      float[] x = new float[rows.size() * dim];
      int[] y = labels ? new int[rows.size()] : null;
      for (int i = 0; i < rows.size(); i++) {
        FeatureColumn.copy(rows.get(i).get(0), x, i * dim);
        if (y != null) {
          y[i] = ((Number) rows.get(i).get(1)).intValue();
        }
      }
      test = rows.isEmpty() ? null : new Dataset(x, rows.size(), dim, y);
    }
    TrainingReport.write(dir, model.trainedVae(), model.trainingHistory(), test, imageShape[0], imageShape[1], seed);
  }
}
