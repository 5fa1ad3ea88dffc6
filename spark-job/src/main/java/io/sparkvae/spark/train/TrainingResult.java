package io.sparkvae.spark.train;

import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.train.TrainingState;
import java.util.List;

/**
 * The outcome of a distributed training run: the configuration, the final state (parameters, Adam
 * moments, step counter; always finite) and one {@link EpochMetrics} per epoch.
 *
 * @param config the configuration as given (its {@code learningRate} is the one the run started
 *     with), with the {@code klWarmupSteps} the run trained with when the request derived it
 * @param rollbacks rounds rolled back after a divergence ({@code divergencePolicy=rollback}); each
 *     halved the learning rate
 */
public record TrainingResult(
    VaeConfig config,
    TrainingState state,
    List<EpochMetrics> history,
    int replicas,
    int rollbacks) {
  public TrainingResult {
    history = List.copyOf(history);
  }

  /** The Adam learning rate at the end of the run: the configured one, halved once per rollback. */
  public double finalLearningRate() {
    return DivergencePolicy.learningRateAfter(config.learningRate(), rollbacks);
  }
}
