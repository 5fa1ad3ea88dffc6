package io.sparkvae.spark.train;

import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.train.TrainingState;
import java.util.List;

/**
 * The outcome of a distributed training run: the configuration, the final state (parameters, Adam
 * moments, step counter) and one {@link EpochMetrics} per epoch.
 */
public record TrainingResult(VaeConfig config, TrainingState state, List<EpochMetrics> history, int replicas) {
  public TrainingResult {
    history = List.copyOf(history);
  }
}
