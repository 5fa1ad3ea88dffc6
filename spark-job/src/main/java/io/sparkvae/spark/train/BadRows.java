package io.sparkvae.spark.train;

import io.sparkvae.model.vae.Support;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Counts of input rows that cannot be used, by reason, with the ids of the first few: what a {@code
 * fail} policy reports and a {@code skip} policy logs, in training ({@link FeatureColumn#pack}) and
 * in {@code VaeModel.transform}. Ids are the rows' positions in the input ({@link #rowId}), as
 * {@code monotonically_increasing_id} gives them: input partition {@code id >>> 33}, row {@code id
 * & (2^33 - 1)} within it.
 */
public final class BadRows implements Serializable {
  private static final long serialVersionUID = 1L;

  /** How many offending row ids are kept for the message. */
  public static final int EXAMPLES = 5;

  /** Why a row cannot be used. */
  public enum Reason {
    /** The features cell is null. */
    NULL,
    /** The cell has another number of values than the model's. */
    WRONG_SIZE,
    /** A value is NaN or infinite. */
    NON_FINITE,
    /** A value lies outside the likelihood's support ([0, 1] for the Bernoulli). */
    OUT_OF_RANGE
  }

  long nulls;
  long wrongSize;
  long nonFinite;
  long outOfRange;
  long[] firstIds = new long[0];

  /**
   * The id of row {@code row} (0-based) of input partition {@code partition}: the encoding of
   * {@code monotonically_increasing_id}, which {@link #describe} prints as {@code partition:row}.
   */
  public static long rowId(int partition, long row) {
    return ((long) partition << 33) | row;
  }

  /** Records one bad row; an {@code id} below 0 is counted but not listed. */
  public void add(Reason reason, long id) {
    switch (reason) {
      case NULL -> nulls++;
      case WRONG_SIZE -> wrongSize++;
      case NON_FINITE -> nonFinite++;
      case OUT_OF_RANGE -> outOfRange++;
      default -> throw new IllegalStateException("unknown reason " + reason);
    }
    if (firstIds.length < EXAMPLES && id >= 0) {
      firstIds = Arrays.copyOf(firstIds, firstIds.length + 1);
      firstIds[firstIds.length - 1] = id;
    }
  }

  /** The sum of two disjoint parts' counts. */
  public BadRows plus(BadRows o) {
    BadRows r = new BadRows();
    r.nulls = nulls + o.nulls;
    r.wrongSize = wrongSize + o.wrongSize;
    r.nonFinite = nonFinite + o.nonFinite;
    r.outOfRange = outOfRange + o.outOfRange;
    long[] ids = Arrays.copyOf(firstIds, firstIds.length + o.firstIds.length);
    System.arraycopy(o.firstIds, 0, ids, firstIds.length, o.firstIds.length);
    Arrays.sort(ids);
    r.firstIds = Arrays.copyOf(ids, Math.min(EXAMPLES, ids.length));
    return r;
  }

  /** Total bad rows. */
  public long total() {
    return nulls + wrongSize + nonFinite + outOfRange;
  }

  public long nulls() {
    return nulls;
  }

  public long wrongSize() {
    return wrongSize;
  }

  public long nonFinite() {
    return nonFinite;
  }

  public long outOfRange() {
    return outOfRange;
  }

  /** "0 null, 3 not of size 784, ..., first rows (input partition:row): 0:17, 1:4". */
  public String describe(int dim, Support support) {
    return nulls + " null, " + describeValues(dim, support);
  }

  /**
   * {@link #describe} without the null count, for inference, where a null cell is no data rather
   * than a bad row: "3 not of size 784, 0 with NaN or Inf, ...; first rows (input partition:row):
   * 1:4".
   */
  public String describeValues(int dim, Support support) {
    List<String> ids = new ArrayList<>();
    for (long id : firstIds) {
      ids.add((id >>> 33) + ":" + (id & ((1L << 33) - 1)));
    }
    return wrongSize
        + " not of size "
        + dim
        + ", "
        + nonFinite
        + " with NaN or Inf"
        + (support.bounded() ? ", " + outOfRange + " with " + support.describeOutside() : "")
        + (ids.isEmpty() ? "" : "; first rows (input partition:row): " + String.join(", ", ids));
  }
}
