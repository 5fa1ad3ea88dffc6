package io.sparkvae.spark.jobs;

import io.sparkvae.model.config.ParamType;
import io.sparkvae.spark.fs.OutputLock;
import io.sparkvae.spark.ml.InferenceCounts;
import io.sparkvae.spark.ml.VaeModel;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scheduled batch scoring: encodes a day's rows with a trained model and writes their key columns
 * with {@code z_mean}, {@code z_std} and the {@code neg_elbo} anomaly score as Parquet into that
 * day's partition only, replacing it atomically ({@link PartitionWriter}). Re-running a day is
 * idempotent; other days are untouched; any failure exits non-zero and leaves the previous output
 * intact. Exit status: 0 done, 2 bad options, 1 failure.
 *
 * <p>A tabular model (trained on {@code inputCols}) reads its own input columns and also writes
 * {@code column_nll} (a struct, each column's negative log-likelihood in nats) and, when it was
 * fitted with a contamination rate, {@code is_anomaly}. With {@code --date-column} a run date's
 * partition holds only that day's rows, and {@code --run-date FIRST..LAST} scores every day of a
 * range in one application, each partition replaced atomically on its own.
 *
 * <p>Unusable rows follow {@code --bad-row-policy}: {@code fail} (default) fails the run with the
 * counts of the first failing partition; {@code skip} writes them with null scores. Rows with null
 * features are written with null scores under either policy. The rows read, scored, with null
 * features and skipped by reason are logged and printed at the end; they come from {@link
 * InferenceCounts} accumulators read after the one write job, which computes each partition once
 * (nothing is cached or counted before it), so retried tasks do not count twice.
 */
public final class ScoreJob {
  private static final Logger LOG = LoggerFactory.getLogger(ScoreJob.class);

  private ScoreJob() {}

  static ScoreJobOptions parse(String[] args) {
    ScoreJobOptions o = new ScoreJobOptions();
    new CommandLine(
            "usage: submit-scripts/score.sh [spark-submit options] -- --model PATH --input PATH"
                + " [--input-format FMT] --output PATH --run-date YYYY-MM-DD",
            List.of(new OptionGroup<>("Scoring", ScoreJobOptions.PARAMS, o)))
        .parse(args);
    o.validate();
    return o;
  }

  /** Entry point for spark-submit. */
  public static void main(String[] args) {
    JobMain.run(
        args,
        ScoreJob::parse,
        o -> "sparkvae-score " + o.runDate(),
        "scoring failed, the previous output is intact",
        (spark, o) -> {
          Summary s = run(spark, o);
          int days = o.runDates().size();
          return "scored "
              + s.scored()
              + " of "
              + s.rows()
              + " rows into "
              + o.output()
              + "/"
              + o.partitionColumn()
              + "="
              + o.runDate()
              + (days > 1 ? " (" + days + " daily partitions)" : "")
              + " ("
              + s.nullFeatures()
              + " with null features, "
              + s.skipped()
              + " skipped: "
              + s.wrongSize()
              + " of the wrong size, "
              + s.nonFinite()
              + " with NaN or Inf, "
              + s.outOfRange()
              + " with values outside [0, 1])";
        });
  }

  /**
   * What a run wrote: every input row, of which {@code nullFeatures} and the skipped ones ({@code
   * wrongSize + nonFinite + outOfRange}) have null scores.
   */
  public record Summary(
      long rows, long nullFeatures, long wrongSize, long nonFinite, long outOfRange) {
    /** Rows skipped under badRowPolicy=skip. */
    public long skipped() {
      return wrongSize + nonFinite + outOfRange;
    }

    /** Rows with scores. */
    public long scored() {
      return rows - nullFeatures - skipped();
    }
  }

  /**
   * Scores the input into the run's partition; returns what it wrote. The partition is locked for
   * the run ({@link OutputLock}): a second run for the same day fails at once and leaves the first
   * one's work alone.
   */
  public static Summary run(SparkSession spark, ScoreJobOptions o) throws IOException {
    // Loaded once for all the run's days, and before any partition is locked: a wrong model path
    // fails at once without touching the output.
    VaeModel model = loadModel(o);
    Summary total = new Summary(0, 0, 0, 0, 0);
    for (String day : o.runDates()) {
      String partition = o.partitionColumn() + "=" + day;
      Path lockFile = new Path(o.output(), "_sparkvae-lock-" + partition);
      OutputLock lock =
          OutputLock.acquire(
              lockFile.getFileSystem(spark.sparkContext().hadoopConfiguration()),
              lockFile,
              "the partition " + o.output() + "/" + partition,
              Duration.ofMinutes(o.lockTimeoutMinutes()));
      try {
        Summary s = scoreDay(spark, model, o, day);
        total =
            new Summary(
                total.rows() + s.rows(),
                total.nullFeatures() + s.nullFeatures(),
                total.wrongSize() + s.wrongSize(),
                total.nonFinite() + s.nonFinite(),
                total.outOfRange() + s.outOfRange());
      } finally {
        lock.close();
      }
    }
    return total;
  }

  private static VaeModel loadModel(ScoreJobOptions o) {
    try {
      return VaeModel.load(o.model());
    } catch (Exception e) { // Spark's AnalysisException is a checked exception to Java
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalArgumentException(
          "cannot load the model " + o.model() + ": " + JobMain.rootMessage(e), e);
    }
  }

  /** Scores one day's rows into its partition (which the caller has locked). */
  private static Summary scoreDay(SparkSession spark, VaeModel model, ScoreJobOptions o, String day)
      throws IOException {
    Dataset<Row> input = readDay(spark, model, o, day);
    List<String> ids = idColumns(input, featureColumns(model, o), o);
    InferenceCounts counts =
        InferenceCounts.register(spark.sparkContext(), "sparkvae-score " + day);
    Dataset<Row> scored =
        model
            .copy(new org.apache.spark.ml.param.ParamMap())
            .setFeaturesCol(o.featuresCol())
            .setLatentMeanCol("z_mean")
            .setLatentStdCol("z_std")
            .setNegElboCol("neg_elbo")
            .setNegElboSamples(o.negElboSamples())
            .setInferenceBatchSize(o.inferenceBatchSize())
            .setBadRowPolicy(ParamType.nameOf(o.badRowPolicy()))
            .setColumnNllCol("column_nll")
            .setAnomalyCol("is_anomaly")
            .transform(input, counts);
    Dataset<Row> result = scored.select(outputColumns(model, ids).toArray(new Column[0]));
    // The write is the only action on the scored rows: no cache() and count() before it, which
    // would compute (and count) every partition a second time when a cached block is lost.
    PartitionWriter.replacePartition(result, o.output(), o.partitionColumn(), day);
    Summary s =
        new Summary(
            counts.rows(),
            counts.nullFeatures(),
            counts.wrongSize(),
            counts.nonFinite(),
            counts.outOfRange());
    if (s.skipped() > 0 || s.nullFeatures() > 0) {
      LOG.warn("scored {}: {}", day, counts);
    } else {
      LOG.info("scored {}: {}", day, counts);
    }
    return s;
  }

  /** The input rows of {@code day} (all rows when no date column is set). */
  private static Dataset<Row> readDay(
      SparkSession spark, VaeModel model, ScoreJobOptions o, String day) {
    // A tabular model reads its own input columns: nothing is assembled.
    Dataset<Row> input =
        InputReader.read(
            spark,
            o.input(),
            o.inputFormat(),
            o.featuresCol(),
            model.tabular() != null ? "" : o.featureColumns(),
            Math.max(2, spark.sparkContext().defaultParallelism()));
    if (!o.dateColumn().isEmpty()) {
      input =
          input.where(functions.to_date(functions.col(o.dateColumn())).equalTo(functions.lit(day)));
    }
    return input;
  }

  /** The input columns the model reads, which are therefore not carried as ids. */
  private static List<String> featureColumns(VaeModel model, ScoreJobOptions o) {
    if (model.tabular() != null) {
      return new ArrayList<>(model.tabular().sources());
    }
    List<String> features = new ArrayList<>(List.of(o.featuresCol()));
    if (!o.featureColumns().isBlank()) {
      Arrays.stream(o.featureColumns().split(",")).map(String::trim).forEach(features::add);
    }
    return features;
  }

  /** The columns copied beside the scores: the configured ones, or every non-feature column. */
  private static List<String> idColumns(
      Dataset<Row> input, List<String> features, ScoreJobOptions o) {
    List<String> ids = new ArrayList<>();
    if (o.idColumns().isBlank()) {
      for (String c : input.columns()) {
        if (!features.contains(c) && !c.equals(o.partitionColumn())) {
          ids.add(c);
        }
      }
      return ids;
    }
    for (String c : o.idColumns().split(",")) {
      String name = c.trim();
      if (!Arrays.asList(input.columns()).contains(name)) {
        throw new IllegalArgumentException(
            "id column '"
                + name
                + "' is not in "
                + o.input()
                + "; "
                + io.sparkvae.spark.train.FeatureColumn.columnList(input.columns()));
      }
      ids.add(name);
    }
    return ids;
  }

  private static List<Column> outputColumns(VaeModel model, List<String> ids) {
    List<Column> out = new ArrayList<>();
    ids.forEach(c -> out.add(functions.col(c)));
    out.add(functions.col("z_mean"));
    out.add(functions.col("z_std"));
    out.add(functions.col("neg_elbo"));
    if (model.tabular() != null) {
      out.add(functions.col("column_nll"));
      if (!Double.isNaN(model.anomalyThreshold())) {
        out.add(functions.col("is_anomaly"));
      }
    }
    return out;
  }
}
