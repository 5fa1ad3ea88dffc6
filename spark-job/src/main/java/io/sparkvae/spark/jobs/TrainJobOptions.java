package io.sparkvae.spark.jobs;

import static io.sparkvae.model.config.ParamSpecs.bool;
import static io.sparkvae.model.config.ParamSpecs.choice;
import static io.sparkvae.model.config.ParamSpecs.text;

import io.sparkvae.model.config.ParamSpec;
import java.io.Serializable;
import java.util.List;
import java.util.Set;

/** The options of {@link TrainJob} that are not hyperparameters: inputs, outputs, resumption. */
public final class TrainJobOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  private String input;
  private String inputFormat;
  private String featuresCol;
  private String featureColumns;
  private String validationInput;
  private String modelOut;
  private String metricsOut;
  private String reportDir;
  private String checkpointDir;
  private boolean resume;
  private boolean overwrite;
  private boolean shareCheckpointDir;
  private int checkpointEveryRounds;
  private int checkpointsKept;
  private String imageSize;
  private int reportRows;
  private boolean tabular;
  private String columnKinds;
  private boolean timestampFeatures;
  private double contamination;
  private String inputFilter;

  /** Every option, declared once. */
  public static final List<ParamSpec<TrainJobOptions, TrainJobOptions, ?>> PARAMS = List.of(
      text("input", "Training data: a file or directory (idx: the images file).", "", true,
          c -> c.input, (b, v) -> b.input = v),
      choice("inputFormat", "Format of the inputs.", "idx", Set.of("idx", "parquet", "csv", "libsvm"),
          c -> c.inputFormat, (b, v) -> b.inputFormat = v),
      text("featuresCol", "Column holding the features (vector, array<float> or array<double>).", "features", false,
          c -> c.featuresCol, (b, v) -> b.featuresCol = v),
      text("featureColumns", "Comma-separated numeric columns to assemble into the features (csv, parquet).", "", true,
          c -> c.featureColumns, (b, v) -> b.featureColumns = v),
      text("validationInput", "Validation data in the same format (else validationFraction of the input).", "", true,
          c -> c.validationInput, (b, v) -> b.validationInput = v),
      text("modelOut", "Where to write the trained model (a VaeModel directory).", "", true,
          c -> c.modelOut, (b, v) -> b.modelOut = v),
      text("metricsOut", "Metrics file: one JSON object per epoch.", "", true,
          c -> c.metricsOut, (b, v) -> b.metricsOut = v),
      text("reportDir", "Folder for the training report (PNG plots and index.html).", "", true,
          c -> c.reportDir, (b, v) -> b.reportDir = v),
      text("checkpointDir", "Folder for training checkpoints.", "", true,
          c -> c.checkpointDir, (b, v) -> b.checkpointDir = v),
      bool("resume", "Continue from the newest valid checkpoint in checkpointDir.", false,
          c -> c.resume, (b, v) -> b.resume = v),
      bool("overwrite", "Replace a previous SparkVAE model at modelOut and report at reportDir (a folder that"
          + " is not one is never replaced).", false, c -> c.overwrite, (b, v) -> b.overwrite = v),
      bool("shareCheckpointDir", "Start a new run in a checkpointDir that holds another run's checkpoints"
          + " (they are kept; --resume then continues the run written last). Without it such a run is refused.",
          false, c -> c.shareCheckpointDir, (b, v) -> b.shareCheckpointDir = v),
      io.sparkvae.model.config.ParamSpecs.intAtLeast("checkpointEveryRounds",
          "Also checkpoint in the middle of an epoch, every this many averaging rounds (0: at epoch ends only).",
          100, 0, c -> c.checkpointEveryRounds, (b, v) -> b.checkpointEveryRounds = v),
      io.sparkvae.model.config.ParamSpecs.intAtLeast("checkpointsKept",
          "How many of the newest checkpoints to keep.", 3, 1,
          c -> c.checkpointsKept, (b, v) -> b.checkpointsKept = v),
      text("imageSize", "Width x height of the features as images in the report (e.g. 28x28); auto: square"
          + " when inputDim is a perfect square; none: not images.", "auto", false,
          c -> c.imageSize, (b, v) -> b.imageSize = v),
      io.sparkvae.model.config.ParamSpecs.intAtLeast("reportRows",
          "Validation rows (at most) pictured in the report.", 5000, 1,
          c -> c.reportRows, (b, v) -> b.reportRows = v),
      bool("tabular", "Tabular input: featureColumns names the input columns (strings, integers, floating point,"
          + " booleans, timestamps), each with its own likelihood (VaeEstimator's inputCols), instead of numeric"
          + " columns assembled into one vector.", false, c -> c.tabular, (b, v) -> b.tabular = v),
      text("columnKinds", "Tabular input: kind overrides, column:kind,... (numeric, categorical, binary, count).",
          "", true, c -> c.columnKinds, (b, v) -> b.columnKinds = v),
      bool("timestampFeatures", "Tabular input: model timestamp columns by hour of day and day of week.", false,
          c -> c.timestampFeatures, (b, v) -> b.timestampFeatures = v),
      io.sparkvae.model.config.ParamSpecs.doubleIn("contamination", "Tabular input: expected anomaly fraction of"
          + " the training rows; above 0 the model keeps the matching negative-ELBO threshold (is_anomaly).",
          0.0, 0, true, 0.5, false, c -> c.contamination, (b, v) -> b.contamination = v),
      text("inputFilter", "A Spark SQL condition selecting the training rows of the input, e.g."
          + " \"date < '2001-05-01'\"; empty: every row.", "", true, c -> c.inputFilter, (b, v) -> b.inputFilter = v));

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
    if (!imageSize.equals("auto") && !imageSize.equals("none") && !imageSize.matches("\\d+x\\d+")) {
      throw new IllegalArgumentException("invalid value for --image-size: '" + imageSize
          + "' (expected WIDTHxHEIGHT, auto or none)");
    }
    if (resume && checkpointDir.isEmpty()) {
      throw new IllegalArgumentException("--resume needs --checkpoint-dir");
    }
  }

  public String input() {
    return input;
  }

  public String inputFormat() {
    return inputFormat;
  }

  public String featuresCol() {
    return featuresCol;
  }

  public boolean tabular() {
    return tabular;
  }

  public String columnKinds() {
    return columnKinds;
  }

  public boolean timestampFeatures() {
    return timestampFeatures;
  }

  public double contamination() {
    return contamination;
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

  public String metricsOut() {
    return metricsOut;
  }

  public String reportDir() {
    return reportDir;
  }

  public String checkpointDir() {
    return checkpointDir;
  }

  public boolean resume() {
    return resume;
  }

  public boolean overwrite() {
    return overwrite;
  }

  public boolean shareCheckpointDir() {
    return shareCheckpointDir;
  }

  public int checkpointEveryRounds() {
    return checkpointEveryRounds;
  }

  public int checkpointsKept() {
    return checkpointsKept;
  }

  public String imageSize() {
    return imageSize;
  }

  public int reportRows() {
    return reportRows;
  }

  /** Width and height of the features as images, or {0, 0} when they are not images. */
  public int[] imageShape(int inputDim) {
    if (imageSize.equals("none")) {
      return new int[] {0, 0};
    }
    if (imageSize.equals("auto")) {
      int side = (int) Math.round(Math.sqrt(inputDim));
      return side * side == inputDim && side > 1 ? new int[] {side, side} : new int[] {0, 0};
    }
    String[] wh = imageSize.split("x");
    int w = Integer.parseInt(wh[0]);
    int h = Integer.parseInt(wh[1]);
    if (w * h != inputDim) {
      throw new IllegalArgumentException("--image-size " + imageSize + " has " + (w * h)
          + " pixels but the features have " + inputDim + " values");
    }
    return new int[] {w, h};
  }
}
