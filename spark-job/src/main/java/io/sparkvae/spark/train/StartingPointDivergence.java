package io.sparkvae.spark.train;

import io.sparkvae.model.averaging.AveragingSums;
import io.sparkvae.model.averaging.Divergence;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.train.TrainingState;
import io.sparkvae.model.vae.LikelihoodKind;
import java.util.Locale;

/**
 * Recognises a divergence that no learning rate can cure: a replica's loss was NaN or infinite on
 * the round's first minibatch, computed with the parameters the round started from, before any
 * update. A rollback reruns the round from the same parameters with the same noise, so it would
 * fail the same way; at the initial parameters the cause is almost always the scale of the input.
 */
final class StartingPointDivergence {
  private StartingPointDivergence() {}

  /**
   * The message for a divergence at the round's starting parameters, or null when the divergence
   * came after an update (where a lower learning rate or a rollback may help).
   */
  static String describe(
      AveragingSums sums, TrainingState roundStart, VaeConfig config, String where) {
    Divergence d = sums.firstDivergence();
    if (d == null || Double.isFinite(d.loss()) || d.step() != roundStart.step() + 1) {
      return null;
    }
    if (roundStart.step() > 0) {
      return String.format(
          Locale.ROOT,
          "training diverged in %s: %s, on the round's first minibatch, with the"
              + " parameters the previous rounds left and before any update of this round; rolling back cannot help"
              + " (it reruns the same minibatch from the same parameters). Lower learningRate (now %s) and start again"
              + " or resume from an earlier checkpoint",
          where,
          d.describe(),
          config.learningRate());
    }
    String likelihood =
        config.likelihood() == LikelihoodKind.GAUSSIAN
            ? " For likelihood=gaussian: standardise the features (mean 0, variance 1), or set gaussianVariance=fixed"
                + " with a gaussianFixedStd on the scale of the data."
            : " For likelihood=bernoulli the features must lie in [0, 1] (divide pixel values by 255).";
    return String.format(
        Locale.ROOT,
        "training diverged in %s: %s, at the initial parameters before any update:"
            + " the loss of the untrained model is not finite, so the input is on a scale the model cannot represent,"
            + " and neither a lower learningRate nor divergencePolicy=rollback can help.%s",
        where,
        d.describe(),
        likelihood);
  }
}
