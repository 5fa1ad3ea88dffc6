package io.sparkvae.spark.jobs;

import static io.sparkvae.model.config.ParamSpecs.choice;
import static io.sparkvae.model.config.ParamSpecs.intAtLeast;
import static io.sparkvae.model.config.ParamSpecs.path;
import static io.sparkvae.model.config.ParamSpecs.text;

import io.sparkvae.model.config.ParamSpec;
import io.sparkvae.spark.ml.MlSettings;
import io.sparkvae.spark.train.BadRowPolicy;
import io.sparkvae.spark.train.DistributedConfig;
import java.io.Serializable;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The options of {@link ScoreJob}, each declared once: the ones the Spark ML stages have too
 * (featuresCol, negElboSamples, inferenceBatchSize, badRowPolicy) are their declarations, rebound.
 */
public final class ScoreJobOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  private String model;
  private String input;
  private InputFormat inputFormat;
  private String featuresCol;
  private String featureColumns;
  private String idColumns;
  private String output;
  private String runDate;
  private String partitionColumn;
  private int negElboSamples;
  private int inferenceBatchSize;
  private BadRowPolicy badRowPolicy;
  private int lockTimeoutMinutes;
  private String dateColumn;

  /** Every option. */
  public static final List<ParamSpec<ScoreJobOptions, ScoreJobOptions, ?>> PARAMS =
      List.of(
          path(
              "model",
              "The trained model (a VaeModel directory written by TrainJob).",
              c -> c.model,
              (b, v) -> b.model = v),
          path("input", "Rows to score: a file or directory.", c -> c.input, (b, v) -> b.input = v),
          choice(
              "inputFormat",
              "Format of the input.",
              InputFormat.class,
              InputFormat.PARQUET,
              c -> c.inputFormat,
              (b, v) -> b.inputFormat = v),
          MlSettings.FEATURES_COL.rebind(c -> c.featuresCol, (b, v) -> b.featuresCol = v),
          text(
              "featureColumns",
              "Comma-separated numeric columns to assemble into the features.",
              "",
              true,
              c -> c.featureColumns,
              (b, v) -> b.featureColumns = v),
          text(
              "idColumns",
              "Comma-separated key columns copied to the output (default: every input column"
                  + " that is not a feature).",
              "",
              true,
              c -> c.idColumns,
              (b, v) -> b.idColumns = v),
          path(
              "output",
              "Parquet dataset the scores go into, partitioned by partitionColumn.",
              c -> c.output,
              (b, v) -> b.output = v),
          text(
              "runDate",
              "The partition value of this run (YYYY-MM-DD or any text): only this partition is"
                  + " replaced.",
              "",
              true,
              c -> c.runDate,
              (b, v) -> b.runDate = v),
          text(
              "partitionColumn",
              "Name of the partition column.",
              "run_date",
              false,
              c -> c.partitionColumn,
              (b, v) -> b.partitionColumn = v),
          MlSettings.NEG_ELBO_SAMPLES.rebind(c -> c.negElboSamples, (b, v) -> b.negElboSamples = v),
          MlSettings.INFERENCE_BATCH_SIZE.rebind(
              c -> c.inferenceBatchSize, (b, v) -> b.inferenceBatchSize = v),
          DistributedConfig.BAD_ROW_POLICY.rebind(
              c -> c.badRowPolicy, (b, v) -> b.badRowPolicy = v),
          intAtLeast(
              "lockTimeoutMinutes",
              "A run holds a lock file beside the partition it writes; another run's lock"
                  + " older than this is stale (its run died) and is taken over.",
              1440,
              1,
              c -> c.lockTimeoutMinutes,
              (b, v) -> b.lockTimeoutMinutes = v),
          text(
              "dateColumn",
              "A date or timestamp column of the input: each run date's partition then holds only the"
                  + " rows of that calendar day, and --run-date may be a range FIRST..LAST (every day of it, each"
                  + " partition replaced on its own, in one Spark application). Empty: every input row.",
              "",
              true,
              c -> c.dateColumn,
              (b, v) -> b.dateColumn = v));

  /** Options with every default. */
  public ScoreJobOptions() {
    for (ParamSpec<ScoreJobOptions, ScoreJobOptions, ?> p : PARAMS) {
      def(p);
    }
  }

  private <T> void def(ParamSpec<ScoreJobOptions, ScoreJobOptions, T> p) {
    p.set(this, p.defaultValue());
  }

  /** The rules that span options; each message names the option. */
  public void validate() {
    if (model.isEmpty()) {
      throw new IllegalArgumentException("missing --model (the trained model directory)");
    }
    if (input.isEmpty()) {
      throw new IllegalArgumentException("missing --input (the rows to score)");
    }
    if (output.isEmpty()) {
      throw new IllegalArgumentException("missing --output (the scores dataset)");
    }
    if (runDate.isEmpty()) {
      throw new IllegalArgumentException("missing --run-date (the partition this run writes)");
    }
    if (isRange()) {
      if (dateColumn.isEmpty()) {
        throw new IllegalArgumentException(
            "--run-date "
                + runDate
                + " is a range: it needs --date-column (the"
                + " column whose calendar day selects each partition's rows)");
      }
      runDates();
      return;
    }
    if (runDate.matches("\\d{4}-\\d{2}-\\d{2}")) {
      try {
        LocalDate.parse(runDate);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "invalid value for --run-date: '" + runDate + "' is not a date");
      }
    }
    // Both name the directory column=value under --output: nothing may climb out of it (../) or
    // hide it from Spark's readers (a leading _ or .).
    if (!runDate.matches("[A-Za-z0-9][A-Za-z0-9_.:-]*")) {
      throw new IllegalArgumentException(
          "invalid value for --run-date: '"
              + runDate
              + "' (a letter or digit, then letters, digits and _ . : - only: it names a directory)");
    }
    if (!partitionColumn.matches("[A-Za-z][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException(
          "invalid value for --partition-column: '"
              + partitionColumn
              + "' (a column name: a letter, then letters, digits and _ only)");
    }
  }

  public String model() {
    return model;
  }

  public String input() {
    return input;
  }

  public InputFormat inputFormat() {
    return inputFormat;
  }

  public String featuresCol() {
    return featuresCol;
  }

  public String featureColumns() {
    return featureColumns;
  }

  public String idColumns() {
    return idColumns;
  }

  public String output() {
    return output;
  }

  public String runDate() {
    return runDate;
  }

  /** Whether runDate is a range of two dates, FIRST..LAST (anything else is one partition name). */
  private boolean isRange() {
    return runDate.matches("\\d{4}-\\d{2}-\\d{2}\\.\\.\\d{4}-\\d{2}-\\d{2}");
  }

  public String dateColumn() {
    return dateColumn;
  }

  /**
   * The run dates: every day of a range {@code FIRST..LAST}, else the one run date.
   *
   * @throws IllegalArgumentException for a range that is not two dates in order
   */
  public List<String> runDates() {
    if (!isRange()) {
      return List.of(runDate);
    }
    String[] ends = runDate.split("\\.\\.", -1);
    try {
      LocalDate first = LocalDate.parse(ends[0]);
      LocalDate last = LocalDate.parse(ends[ends.length - 1]);
      if (ends.length != 2 || last.isBefore(first)) {
        throw new IllegalArgumentException(
            "invalid value for --run-date: '" + runDate + "' (FIRST..LAST, in order)");
      }
      List<String> out = new java.util.ArrayList<>();
      for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
        out.add(d.toString());
      }
      return out;
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "invalid value for --run-date: '" + runDate + "' (FIRST..LAST, two dates)");
    }
  }

  public String partitionColumn() {
    return partitionColumn;
  }

  public int negElboSamples() {
    return negElboSamples;
  }

  public int inferenceBatchSize() {
    return inferenceBatchSize;
  }

  public int lockTimeoutMinutes() {
    return lockTimeoutMinutes;
  }

  public BadRowPolicy badRowPolicy() {
    return badRowPolicy;
  }
}
