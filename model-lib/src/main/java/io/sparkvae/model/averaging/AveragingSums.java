package io.sparkvae.model.averaging;

import io.sparkvae.model.train.TrainStats;
import io.sparkvae.model.train.TrainingState;
import java.io.Serializable;

/**
 * The weighted sums that parameter averaging combines: each replica contributes {@code weight x
 * parameters} (and, when the optimizer state is averaged too, {@code weight x} each Adam moment),
 * the sums are added in any order (a tree on Spark), and {@link #average} divides once. Sums are
 * kept in double so the order of additions does not matter to float precision, and one replica
 * averaged with itself gives back its exact float parameters.
 *
 * <p>Mutable accumulator: {@link #add} and {@link #merge} modify and return {@code this}, as
 * Spark's {@code treeAggregate} expects. An empty accumulator has no arrays until the first {@link
 * #add}. While it holds a single replica (the usual case for one partition's partial sum) it keeps
 * that replica's float state as is, so a partial sum travels to the driver at float size; the
 * double sums are materialised only when a second replica joins.
 *
 * <p>A replica that diverged contributes no state, only a {@link Divergence}: the sums count the
 * diverged replicas and keep the one of the lowest replica index (the same whatever the order of
 * additions), and {@link #average} refuses to average a round in which any replica diverged.
 */
