package io.sparkvae.spark.train;

import io.sparkvae.model.train.TrainStats;
import io.sparkvae.model.train.TrainingState;
import java.io.Serializable;

/**
 * What one replica sends back after a round: its state, the weight of its vote in the average
 * (the examples it trained on this round), and its statistics.
 */
public record ReplicaResult(int partition, TrainingState state, double weight, TrainStats stats)
    implements Serializable {}
