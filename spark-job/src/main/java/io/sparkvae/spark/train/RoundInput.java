package io.sparkvae.spark.train;

import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.train.TrainingState;
import java.io.Serializable;

/**
 * What the driver broadcasts at the start of a round: the global state and where in the epoch the
 * round starts. Plain arrays only, no native object.
 *
 * @param runId identifies the training run (keys executor-side caches)
 * @param round global round number (0-based), seeds the noise of the round
 * @param epoch 0-based epoch of the round
 * @param stepInEpoch minibatches each replica has already run in this epoch
 * @param steps maximum minibatches each replica runs this round
 * @param initialMoments with local Adam state, the first round of a resumed run: each replica's
 *     moments from the checkpoint, by partition (an array: Kryo 4 cannot read immutable lists);
 *     otherwise null
 * @param keepReplicas whether replicas stay on their executors between rounds ({@link ReplicaCache})
 */
public record RoundInput(
    String runId, VaeConfig config, TrainingState state, long round, int epoch, int stepInEpoch, int steps,
    boolean localAdamState, ReplicaMoments[] initialMoments, boolean keepReplicas) implements Serializable {
  /** A round whose replicas are not kept between rounds. */
  public RoundInput(String runId, VaeConfig config, TrainingState state, long round, int epoch, int stepInEpoch,
      int steps, boolean localAdamState, ReplicaMoments[] initialMoments) {
    this(runId, config, state, round, epoch, stepInEpoch, steps, localAdamState, initialMoments, false);
  }
}
