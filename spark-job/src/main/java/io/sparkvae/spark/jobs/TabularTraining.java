package io.sparkvae.spark.jobs;

import io.sparkvae.model.config.ParamSpec;
import io.sparkvae.spark.ml.VaeEstimator;
import io.sparkvae.spark.ml.VaeModel;
import io.sparkvae.spark.train.DistributedConfig;
import io.sparkvae.spark.train.EpochMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link TrainJob} with {@code --tabular}: the input's columns named by {@code --feature-columns}
 * go to {@link VaeEstimator} as {@code inputCols} with every model and distributed option given, so
 * the job and the Spark ML API train tabular models the same way; the model is written as any
 * other, the per-epoch metrics after training.
 */
final class TabularTraining {
  private static final Logger LOG = LoggerFactory.getLogger(TabularTraining.class);

  private TabularTraining() {}

  /** Trains and writes the model; returns it. */
  static VaeModel run(SparkSession spark, TrainJob.Parsed p, int partitions) {
    TrainJobOptions job = p.job();
    if (job.featureColumns().isBlank()) {
      throw new IllegalArgumentException("--tabular needs --feature-columns (the input columns to model)");
    }
    Dataset<Row> train = InputReader.read(spark, job.input(), job.inputFormat(), job.featuresCol(), "", partitions);
    if (!job.inputFilter().isEmpty()) {
      train = train.where(job.inputFilter());
    }
    VaeEstimator est = new VaeEstimator();
    for (Map.Entry<String, Object> e : p.vae().build().toMap().entrySet()) {
      // inputDim comes from the schema, the likelihood is the tabular one.
      if (!e.getKey().equals("inputDim") && !e.getKey().equals("likelihood")) {
        est.setValue(e.getKey(), e.getValue());
      }
    }
    for (ParamSpec<DistributedConfig, DistributedConfig.Builder, ?> s : DistributedConfig.PARAMS) {
      est.setValue(s.name(), s.get(p.dist()));
    }
    est.setInputCols(job.featureColumns()).setColumnKinds(job.columnKinds())
        .setTimestampFeatures(job.timestampFeatures()).setContamination(job.contamination());
    VaeModel model = est.fit(train);
    try {
      if (!job.metricsOut().isEmpty()) {
        MetricsFile metrics = new MetricsFile(job.metricsOut(), spark.sparkContext().hadoopConfiguration());
        for (EpochMetrics m : model.trainingHistory()) {
          metrics.append(m.toJson());
        }
      }
      ModelOutput.write(spark, model, job.modelOut(), job.overwrite());
      LOG.info("tabular model written to {} (schema: {}, anomaly threshold {})", job.modelOut(),
          model.tabular().columns(), model.anomalyThreshold());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the outputs: " + e.getMessage(), e);
    }
    return model;
  }
}
