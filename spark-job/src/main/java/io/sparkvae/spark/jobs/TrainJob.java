package io.sparkvae.spark.jobs;

import io.sparkvae.model.config.ParamSpec;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.spark.fs.HadoopPublisher;
import io.sparkvae.spark.fs.OutputGuard;
import io.sparkvae.spark.ml.TabularSettings;
import io.sparkvae.spark.ml.VaeEstimator;
import io.sparkvae.spark.ml.VaeModel;
import io.sparkvae.spark.train.DistributedConfig;
import io.sparkvae.spark.train.FeatureColumn;
import io.sparkvae.spark.train.RunOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import org.apache.spark.ml.param.Param;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code spark-submit} training job, a shell over {@link VaeEstimator}: reads the input, fits
 * the estimator (which trains with distributed parameter averaging and writes the checkpoints, the
 * metrics (JSON lines) and the report) and writes the model. Options come from the declarations of
 * {@link VaeConfig}, {@link DistributedConfig}, {@link RunOptions} and {@link TrainJobOptions};
 * they are all parsed and validated before Spark starts, and each one given becomes the estimator
 * param of the same name. Exit status: 0 done, 2 bad options, 1 failure.
 */
public final class TrainJob {
  private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

  private TrainJob() {}

  /**
   * The parsed options of one run.
   *
   * @param given the declared (camelCase) names of the options a config file or the command line
   *     set; only those are set on the estimator, the others keep its defaults (which are the same)
   */
  record Parsed(
      VaeConfig.Builder vae,
      DistributedConfig dist,
      RunOptions run,
      TabularSettings tabular,
      TrainJobOptions job,
      Set<String> given) {}

  static Parsed parse(String[] args) {
    VaeConfig.Builder vae = VaeConfig.builder();
    DistributedConfig.Builder dist = DistributedConfig.builder();
    RunOptions.Builder run = RunOptions.builder();
    TabularSettings tabular = TabularSettings.defaults();
    TrainJobOptions job = new TrainJobOptions();
    CommandLine cl =
        new CommandLine(
            "usage: submit-scripts/train.sh [spark-submit options] -- [options]",
            List.of(
                new OptionGroup<>("Job", TrainJobOptions.PARAMS, job),
                new OptionGroup<>("Checkpoints, metrics and report", RunOptions.PARAMS, run),
                new OptionGroup<>("Distributed training", DistributedConfig.PARAMS, dist),
                new OptionGroup<>(
                    "Tabular input (with --tabular)", TabularSettings.PARAMS, tabular),
                new OptionGroup<>("Model and optimizer", VaeConfig.PARAMS, vae)));
    cl.parse(args);
    job.validate();
    vae.build(); // the cross-field rules, before Spark starts
    if (job.tabular() && job.featureColumns().isBlank() && !cl.given().contains("inputCols")) {
      throw new IllegalArgumentException(
          "--tabular needs --feature-columns (the input columns to model)");
    }
    return new Parsed(vae, dist.build(), run.build(), tabular, job, Set.copyOf(cl.given()));
  }

  /** Entry point for spark-submit. */
  public static void main(String[] args) {
    JobMain.run(
        args,
        TrainJob::parse,
        p -> "sparkvae-train",
        "training failed",
        (spark, p) -> {
          run(spark, p);
          return null;
        });
  }

