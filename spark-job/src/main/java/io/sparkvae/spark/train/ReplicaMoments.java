package io.sparkvae.spark.train;

import java.io.Serializable;

/**
 * One replica's own Adam moments (with {@code adamState=local}): what a checkpoint needs so that a
 * resumed run continues each replica from its moments rather than from zero.
 *
 * @param partition the replica (the shard's partition index)
 */
public record ReplicaMoments(int partition, float[] adamM, float[] adamV) implements Serializable {
  public ReplicaMoments {
    if (adamM.length != adamV.length) {
      throw new IllegalArgumentException(
          "moments of different sizes: " + adamM.length + " and " + adamV.length);
    }
  }
}
