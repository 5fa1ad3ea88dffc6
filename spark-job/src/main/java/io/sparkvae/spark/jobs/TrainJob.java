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
import io.sparkvae.spark.fs.DirectorySwap;
import java.util.Optional;
import java.util.UUID;
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

  /**
   * The parsed options of one run.
   *
   * @param inputDimGiven whether {@code inputDim} was set (a contract: rows of another size are bad
   *     rows) rather than left to be taken from the data
   */
  record Parsed(VaeConfig.Builder vae, DistributedConfig dist, TrainJobOptions job, boolean inputDimGiven) {}

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
    return new Parsed(vae, dist.build(), job, cl.given().contains("inputDim"));
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

  /**
   * Fails before any training when an output folder may not be replaced (see {@link OutputGuard}),
   * after repairing a model folder that an interrupted run left renamed aside.
   */
  private static void checkOutputs(SparkSession spark, TrainJobOptions job) {
    try {
      org.apache.hadoop.fs.Path model = new org.apache.hadoop.fs.Path(job.modelOut());
      org.apache.hadoop.fs.FileSystem fs = model.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (model.getParent() != null) {
        DirectorySwap.recover(fs, model);
      }
      OutputGuard.checkModel(fs, model, job.overwrite());
      if (!job.reportDir().isEmpty()) {
        OutputGuard.checkReport(reportPath(job), job.overwrite());
      }
      if (!job.metricsOut().isEmpty()) {
        org.apache.hadoop.fs.Path metrics = new org.apache.hadoop.fs.Path(job.metricsOut());
        org.apache.hadoop.fs.FileSystem mfs = metrics.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (mfs.exists(metrics) && mfs.getFileStatus(metrics).isDirectory()) {
          throw new IllegalArgumentException("--metrics-out " + job.metricsOut() + " is a folder; it names the"
              + " metrics file (JSON lines): give a file name");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check the outputs: " + e.getMessage(), e);
    }
  }

  private static java.nio.file.Path reportPath(TrainJobOptions job) {
    String dir = job.reportDir();
    return dir.startsWith("file:") ? java.nio.file.Path.of(java.net.URI.create(dir)) : java.nio.file.Path.of(dir);
  }

  /**
   * Where training starts with a checkpoint directory: with {@code --resume} the newest checkpoint
   * of the run written last (refused when it is already past {@code --epochs}); without it, nothing,
   * after refusing to start beside another run's checkpoints unless {@code --share-checkpoint-dir}.
   */
  private static Optional<TrainingProgress> startingPoint(Checkpoints checkpoints, TrainJobOptions job, int epochs) {
    try {
      if (!job.resume()) {
        Optional<String> other = checkpoints.otherRun();
        if (other.isPresent() && !job.shareCheckpointDir()) {
          throw new IllegalArgumentException("--checkpoint-dir " + job.checkpointDir() + " holds checkpoints of"
              + " another run (" + other.get() + "): add --resume to continue that run, --share-checkpoint-dir to"
              + " start a new run beside it (its checkpoints are kept), or use another --checkpoint-dir");
        }
        return Optional.empty();
      }
      Optional<TrainingProgress> found = checkpoints.latest();
      if (found.isEmpty()) {
        LOG.warn("--resume: no checkpoint in {}; starting from the beginning", job.checkpointDir());
      } else if (found.get().epochsDone() > epochs
          || (found.get().epochsDone() == epochs && !found.get().atEpochEnd())) {
        throw new IllegalArgumentException("--resume: the checkpoint in " + job.checkpointDir() + " is already past"
            + " --epochs " + epochs + " (" + found.get().describe() + "): raise --epochs to continue that run, or"
            + " start a new run with another --checkpoint-dir");
      } else if (found.get().epochsDone() == epochs) {
        LOG.warn("--resume: the checkpoint in {} has all {} epochs done; writing its model without training",
            job.checkpointDir(), epochs);
      }
      return found;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoints in " + job.checkpointDir(), e);
    }
  }

  /** Runs a parsed training job on a session; null for a {@code --tabular} run (see TabularTraining). */
  public static TrainingResult run(SparkSession spark, Parsed p) {
    TrainJobOptions job = p.job();
    if (!job.reportDir().isEmpty() && job.reportDir().contains("://") && !job.reportDir().startsWith("file:")) {
      throw new IllegalArgumentException("--report-dir must be a local folder (the report is for people)");
    }
    checkOutputs(spark, job);
    int partitions = Math.max(2, spark.sparkContext().defaultParallelism());
    if (job.tabular()) {
      // VaeEstimator trains it; the model (with its history) is what a tabular run produces.
      TabularTraining.run(spark, p, partitions);
      return null;
    }
    Dataset<Row> train = InputReader.read(spark, job.input(), job.inputFormat(), job.featuresCol(),
        job.featureColumns(), partitions);
    if (!job.inputFilter().isEmpty()) {
      train = train.where(job.inputFilter());
    }
    Dataset<Row> validation = job.validationInput().isEmpty() ? null
        : InputReader.read(spark, job.validationInput(), job.inputFormat(), job.featuresCol(), job.featureColumns(),
            partitions);
    new FeatureColumn(job.featuresCol()).validate(train.schema());
    VaeConfig config;
    if (p.inputDimGiven()) {
      config = p.vae().build();
      if (job.inputFormat().equals("libsvm")) {
        // libsvm vectors take the largest index in the file as their size: fit them to the given
        // dimension, and a row with an index beyond it stays too long, a bad row.
        train = LibSvmRows.fit(train, job.featuresCol(), config.inputDim());
        validation = validation == null ? null : LibSvmRows.fit(validation, job.featuresCol(), config.inputDim());
      }
    } else {
      Row first = train.select(job.featuresCol()).na().drop().head();
      config = p.vae().inputDim(FeatureColumn.size(first.get(0))).build();
    }
    long rows = train.count();
    int replicas = DistributedTrainer.replicas(p.dist(), spark);
    ShardMemory.check(spark, rows, config.inputDim(), replicas);
    int fewest = io.sparkvae.model.averaging.ScaleOutPlan.MIN_REPLICA_BATCH;
    if (rows < (long) replicas * fewest) {
      LOG.warn("{} rows for {} replicas: each replica trains on about {} rows, fewer than the smallest replica"
          + " minibatch ({}); fewer --replicas would train better", rows, replicas, rows / replicas, fewest);
    }
    MetricsFile metrics = job.metricsOut().isEmpty() ? null
        : new MetricsFile(job.metricsOut(), spark.sparkContext().hadoopConfiguration());
    DistributedTrainer trainer = new DistributedTrainer(config, p.dist(), job.featuresCol());
    Checkpoints checkpoints = job.checkpointDir().isEmpty() ? null
        : new Checkpoints(job.checkpointDir(), spark.sparkContext().hadoopConfiguration(),
            Checkpoints.identity(config, p.dist(), DistributedTrainer.replicas(p.dist(), spark)), job.checkpointsKept(),
            UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    TrainingProgress start = new TrainingProgress(0, 0,
        TrainingState.initial(ParamInit.initialize(ParamLayout.of(config), config.seed())), null, List.of());
    if (checkpoints != null) {
      start = startingPoint(checkpoints, job, p.dist().epochs()).orElse(start);
    }
    if (metrics != null) {
      for (EpochMetrics m : start.history()) {
        appendMetrics(metrics, m, job);
      }
    }
    // Each epoch is on the console once, as the trainer's log line; the JSON goes to --metrics-out.
    TrainingListener listener = new TrainingListener() {
      @Override
      public void onEpoch(EpochMetrics m) {
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
      ModelOutput.write(spark, model, job.modelOut(), job.overwrite());
      LOG.info("model written to {}", job.modelOut());
      if (!job.reportDir().isEmpty()) {
        OutputGuard.checkReport(reportPath(job), job.overwrite());
        ModelOutput.report(reportPath(job), model, validation, job.featuresCol(),
            job.imageShape(config.inputDim()), job.reportRows(), config.seed());
        LOG.info("report written to {}/index.html", job.reportDir());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the outputs: " + e.getMessage(), e);
    }
    return result;
  }
}
