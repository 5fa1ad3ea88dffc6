package io.sparkvae.spark.jobs;

import static io.sparkvae.model.config.ParamSpecs.bool;
import static io.sparkvae.model.config.ParamSpecs.choice;
import static io.sparkvae.model.config.ParamSpecs.path;
import static io.sparkvae.model.config.ParamSpecs.text;

import io.sparkvae.model.config.ParamSpec;
import io.sparkvae.spark.ml.MlSettings;
import java.io.Serializable;
import java.util.List;

/**
 * The options of {@link TrainJob} that only the command line has: the input and where the model
 * goes. Checkpoints, resume, the metrics file and the report are {@link
 * io.sparkvae.spark.train.RunOptions}, shared with the Spark ML estimator.
 */
public final class TrainJobOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  private String input;
  private InputFormat inputFormat;
  private String featuresCol;
  private String featureColumns;
  private String validationInput;
  private String modelOut;
  private boolean tabular;
  private String inputFilter;

  /** Every option, declared once. */
  public static final List<ParamSpec<TrainJobOptions, TrainJobOptions, ?>> PARAMS =
      List.of(
          path(
              "input",
              "Training data: a file or directory (idx: the images file).",
              c -> c.input,
              (b, v) -> b.input = v),
          choice(
              "inputFormat",
              "Format of the inputs.",
              InputFormat.class,
              InputFormat.IDX,
              c -> c.inputFormat,
              (b, v) -> b.inputFormat = v),
          MlSettings.FEATURES_COL.rebind(c -> c.featuresCol, (b, v) -> b.featuresCol = v),
          text(
              "featureColumns",
              "Comma-separated numeric columns to assemble into the features (csv, parquet).",
              "",
              true,
              c -> c.featureColumns,
              (b, v) -> b.featureColumns = v),
          path(
              "validationInput",
              "Validation data in the same format (else validationFraction of the input).",
              c -> c.validationInput,
              (b, v) -> b.validationInput = v),
          path(
              "modelOut",
              "Where to write the trained model (a VaeModel directory).",
              c -> c.modelOut,
              (b, v) -> b.modelOut = v),
          bool(
              "tabular",
              "Tabular input: featureColumns names the input columns (strings, integers, floating point,"
                  + " booleans, timestamps), each with its own likelihood (VaeEstimator's inputCols), instead of numeric"
                  + " columns assembled into one vector; see the tabular options.",
              false,
              c -> c.tabular,
              (b, v) -> b.tabular = v),
          text(
              "inputFilter",
              "A Spark SQL condition selecting the training rows of the input, e.g."
                  + " \"date < '2001-05-01'\"; empty: every row.",
              "",
              true,
              c -> c.inputFilter,
              (b, v) -> b.inputFilter = v));

  /** Options with every default. */
  public TrainJobOptions() {
    for (ParamSpec<TrainJobOptions, TrainJobOptions, ?> p : PARAMS) {
      def(p);
    }
  }

  private <T> void def(ParamSpec<TrainJobOptions, TrainJobOptions, T> p) {
    p.set(this, p.defaultValue());
  }

  /** Checks the rules that span options; names the option at fault. */
  public void validate() {
    if (input.isEmpty()) {
      throw new IllegalArgumentException("missing --input (the training data)");
    }
    if (modelOut.isEmpty()) {
      throw new IllegalArgumentException("missing --model-out (where to write the model)");
    }
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

  public boolean tabular() {
    return tabular;
  }

  public String inputFilter() {
    return inputFilter;
  }

  public String featureColumns() {
    return featureColumns;
  }

  public String validationInput() {
    return validationInput;
  }

  public String modelOut() {
    return modelOut;
  }
}
