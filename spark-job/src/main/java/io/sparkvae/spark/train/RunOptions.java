package io.sparkvae.spark.train;

import static io.sparkvae.model.config.ParamSpecs.bool;
import static io.sparkvae.model.config.ParamSpecs.intAtLeast;
import static io.sparkvae.model.config.ParamSpecs.matching;
import static io.sparkvae.model.config.ParamSpecs.path;

import io.sparkvae.model.config.ParamSchema;
import io.sparkvae.model.config.ParamSpec;
import java.io.Serializable;
import java.util.List;

/**
 * What a training run writes besides the model, and where it starts: checkpoints (and resuming from
 * them), the metrics file and the report. Each setting is declared once in {@link #PARAMS} (name,
 * doc, default, validator), like {@link DistributedConfig}'s; the command line ({@code
 * --checkpoint-dir}, ...) and the Spark ML estimator ({@code setCheckpointDir}, ...) both read
 * these declarations, so a run behaves the same whichever started it. All off by default (empty
 * paths).
 */
public final class RunOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  private String checkpointDir;
  private boolean resume;
  private boolean shareCheckpointDir;
  private int checkpointEveryRounds;
  private int checkpointsKept;
  private String metricsOut;
  private String reportDir;
  private boolean overwrite;
  private String imageSize;
  private int reportRows;

  public static final ParamSpec<RunOptions, Builder, String> CHECKPOINT_DIR =
      path(
          "checkpointDir",
          "Folder for training checkpoints (Hadoop path; empty: none).",
          c -> c.checkpointDir,
          (b, v) -> b.c.checkpointDir = v);

  public static final ParamSpec<RunOptions, Builder, Boolean> RESUME =
      bool(
          "resume",
          "Continue from the newest valid checkpoint in checkpointDir (of the run written last).",
          false,
          c -> c.resume,
          (b, v) -> b.c.resume = v);

  public static final ParamSpec<RunOptions, Builder, Boolean> SHARE_CHECKPOINT_DIR =
      bool(
          "shareCheckpointDir",
          "Start a new run in a checkpointDir that holds another run's checkpoints"
              + " (they are kept; resume then continues the run written last). Without it such a run is refused.",
          false,
          c -> c.shareCheckpointDir,
          (b, v) -> b.c.shareCheckpointDir = v);

  public static final ParamSpec<RunOptions, Builder, Integer> CHECKPOINT_EVERY_ROUNDS =
      intAtLeast(
          "checkpointEveryRounds",
          "Also checkpoint in the middle of an epoch, every this many averaging rounds (0: at epoch ends only).",
          100,
          0,
          c -> c.checkpointEveryRounds,
          (b, v) -> b.c.checkpointEveryRounds = v);

  public static final ParamSpec<RunOptions, Builder, Integer> CHECKPOINTS_KEPT =
      intAtLeast(
          "checkpointsKept",
          "How many of the newest checkpoints to keep.",
          3,
          1,
          c -> c.checkpointsKept,
          (b, v) -> b.c.checkpointsKept = v);

  public static final ParamSpec<RunOptions, Builder, String> METRICS_OUT =
      path(
          "metricsOut",
          "Metrics file (Hadoop path): one JSON object per epoch, rewritten atomically after each"
              + " (empty: none).",
          c -> c.metricsOut,
          (b, v) -> b.c.metricsOut = v);

  public static final ParamSpec<RunOptions, Builder, String> REPORT_DIR =
      path(
          "reportDir",
          "Local folder for the training report (PNG plots and index.html; empty: none).",
          c -> c.reportDir,
          (b, v) -> b.c.reportDir = v);

  public static final ParamSpec<RunOptions, Builder, Boolean> OVERWRITE =
      bool(
          "overwrite",
          "Replace a previous SparkVAE report at reportDir (and, on the command line, a previous"
              + " model at modelOut); a folder that is not one is never replaced.",
          false,
          c -> c.overwrite,
          (b, v) -> b.c.overwrite = v);

  public static final ParamSpec<RunOptions, Builder, String> IMAGE_SIZE =
      matching(
          "imageSize",
          "Width x height of the features as images in the report (e.g. 28x28); auto: square"
              + " when inputDim is a perfect square; none: not images.",
          "auto",
          "auto|none|\\d+x\\d+",
          "WIDTHxHEIGHT, auto or none",
          c -> c.imageSize,
          (b, v) -> b.c.imageSize = v);

  public static final ParamSpec<RunOptions, Builder, Integer> REPORT_ROWS =
      intAtLeast(
          "reportRows",
          "Validation rows (at most) pictured in the report.",
          5000,
          1,
          c -> c.reportRows,
          (b, v) -> b.c.reportRows = v);

  /** Every setting, declared once. */
  public static final List<ParamSpec<RunOptions, Builder, ?>> PARAMS =
      List.of(
          CHECKPOINT_DIR,
          RESUME,
          SHARE_CHECKPOINT_DIR,
          CHECKPOINT_EVERY_ROUNDS,
          CHECKPOINTS_KEPT,
          METRICS_OUT,
          REPORT_DIR,
          OVERWRITE,
          IMAGE_SIZE,
          REPORT_ROWS);

  /** The declarations above, with what every config class does with them. */
  public static final ParamSchema<RunOptions, Builder> SCHEMA =
      new ParamSchema<>("training run setting", PARAMS);

  private RunOptions() {}

  /** A builder with every default. */
  public static Builder builder() {
    return new Builder();
  }

  /** Nothing written besides the model; training from the start. */
  public static RunOptions defaults() {
    return builder().build();
  }

  /** Looks a setting up by name. */
  public static ParamSpec<RunOptions, Builder, ?> param(String name) {
    return SCHEMA.param(name);
  }

  public String checkpointDir() {
    return checkpointDir;
  }

  public boolean resume() {
    return resume;
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

  public String metricsOut() {
    return metricsOut;
  }

  public String reportDir() {
    return reportDir;
  }

  public boolean overwrite() {
    return overwrite;
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
    if ((long) w * h != inputDim) {
      throw new IllegalArgumentException(
          "imageSize (--image-size) "
              + imageSize
              + " has "
              + ((long) w * h)
              + " pixels but the features have "
              + inputDim
              + " values");
    }
    return new int[] {w, h};
  }

  @Override
  public String toString() {
    return SCHEMA.describe("RunOptions", this);
  }

  /** Mutable builder. */
  public static final class Builder {
    private RunOptions c = new RunOptions();

    private Builder() {
      SCHEMA.setDefaults(this);
    }

    /** Sets a setting by name from a typed value (or text). */
    public Builder setValue(String name, Object value) {
      param(name).setUntyped(this, value);
      return this;
    }

    /**
     * An immutable snapshot.
     *
     * @throws IllegalArgumentException when {@code resume} is set without {@code checkpointDir}
     */
    public RunOptions build() {
      if (c.resume && c.checkpointDir.isEmpty()) {
        throw new IllegalArgumentException(
            "resume (--resume) needs checkpointDir (--checkpoint-dir)");
      }
      RunOptions out = c;
      c = new RunOptions();
      SCHEMA.copy(out, this);
      return out;
    }
  }
}