public final class AveragingSums implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * The one replica's parameters while only one is held; its moments too when they are summed (else
   * null).
   */
  private float[] singleParams;

  private float[] singleM;
  private float[] singleV;
  private double[] params;
  private double[] adamM;
  private double[] adamV;
  private double weight;
  private long step = -1;
  private long replicas;
  private TrainStats stats = TrainStats.EMPTY;
  private long diverged;
  private Divergence firstDivergence;

  /** An empty accumulator. */
  public AveragingSums() {}

  /**
   * Adds one replica's state with a weight (the examples it trained on this round).
   *
   * @param withMoments whether to sum the Adam moments too
   * @throws IllegalArgumentException when replicas disagree on the parameter count or step counter
   */
  public AveragingSums add(
      TrainingState s, double w, boolean withMoments, TrainStats replicaStats) {
    if (!(w >= 0) || Double.isInfinite(w)) {
      throw new IllegalArgumentException("averaging weight must be finite and >= 0, got " + w);
    }
    if (replicas == 0) {
      // Moments that are not summed are not kept either: a partial sum travels without them.
      singleParams = s.params();
      singleM = withMoments ? s.adamM() : null;
      singleV = withMoments ? s.adamV() : null;
    } else {
      materialize();
      addScaled(s.params(), withMoments ? s.adamM() : null, withMoments ? s.adamV() : null, w);
    }
    weight += w;
    step = Math.max(step, s.step());
    replicas++;
    stats = stats.plus(replicaStats);
    return this;
  }

  /**
   * Records a replica that diverged this round: it adds no state and no weight, so nothing
   * non-finite enters the sums.
   */
  public AveragingSums addDiverged(Divergence d) {
    noteDivergence(1, java.util.Objects.requireNonNull(d, "divergence"));
    return this;
  }

  private void noteDivergence(long count, Divergence d) {
    diverged += count;
    if (d != null && (firstDivergence == null || d.replica() < firstDivergence.replica())) {
      firstDivergence = d;
    }
  }

  /** Turns a held single replica into double sums. */
  private void materialize() {
    if (singleParams == null) {
      return;
    }
    float[] p = singleParams;
    float[] m = singleM;
    float[] v = singleV;
    singleParams = null;
    singleM = null;
    singleV = null;
    addScaled(p, m, v, weight);
  }

  /** Adds {@code w x} a replica's parameters and, when not null, its moments. */
  private void addScaled(float[] p, float[] m, float[] v, double w) {
    boolean withMoments = m != null;
    if (params == null) {
      params = new double[p.length];
      if (withMoments) {
        adamM = new double[params.length];
        adamV = new double[params.length];
      }
    } else if (params.length != p.length) {
      throw new IllegalArgumentException(
          "replica has " + p.length + " parameters, others " + params.length);
    } else if ((adamM != null) != withMoments) {
      throw new IllegalArgumentException("cannot sum replicas with and without Adam moments");
    }
    accumulate(params, p, w);
    if (withMoments) {
      accumulate(adamM, m, w);
      accumulate(adamV, v, w);
    }
  }

  private static void accumulate(double[] sum, float[] x, double w) {
    for (int i = 0; i < sum.length; i++) {
      sum[i] += w * x[i];
    }
  }

  /** Adds another accumulator's sums into this one. */
  public AveragingSums merge(AveragingSums o) {
    noteDivergence(o.diverged, o.firstDivergence);
    if (o.replicas == 0) {
      return this;
    }
    if (replicas == 0) {
      singleParams = o.singleParams;
      singleM = o.singleM;
      singleV = o.singleV;
      params = o.params;
      adamM = o.adamM;
      adamV = o.adamV;
    } else {
      materialize();
      if (o.singleParams != null) {
        addScaled(o.singleParams, o.singleM, o.singleV, o.weight);
      } else {
        if (params.length != o.params.length) {
          throw new IllegalArgumentException(
              "cannot merge sums of " + params.length + " and " + o.params.length + " parameters");
        }
        if ((adamM != null) != (o.adamM != null)) {
          throw new IllegalArgumentException("cannot merge sums with and without Adam moments");
        }
        addInto(params, o.params);
        if (adamM != null) {
          addInto(adamM, o.adamM);
          addInto(adamV, o.adamV);
        }
      }
    }
    weight += o.weight;
    step = Math.max(step, o.step);
    replicas += o.replicas;
    stats = stats.plus(o.stats);
    return this;
  }

  private static void addInto(double[] a, double[] b) {
    for (int i = 0; i < a.length; i++) {
      a[i] += b[i];
    }
  }

  /**
   * The weighted average. Moments that were not summed are taken from {@code fallback} (the state
   * the round started from).
   *
   * @throws IllegalStateException when a replica diverged, or nothing (or only zero weight) was
   *     added
   */
  public TrainingState average(TrainingState fallback) {
    if (diverged > 0) {
      throw new IllegalStateException(
          diverged
              + " replica(s) diverged this round ("
              + firstDivergence.describe()
              + "); not averaging");
    }
    if (replicas == 0 || weight <= 0) {
      throw new IllegalStateException(
          "no replica contributed to this round (total weight " + weight + ")");
    }
    if (singleParams != null) {
      // (float) ((double) p * w / w) == p for every float p and integral w < 2^29: the average of
      // one replica is that replica, bit for bit, without the double round trip.
      return new TrainingState(
          singleParams,
          singleM != null ? singleM : fallback.adamM(),
          singleV != null ? singleV : fallback.adamV(),
          step);
    }
    float[] p = divide(params, weight);
    float[] m = adamM == null ? fallback.adamM() : divide(adamM, weight);
    float[] v = adamV == null ? fallback.adamV() : divide(adamV, weight);
    return new TrainingState(p, m, v, step);
  }

  private static float[] divide(double[] sum, double w) {
    float[] out = new float[sum.length];
    for (int i = 0; i < sum.length; i++) {
      out[i] = (float) (sum[i] / w);
    }
    return out;
  }

  /** Total weight (examples trained this round over all replicas). */
  public double weight() {
    return weight;
  }

  /** Number of replicas that diverged this round. */
  public long diverged() {
    return diverged;
  }

  /** The diverged replica of the lowest index, or null when none diverged. */
  public Divergence firstDivergence() {
    return firstDivergence;
  }

  /** Number of replicas added (diverged ones excluded). */
  public long replicas() {
    return replicas;
  }

  /** The replicas' training statistics, summed. */
  public TrainStats stats() {
    return stats;
  }
}
