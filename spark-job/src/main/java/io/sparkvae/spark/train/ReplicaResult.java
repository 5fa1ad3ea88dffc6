package io.sparkvae.spark.train;

import io.sparkvae.model.averaging.Divergence;
import io.sparkvae.model.train.TrainStats;
import io.sparkvae.model.train.TrainingState;
import java.io.Serializable;

/**
 * What one replica sends back after a round: its state, the weight of its vote in the average (the
 * examples it trained on this round), and its statistics; or, when it diverged, only what went
 * wrong.
 *
 * @param state the replica's state at the end of the round; null when it diverged
 * @param divergence null, or the NaN/Inf the replica ran into (then weight 0 and no statistics)
 */
public record ReplicaResult(
    int partition, TrainingState state, double weight, TrainStats stats, Divergence divergence)
    implements Serializable {
  public ReplicaResult {
    if ((state == null) == (divergence == null)) {
      throw new IllegalArgumentException("a replica result has either a state or a divergence");
    }
  }

  /** A replica that finished its steps with a finite state. */
  public ReplicaResult(int partition, TrainingState state, double weight, TrainStats stats) {
    this(partition, state, weight, stats, null);
  }

  /** A replica that diverged: nothing of it is averaged. */
  static ReplicaResult diverged(Divergence d) {
    return new ReplicaResult(d.replica(), null, 0, TrainStats.EMPTY, d);
  }
}
