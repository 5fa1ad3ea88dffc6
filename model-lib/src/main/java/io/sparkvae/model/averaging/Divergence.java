package io.sparkvae.model.averaging;

import java.io.Serializable;

/**
 * A replica whose round ended in NaN or infinity: a non-finite minibatch loss, or a non-finite
 * parameter or Adam moment after its steps. It replaces the replica's state in the round's sums, so
 * a diverged state is never averaged in.
 *
 * @param replica the replica that diverged (on Spark, its partition index)
 * @param step the global optimizer step (1-based) at which it was detected
 * @param loss the non-finite minibatch loss; for a non-finite parameter, the replica's mean loss
 *     per example over the round's steps (NaN if it took none)
 * @param reason what was not finite, for people (e.g. {@code "minibatch loss is NaN"})
 */
public record Divergence(int replica, long step, double loss, String reason)
    implements Serializable {
  /**
   * For people: {@code "replica on partition 1: minibatch loss is NaN at optimizer step 17"}, with
   * the round's mean loss appended when the reason is not the loss itself.
   */
  public String describe() {
    String s = "replica on partition " + replica + ": " + reason + " at optimizer step " + step;
    return Double.isFinite(loss)
        ? s + " (mean minibatch loss " + loss + " per example this round)"
        : s;
  }
}
