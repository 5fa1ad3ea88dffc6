package io.sparkvae.model.train;

import java.io.Serializable;
import java.util.Objects;

/**
 * Everything an Adam-trained VAE replica needs to continue: parameters and both Adam moments in
 * {@link io.sparkvae.model.vae.ParamLayout} order, and the Adam step counter (so bias correction
 * continues rather than restarting). Plain Java arrays, so it can cross Spark's serialization and
 * be checkpointed without any native object.
 *
 * <p>The arrays are shared, not copied: treat an instance as immutable once built.
 */
public final class TrainingState implements Serializable {
  private static final long serialVersionUID = 1L;

  private final float[] params;
  private final float[] adamM;
  private final float[] adamV;
  private final long step;

  /** A state; the three arrays must have the same length. */
  public TrainingState(float[] params, float[] adamM, float[] adamV, long step) {
    this.params = Objects.requireNonNull(params, "params");
    this.adamM = Objects.requireNonNull(adamM, "adamM");
    this.adamV = Objects.requireNonNull(adamV, "adamV");
    if (adamM.length != params.length || adamV.length != params.length) {
      throw new IllegalArgumentException(
          "Adam state length ("
              + adamM.length
              + ", "
              + adamV.length
              + ") differs from the "
              + params.length
              + " parameters");
    }
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
    this.step = step;
  }

  /** Fresh Adam state (zero moments, step 0) for initial parameters. */
  public static TrainingState initial(float[] params) {
    return new TrainingState(params, new float[params.length], new float[params.length], 0);
  }

  /** Parameters (flat layout). */
  public float[] params() {
    return params;
  }

  /** Adam first moment. */
  public float[] adamM() {
    return adamM;
  }

  /** Adam second moment. */
  public float[] adamV() {
    return adamV;
  }

  /** Adam steps taken so far. */
  public long step() {
    return step;
  }

  /**
   * The first NaN or infinite value among the parameters and the Adam moments, described as {@code
   * "params[12] = NaN"}, or null when every value is finite. A linear scan, cheap next to a
   * training step: trainers run it before a state is shared or saved.
   */
  public String firstNonFinite() {
    String p = firstNonFinite("params", params);
    if (p == null) {
      p = firstNonFinite("adamM", adamM);
    }
    return p == null ? firstNonFinite("adamV", adamV) : p;
  }

  /** The first NaN or infinite element of {@code values}, as {@code "name[i] = v"}, or null. */
  public static String firstNonFinite(String name, float[] values) {
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        return name + "[" + i + "] = " + values[i];
      }
    }
    return null;
  }

  /** The same state with other parameters (for an outer optimizer acting on the averaged ones). */
  public TrainingState withParams(float[] newParams) {
    return new TrainingState(newParams, adamM, adamV, step);
  }
}
