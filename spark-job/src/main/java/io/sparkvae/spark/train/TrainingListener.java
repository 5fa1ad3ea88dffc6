package io.sparkvae.spark.train;

import io.sparkvae.model.averaging.ScaleOutPlan;

/**
 * What a training run tells its caller on the driver while it runs: each finished epoch (to log and
 * write metrics) and where the run stands (to write checkpoints). Both are called on the driver
 * thread that runs {@link DistributedTrainer#fit}; an exception thrown here ends the run.
 */
public interface TrainingListener {
  /** A listener that ignores everything. */
  TrainingListener NONE =
      new TrainingListener() {
        @Override
        public boolean keepsProgress() {
          return false;
        }
      };

  /** A listener that hands every progress to {@code sink} and ignores the rest. */
  static TrainingListener progressTo(java.util.function.Consumer<TrainingProgress> sink) {
    return new TrainingListener() {
      @Override
      public void onProgress(TrainingProgress progress) {
        sink.accept(progress);
      }
    };
  }

  /** The run's settings as derived for this data and cluster, once before the first round. */
  default void onPlan(ScaleOutPlan plan) {}

  /** After each epoch's validation, with the epoch's metrics. */
  default void onEpoch(EpochMetrics metrics) {}

  /**
   * Where the run stands: at each epoch's end (after {@link #onEpoch}) and, inside an epoch, after
   * every {@link TrainingRequest#progressEveryRounds()}-th round of the run. Only finite states are
   * reported.
   */
  default void onProgress(TrainingProgress progress) {}

  /**
   * Whether this listener keeps the progress it hears (as checkpoints to resume from). When it does
   * not, replicas may run the next epoch's first steps ahead ({@code overlapSteps}) across an
   * epoch's end, where a progress report would otherwise hold a state without them.
   */
  default boolean keepsProgress() {
    return true;
  }
}
