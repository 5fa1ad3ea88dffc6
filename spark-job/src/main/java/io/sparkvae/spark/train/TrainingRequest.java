package io.sparkvae.spark.train;

import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One call of {@link DistributedTrainer#fit}: the data, where to start and who listens.
 *
 * @param train the training DataFrame
 * @param validation a validation DataFrame, or null to hold out {@code validationFraction} of
 *     {@code train} (or to skip validation when that is 0)
 * @param start where to start: null for freshly initialised parameters, a warm start (epochs and
 *     rounds counting from zero) or a checkpoint's progress
 * @param listener told of the plan, each epoch and the run's progress
 * @param progressEveryRounds inside an epoch, {@link TrainingListener#onProgress} after every
 *     this-many-th round of the run (0: at epoch ends only). With {@code adamState=local} each such
 *     progress fetches every replica's moments from the executors, so it costs something
 * @param klWarmupFraction above 0: the configuration's {@code klWarmupSteps} is replaced by this
 *     fraction of the run's optimizer steps (epochs × minibatches per epoch, known once the data
 *     are packed); 0: the configuration's {@code klWarmupSteps} as given
 */
public record TrainingRequest(
    Dataset<Row> train,
    Dataset<Row> validation,
    TrainingProgress start,
    TrainingListener listener,
    int progressEveryRounds,
    double klWarmupFraction) {
  public TrainingRequest {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(listener, "listener");
    if (progressEveryRounds < 0) {
      throw new IllegalArgumentException(
          "progressEveryRounds must be >= 0, got " + progressEveryRounds);
    }
    if (!(klWarmupFraction >= 0 && klWarmupFraction <= 1)) {
      throw new IllegalArgumentException(
          "klWarmupFraction must be in [0, 1], got " + klWarmupFraction);
    }
  }

  /** Trains on {@code train} from fresh parameters, without validation data or listener. */
  public static TrainingRequest of(Dataset<Row> train) {
    return new TrainingRequest(train, null, null, TrainingListener.NONE, 0, 0);
  }

  /** The same request with a validation DataFrame. */
  public TrainingRequest validation(Dataset<Row> v) {
    return new TrainingRequest(train, v, start, listener, progressEveryRounds, klWarmupFraction);
  }

  /** The same request starting from {@code p} (a checkpoint's progress, or a warm start). */
  public TrainingRequest from(TrainingProgress p) {
    return new TrainingRequest(
        train, validation, p, listener, progressEveryRounds, klWarmupFraction);
  }

  /** The same request with a listener. */
  public TrainingRequest listener(TrainingListener l) {
    return new TrainingRequest(train, validation, start, l, progressEveryRounds, klWarmupFraction);
  }

  /** The same request reporting progress every {@code rounds} rounds inside an epoch too. */
  public TrainingRequest progressEvery(int rounds) {
    return new TrainingRequest(train, validation, start, listener, rounds, klWarmupFraction);
  }

  /**
   * The same request with the KL warm-up derived as {@code fraction} of the run's steps (0: as
   * configured).
   */
  public TrainingRequest klWarmupFraction(double fraction) {
    return new TrainingRequest(train, validation, start, listener, progressEveryRounds, fraction);
  }
}
