package io.sparkvae.model.vae;

import java.io.Serializable;

/**
 * The values a {@link Likelihood} accepts as observations: a closed interval (the real line for the
 * Gaussian, [0, 1] for the Bernoulli). Training and inference check every packed input row against
 * it once, so a row is refused for the same reasons in both. Serializable: Spark ships it to the
 * executors inside the packing and scoring closures.
 *
 * @param lower smallest accepted value ({@code -Infinity}: none)
 * @param upper largest accepted value ({@code Infinity}: none)
 * @param reason why, for messages: "the Bernoulli likelihood needs them in it"
 */
public record Support(float lower, float upper, String reason) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Every finite value. */
  public static final Support REAL =
      new Support(Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, "any finite value is accepted");

  /** [0, 1]: Bernoulli probabilities (grey levels as Pyro's example uses them). */
  public static final Support UNIT_INTERVAL =
      new Support(0f, 1f, "the Bernoulli likelihood needs them in it");

  /** What is wrong with a row. */
  public enum Violation {
    /** A value is NaN or infinite. */
    NON_FINITE,
    /** A value lies outside the support. */
    OUTSIDE
  }

  /**
   * Whether some finite value lies outside (false for {@link #REAL}: only finiteness is checked).
   */
  public boolean bounded() {
    return lower > Float.NEGATIVE_INFINITY || upper < Float.POSITIVE_INFINITY;
  }

  /**
   * Checks one packed row, {@code buf[offset .. offset + dim)}: null when every value is finite and
   * inside, else the problem (NaN or infinity first, when a row has both).
   */
  public Violation check(float[] buf, int offset, int dim) {
    // One pass without branches, so that the JIT can vectorize it (this runs on every row of a
    // transform): x * 0 is 0 for finite x and NaN for NaN and infinities, and NaN is sticky in a
    // sum; min and max catch values outside the support.
    float zeroIfFinite = 0f;
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (int i = offset; i < offset + dim; i++) {
      float v = buf[i];
      zeroIfFinite += v * 0f;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    if (zeroIfFinite != 0f) {
      return Violation.NON_FINITE;
    }
    if (min < lower || max > upper) {
      return Violation.OUTSIDE;
    }
    return null;
  }

  /** "values outside [0, 1] (the Bernoulli likelihood needs them in it)", for bad-row messages. */
  public String describeOutside() {
    return "values outside [" + format(lower) + ", " + format(upper) + "] (" + reason + ")";
  }

  private static String format(float v) {
    return v == Math.rint(v) && !Float.isInfinite(v) ? Long.toString((long) v) : Float.toString(v);
  }
}