  /**
   * Fails before any training when an output folder may not be replaced (see {@link OutputGuard}),
   * after repairing a model folder that an interrupted run left renamed aside.
   */
  private static void checkOutputs(SparkSession spark, TrainJobOptions job, RunOptions run) {
    try {
      org.apache.hadoop.fs.Path model = new org.apache.hadoop.fs.Path(job.modelOut());
      org.apache.hadoop.fs.FileSystem fs =
          model.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (model.getParent() != null) {
        HadoopPublisher.recover(fs, model);
      }
      OutputGuard.checkModel(fs, model, run.overwrite());
      if (!run.reportDir().isEmpty()) {
        OutputGuard.checkReport(reportPath(run), run.overwrite());
      }
      if (!run.metricsOut().isEmpty()) {
        org.apache.hadoop.fs.Path metrics = new org.apache.hadoop.fs.Path(run.metricsOut());
        org.apache.hadoop.fs.FileSystem mfs =
            metrics.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (mfs.exists(metrics) && mfs.getFileStatus(metrics).isDirectory()) {
          throw new IllegalArgumentException(
              "--metrics-out "
                  + run.metricsOut()
                  + " is a folder; it names the"
                  + " metrics file (JSON lines): give a file name");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check the outputs: " + e.getMessage(), e);
    }
  }

  private static java.nio.file.Path reportPath(RunOptions run) {
    String dir = run.reportDir();
    return dir.startsWith("file:")
        ? java.nio.file.Path.of(java.net.URI.create(dir))
        : java.nio.file.Path.of(dir);
  }

  /**
   * The estimator the options describe: each option given (on the command line or in a config file)
   * set to its value, {@code --input-dim} through Spark's generic setter (a contract: rows of
   * another size are bad rows), every other param at its default.
   */
  static VaeEstimator estimator(Parsed p) {
    VaeEstimator est = new VaeEstimator();
    VaeConfig vae = p.vae().build();
    for (ParamSpec<VaeConfig, VaeConfig.Builder, ?> spec : VaeConfig.PARAMS) {
      if (p.given().contains(spec.name()) && !spec.name().equals("inputDim")) {
        est.setValue(spec.name(), spec.get(vae));
      }
    }
    if (p.given().contains("inputDim")) {
      Param<Object> inputDim = est.getParam("inputDim");
      est.set(inputDim, (Object) vae.inputDim());
    }
    for (ParamSpec<DistributedConfig, DistributedConfig.Builder, ?> spec :
        DistributedConfig.PARAMS) {
      if (p.given().contains(spec.name())) {
        est.setValue(spec.name(), spec.get(p.dist()));
      }
    }
    for (ParamSpec<RunOptions, RunOptions.Builder, ?> spec : RunOptions.PARAMS) {
      if (p.given().contains(spec.name())) {
        est.setValue(spec.name(), spec.get(p.run()));
      }
    }
    for (ParamSpec<TabularSettings, TabularSettings, ?> spec : TabularSettings.PARAMS) {
      if (p.given().contains(spec.name())) {
        est.setValue(spec.name(), spec.get(p.tabular()));
      }
    }
    if (p.job().tabular() && !p.given().contains("inputCols")) {
      est.setInputCols(p.job().featureColumns());
    }
    if (p.given().contains("featuresCol")) {
      est.setFeaturesCol(p.job().featuresCol());
    }
    return est;
  }

  /** Runs a parsed training job on a session and returns the model it wrote. */
  public static VaeModel run(SparkSession spark, Parsed p) {
    TrainJobOptions job = p.job();
    RunOptions run = p.run();
    if (!run.reportDir().isEmpty()
        && run.reportDir().contains("://")
        && !run.reportDir().startsWith("file:")) {
      throw new IllegalArgumentException(
          "--report-dir must be a local folder (the report is for people)");
    }
    checkOutputs(spark, job, run);
    int partitions = Math.max(2, spark.sparkContext().defaultParallelism());
    // A tabular input is read as it is (its columns are the estimator's inputCols), not assembled.
    String assemble = job.tabular() ? "" : job.featureColumns();
    Dataset<Row> train =
        InputReader.read(
            spark, job.input(), job.inputFormat(), job.featuresCol(), assemble, partitions);
    if (!job.inputFilter().isEmpty()) {
      train = train.where(job.inputFilter());
    }
    Dataset<Row> validation =
        job.validationInput().isEmpty()
            ? null
            : InputReader.read(
                spark,
                job.validationInput(),
                job.inputFormat(),
                job.featuresCol(),
                assemble,
                partitions);
    if (!job.tabular()) {
      new FeatureColumn(job.featuresCol()).validate(train.schema());
    }
    if (p.given().contains("inputDim") && job.inputFormat() == InputFormat.LIBSVM) {
      // libsvm vectors take the largest index in the file as their size: fit them to the given
      // dimension, and a row with an index beyond it stays too long, a bad row.
      int dim = p.vae().build().inputDim();
      train = LibSvmRows.fit(train, job.featuresCol(), dim);
      validation = validation == null ? null : LibSvmRows.fit(validation, job.featuresCol(), dim);
    }
    VaeModel model = estimator(p).fit(train, validation);
    try {
      ModelOutput.write(spark, model, job.modelOut(), run.overwrite());
      LOG.info("model written to {}", job.modelOut());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the outputs: " + e.getMessage(), e);
    }
    return model;
  }
}
