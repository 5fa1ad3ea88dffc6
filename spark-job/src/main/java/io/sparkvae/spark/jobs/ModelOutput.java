package io.sparkvae.spark.jobs;

import io.sparkvae.model.format.ModelFormat;
import io.sparkvae.model.format.TrainedVae;
import io.sparkvae.spark.train.EpochMetrics;
import io.sparkvae.spark.train.TrainingResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** Writes a job's trained model. */
final class ModelOutput {
  private ModelOutput() {}

  static void write(SparkSession spark, TrainingResult result, String path) {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("trainer", "DistributedTrainer");
    meta.put("replicas", String.valueOf(result.replicas()));
    if (!result.history().isEmpty()) {
      EpochMetrics last = result.history().get(result.history().size() - 1);
      meta.put("epochs", String.valueOf(last.epoch()));
      meta.put("val_neg_elbo", String.valueOf(last.valNegElbo()));
    }
    try {
      ModelFormat.save(new TrainedVae(result.config(), result.state().params(), meta), Path.of(path), true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the model to " + path, e);
    }
  }
}
