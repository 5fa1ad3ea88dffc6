package io.sparkvae.spark.jobs;

import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.spark.train.DistributedConfig;
import io.sparkvae.spark.train.DistributedTrainer;
import io.sparkvae.spark.train.FeatureColumn;
import io.sparkvae.model.train.TrainingState;
import io.sparkvae.model.vae.ParamInit;
import io.sparkvae.model.vae.ParamLayout;
import io.sparkvae.spark.train.Checkpoints;
import io.sparkvae.spark.train.EpochMetrics;
import io.sparkvae.spark.train.TrainingListener;
import io.sparkvae.spark.train.TrainingProgress;
import io.sparkvae.spark.train.TrainingRequest;
import io.sparkvae.spark.train.TrainingResult;
import java.util.Optional;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code spark-submit} training job: reads the input, trains a VAE with distributed parameter
 * averaging, writes the model, the metrics (JSON lines) and the report. Options come from the
 * declarations of {@link VaeConfig}, {@link DistributedConfig} and {@link TrainJobOptions}; they are
 * all parsed and validated before Spark starts. Exit status: 0 done, 2 bad options, 1 failure.
 */
public final class TrainJob {
  private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

  private TrainJob() {}

  /** The parsed options of one run. */
  record Parsed(VaeConfig.Builder vae, DistributedConfig dist, TrainJobOptions job) {}

  static Parsed parse(String[] args) {
    VaeConfig.Builder vae = VaeConfig.builder();
    DistributedConfig.Builder dist = DistributedConfig.builder();
    TrainJobOptions job = new TrainJobOptions();
    CommandLine cl = new CommandLine(
        "usage: submit-scripts/train.sh [spark-submit options] -- [options]",
        List.of(new OptionGroup<>("Job", TrainJobOptions.PARAMS, job),
            new OptionGroup<>("Distributed training", DistributedConfig.PARAMS, dist),
            new OptionGroup<>("Model and optimizer", VaeConfig.PARAMS, vae)));
    cl.parse(args);
    job.validate();
    vae.build(); // the cross-field rules, before Spark starts
    return new Parsed(vae, dist.build(), job);
  }

  /** Entry point for spark-submit. */
  public static void main(String[] args) {
    JobMain.run(args, TrainJob::parse, p -> "sparkvae-train", "training failed", (spark, p) -> {
      run(spark, p);
      return null;
    });
  }

  private static void appendMetrics(MetricsFile metrics, EpochMetrics m, TrainJobOptions job) {
    try {
      metrics.append(m.toJson());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write metrics to " + job.metricsOut(), e);
    }
  }

  /** Runs a parsed training job on a session. */
  public static TrainingResult run(SparkSession spark, Parsed p) {
    TrainJobOptions job = p.job();
    if (!job.reportDir().isEmpty() && job.reportDir().contains("://") && !job.reportDir().startsWith("file:")) {
      throw new IllegalArgumentException("--report-dir must be a local folder (the report is for people)");
    }
    int partitions = Math.max(2, spark.sparkContext().defaultParallelism());
    Dataset<Row> train = InputReader.read(spark, job.input(), job.inputFormat(), job.featuresCol(),
        job.featureColumns(), partitions);
    Dataset<Row> validation = job.validationInput().isEmpty() ? null
        : InputReader.read(spark, job.validationInput(), job.inputFormat(), job.featuresCol(), job.featureColumns(),
            partitions);
    new FeatureColumn(job.featuresCol()).validate(train.schema());
    Row first = train.select(job.featuresCol()).na().drop().head();
    VaeConfig config = p.vae().inputDim(FeatureColumn.size(first.get(0))).build();
    MetricsFile metrics = job.metricsOut().isEmpty() ? null
        : new MetricsFile(job.metricsOut(), spark.sparkContext().hadoopConfiguration());
    DistributedTrainer trainer = new DistributedTrainer(config, p.dist(), job.featuresCol());
    Checkpoints checkpoints = job.checkpointDir().isEmpty() ? null
        : new Checkpoints(job.checkpointDir(), spark.sparkContext().hadoopConfiguration(),
            Checkpoints.identity(config, p.dist(), DistributedTrainer.replicas(p.dist(), spark)), job.checkpointsKept());
    TrainingProgress start = new TrainingProgress(0, 0,
        TrainingState.initial(ParamInit.initialize(ParamLayout.of(config), config.seed())), null, List.of());
    if (job.resume()) {
      try {
        Optional<TrainingProgress> found = checkpoints.latest();
        if (found.isPresent()) {
          start = found.get();
        } else {
          LOG.warn("--resume: no checkpoint in {}; starting from the beginning", job.checkpointDir());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read checkpoints in " + job.checkpointDir(), e);
      }
    }
    if (metrics != null) {
      for (EpochMetrics m : start.history()) {
        appendMetrics(metrics, m, job);
      }
    }
    TrainingListener listener = new TrainingListener() {
      @Override
      public void onEpoch(EpochMetrics m) {
        System.out.println(m.toJson());
        if (metrics != null) {
          appendMetrics(metrics, m, job);
        }
      }

      @Override
      public void onProgress(TrainingProgress progress) {
        if (checkpoints == null) {
          return;
        }
        try {
          checkpoints.write(progress);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot write a checkpoint to " + job.checkpointDir(), e);
        }
      }
    };
    TrainingResult result = trainer.fit(TrainingRequest.of(train).validation(validation).from(start)
        .listener(listener).progressEvery(checkpoints == null ? 0 : job.checkpointEveryRounds()));
    io.sparkvae.spark.ml.VaeModel model = ModelOutput.model(result);
    try {
      ModelOutput.write(spark, model, job.modelOut());
      LOG.info("model written to {}", job.modelOut());
      if (!job.reportDir().isEmpty()) {
        ModelOutput.report(java.nio.file.Path.of(job.reportDir()), model, validation, job.featuresCol(),
            job.imageShape(config.inputDim()), job.reportRows(), config.seed());
        LOG.info("report written to {}/index.html", job.reportDir());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the outputs: " + e.getMessage(), e);
    }
    return result;
  }
}
