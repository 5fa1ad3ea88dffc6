package io.sparkvae.spark.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Counts of input rows that cannot be used, by reason, with the ids of the first few: what a
 * {@code fail} policy reports and a {@code skip} policy logs. Ids are the rows' positions in the
 * input as {@code monotonically_increasing_id} gives them: input partition {@code id >>> 33}, row
 * {@code id & (2^33 - 1)} within it.
 */
public final class BadRows implements Serializable {
  private static final long serialVersionUID = 1L;
  /** How many offending row ids are kept for the message. */
  public static final int EXAMPLES = 5;

  long nulls;
  long wrongSize;
  long nonFinite;
  long outOfRange;
  long[] firstIds = new long[0];

  /** Records one bad row. */
  void add(String reason, long id) {
    switch (reason) {
      case "null" -> nulls++;
      case "size" -> wrongSize++;
      case "nonfinite" -> nonFinite++;
      default -> outOfRange++;
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
  public String describe(int dim, boolean unitInterval) {
    List<String> ids = new ArrayList<>();
    for (long id : firstIds) {
      ids.add((id >>> 33) + ":" + (id & ((1L << 33) - 1)));
    }
    return nulls + " null, " + wrongSize + " not of size " + dim + ", " + nonFinite + " with NaN or Inf"
        + (unitInterval ? ", " + outOfRange + " with values outside [0, 1] (the Bernoulli likelihood needs them in it)" : "")
        + (ids.isEmpty() ? "" : "; first rows (input partition:row): " + String.join(", ", ids));
  }
}
