package io.sparkvae.spark.ml;

import io.sparkvae.model.averaging.ScaleOutPlan;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.data.Dataset;
import io.sparkvae.model.format.TrainedVae;
import io.sparkvae.spark.fs.MetricsFile;
import io.sparkvae.spark.fs.OutputGuard;
import io.sparkvae.spark.report.TrainingReport;
import io.sparkvae.spark.train.Checkpoints;
import io.sparkvae.spark.train.DistributedConfig;
import io.sparkvae.spark.train.DistributedTrainer;
import io.sparkvae.spark.train.EpochMetrics;
import io.sparkvae.spark.train.FeatureColumn;
import io.sparkvae.spark.train.RunOptions;
import io.sparkvae.spark.train.ShardMemory;
import io.sparkvae.spark.train.TrainingListener;
import io.sparkvae.spark.train.TrainingProgress;
import io.sparkvae.spark.train.TrainingRequest;
import io.sparkvae.spark.train.TrainingResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fit of {@link VaeEstimator}: the single training path of the Spark ML API and of the command
 * line ({@code TrainJob} is a shell that reads the input, fits the estimator and writes the model).
 * Around {@link DistributedTrainer#fit} it does what the {@link RunOptions} ask: checks the outputs
 * before any training, checks that the shards fit in memory, starts from a checkpoint ({@code
 * resume}), writes checkpoints and the metrics file while training, and the report after it.
 */
final class TrainingRun {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

  /** What the run produced: the trained model (with its metadata) and its per-epoch history. */
  record Outcome(TrainedVae trained, List<EpochMetrics> history) {}

  private final VaeConfig config;
  private final DistributedConfig dist;
  private final RunOptions run;
  private final String column;
  private final String uid;
  private final double klWarmupFraction;

  /**
   * @param config the model, its {@code inputDim} that of the features (a contract when the user
   *     set it: rows of another size are bad rows)
   * @param klWarmupFraction above 0: train with a KL warm-up over this fraction of the run's steps
   *     instead of the config's {@code klWarmupSteps} (the trained model records the derived value)
   */
  TrainingRun(
      VaeConfig config,
      DistributedConfig dist,
      RunOptions run,
      String column,
      String uid,
      double klWarmupFraction) {
    this.config = config;
    this.dist = dist;
    this.run = run;
    this.column = column;
    this.uid = uid;
    this.klWarmupFraction = klWarmupFraction;
  }

  /**
   * Trains on {@code train} ({@code validation}: explicit validation rows, or null to hold out
   * {@code validationFraction} of {@code train}).
   */
  Outcome fit(
      org.apache.spark.sql.Dataset<Row> train, org.apache.spark.sql.Dataset<Row> validation) {
    SparkSession spark = train.sparkSession();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    checkOutputs(hadoop);
    int replicas = DistributedTrainer.replicas(dist, spark);
    checkSize(spark, train.count(), replicas);
    Checkpoints checkpoints =
        run.checkpointDir().isEmpty()
            ? null
            : new Checkpoints(
                run.checkpointDir(),
                hadoop,
                Checkpoints.identity(config, dist, replicas),
                run.checkpointsKept(),
                UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    TrainingProgress start = checkpoints == null ? null : startingPoint(checkpoints).orElse(null);
    MetricsFile metrics =
        run.metricsOut().isEmpty() ? null : new MetricsFile(run.metricsOut(), hadoop);
    if (metrics != null && start != null) {
      start.history().forEach(m -> appendMetrics(metrics, m));
    }
    TrainingRequest request =
        TrainingRequest.of(train)
            .validation(validation)
            .from(start)
            .listener(listener(metrics, checkpoints))
            .progressEvery(checkpoints == null ? 0 : run.checkpointEveryRounds())
            .klWarmupFraction(klWarmupFraction);
    TrainingResult result = new DistributedTrainer(config, dist, column).fit(request);
    // The result's config: the one given, with the KL warm-up the run derived (if it did).
    TrainedVae trained =
        new TrainedVae(
            result.config(),
            result.state().params(),
            TrainingHistory.metadata(result, uid, column, spark.version()));
    if (!run.reportDir().isEmpty()) {
      writeReport(trained, result.history(), validation);
    }
    return new Outcome(trained, result.history());
  }

  /**
   * Fails before any training when the report folder may not be replaced (see {@link OutputGuard})
   * or the metrics file names a folder.
   */
  private void checkOutputs(Configuration hadoop) {
    try {
      if (!run.reportDir().isEmpty()) {
        OutputGuard.checkReport(reportPath(), run.overwrite(), "reportDir", "overwrite");
        run.imageShape(
            config.inputDim()); // an imageSize that does not fit fails now, not after training
      }
      if (!run.metricsOut().isEmpty()) {
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(run.metricsOut());
        org.apache.hadoop.fs.FileSystem fs = path.getFileSystem(hadoop);
        if (fs.exists(path) && fs.getFileStatus(path).isDirectory()) {
          throw new IllegalArgumentException(
              "metricsOut "
                  + run.metricsOut()
                  + " is a folder; it names the metrics"
                  + " file (JSON lines): give a file name");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check the outputs: " + e.getMessage(), e);
    }
  }

  /** The report folder, which must be local (the report is for people). */
  private Path reportPath() {
    String dir = run.reportDir();
    if (dir.contains("://") && !dir.startsWith("file:")) {
      throw new IllegalArgumentException(
          "reportDir (--report-dir) must be a local folder (the report is for people)");
    }
    return dir.startsWith("file:") ? Path.of(java.net.URI.create(dir)) : Path.of(dir);
  }

  /**
   * Fails when the rows cannot be packed into the replicas' shards here; warns about tiny shards.
   */
  private void checkSize(SparkSession spark, long rows, int replicas) {
    ShardMemory.check(spark, rows, config.inputDim(), replicas);
    int fewest = ScaleOutPlan.MIN_REPLICA_BATCH;
    if (rows < (long) replicas * fewest) {
      LOG.warn(
          "{} rows for {} replicas: each replica trains on about {} rows, fewer than the smallest replica"
              + " minibatch ({}); fewer --replicas would train better",
          rows,
          replicas,
          rows / replicas,
          fewest);
    }
  }

  /**
   * Where training starts with a checkpoint directory: with {@code resume} the newest checkpoint of
   * the run written last (refused when it is already past {@code epochs}); without it, nothing,
   * after refusing to start beside another run's checkpoints unless {@code shareCheckpointDir}.
   */
  private Optional<TrainingProgress> startingPoint(Checkpoints checkpoints) {
    int epochs = dist.epochs();
    try {
      if (!run.resume()) {
        Optional<String> other = checkpoints.otherRun();
        if (other.isPresent() && !run.shareCheckpointDir()) {
          throw new IllegalArgumentException(
              "--checkpoint-dir "
                  + run.checkpointDir()
                  + " holds checkpoints of"
                  + " another run ("
                  + other.get()
                  + "): add --resume to continue that run, --share-checkpoint-dir to"
                  + " start a new run beside it (its checkpoints are kept), or use another --checkpoint-dir");
        }
        return Optional.empty();
      }
      Optional<TrainingProgress> found = checkpoints.latest();
      if (found.isEmpty()) {
        LOG.warn("--resume: no checkpoint in {}; starting from the beginning", run.checkpointDir());
      } else if (found.get().epochsDone() > epochs
          || (found.get().epochsDone() == epochs && !found.get().atEpochEnd())) {
        throw new IllegalArgumentException(
            "--resume: the checkpoint in "
                + run.checkpointDir()
                + " is already past"
                + " --epochs "
                + epochs
                + " ("
                + found.get().describe()
                + "): raise --epochs to continue that run, or"
                + " start a new run with another --checkpoint-dir");
      } else if (found.get().epochsDone() == epochs) {
        LOG.warn(
            "--resume: the checkpoint in {} has all {} epochs done; writing its model without training",
            run.checkpointDir(),
            epochs);
      }
      return found;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoints in " + run.checkpointDir(), e);
    }
  }

  /**
   * Each epoch to the metrics file, each progress to a checkpoint (the console has the trainer's
   * log line).
   */
  private TrainingListener listener(MetricsFile metrics, Checkpoints checkpoints) {
    return new TrainingListener() {
      @Override
      public void onEpoch(EpochMetrics m) {
        if (metrics != null) {
          appendMetrics(metrics, m);
        }
      }

      @Override
      public boolean keepsProgress() {
        return checkpoints != null;
      }

      @Override
      public void onProgress(TrainingProgress progress) {
        if (checkpoints == null) {
          return;
        }
        try {
          checkpoints.write(progress);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot write a checkpoint to " + run.checkpointDir(), e);
        }
      }
    };
  }

  private void appendMetrics(MetricsFile metrics, EpochMetrics m) {
    try {
      metrics.append(m.toJson());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write metrics to " + run.metricsOut(), e);
    }
  }

  /**
   * Writes the report (checked again: a report may have appeared while training); its pictures of
   * test images use up to {@code reportRows} rows of the explicit validation data (collected to the
   * driver: a few thousand rows at most).
   */
  private void writeReport(
      TrainedVae trained,
      List<EpochMetrics> history,
      org.apache.spark.sql.Dataset<Row> validation) {
    Path dir = reportPath();
    int[] shape = run.imageShape(config.inputDim());
    try {
      OutputGuard.checkReport(dir, run.overwrite(), "reportDir", "overwrite");
      Dataset test = validation == null ? null : reportRows(validation);
      TrainingReport.write(dir, trained, history, test, shape[0], shape[1], config.seed());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the report to " + dir + ": " + e.getMessage(), e);
    }
    LOG.info("report written to {}/index.html", run.reportDir());
  }

  /**
   * Up to {@code reportRows} non-null validation rows (with their labels when there is a label
   * column).
   */
  private Dataset reportRows(org.apache.spark.sql.Dataset<Row> validation) {
    boolean labels = Arrays.asList(validation.columns()).contains("label");
    org.apache.spark.sql.Dataset<Row> sample =
        labels ? validation.select(column, "label") : validation.select(column);
    List<Row> rows = sample.na().drop().limit(run.reportRows()).collectAsList();
    int dim = config.inputDim();
    float[] x = new float[rows.size() * dim];
    int[] y = labels ? new int[rows.size()] : null;
    for (int i = 0; i < rows.size(); i++) {
      FeatureColumn.copy(rows.get(i).get(0), x, i * dim);
      if (y != null) {
        y[i] = ((Number) rows.get(i).get(1)).intValue();
      }
    }
    return rows.isEmpty() ? null : new Dataset(x, rows.size(), dim, y);
  }
}
