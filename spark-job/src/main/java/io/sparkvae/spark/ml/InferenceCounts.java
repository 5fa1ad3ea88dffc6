package io.sparkvae.spark.ml;

import io.sparkvae.spark.train.BadRows;
import java.io.Serializable;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * What {@link VaeModel#transform(org.apache.spark.sql.Dataset, InferenceCounts)} read: every row,
 * the rows with null features (no data: null outputs under either badRowPolicy) and the rows
 * skipped under {@code badRowPolicy=skip} (null outputs), by reason. Each number is a Spark {@link
 * LongAccumulator} registered on the driver by {@link #register}, named so that it shows in the
 * Spark UI; the tasks add to them as they read, and the driver reads the totals after an action.
 *
 * <p>When the totals are exact. The counting happens inside a transformation, so Spark adds a
 * task's updates once per <em>computation</em> of a partition, not once per row of the result:
 *
 * <ul>
 *   <li>A failed or killed task attempt's updates are dropped, and of a speculative pair only one
 *       attempt's are kept, so retries do not double-count when the transformed rows are computed
 *       in the result stage of a single action. That is how {@code ScoreJob} uses it: the scored
 *       Dataset is not cached and its one write job reads the input, transforms and writes in one
 *       stage; its totals are read after that write.
 *   <li>Each further computation of the same rows adds again: a second action on the transformed
 *       Dataset (a {@code count()} before a {@code write}), a cached block evicted and recomputed,
 *       a shuffle-map stage re-run after a lost executor. Use a fresh {@code InferenceCounts} per
 *       action, or count the null outputs of what was written when that matters.
 *   <li>A downstream {@code limit} that stops reading early counts only the rows read.
 * </ul>
 *
 * <p>Under {@code badRowPolicy=fail} a task stops at the first partition holding an unusable row,
 * and the exception names the counts of that partition; the accumulators then say nothing useful.
 */
public final class InferenceCounts implements Serializable {
  private static final long serialVersionUID = 1L;

  private final LongAccumulator rows;
  private final LongAccumulator nullFeatures;
  private final LongAccumulator wrongSize;
  private final LongAccumulator nonFinite;
  private final LongAccumulator outOfRange;

  private InferenceCounts(SparkContext sc, String name) {
    rows = sc.longAccumulator(name + ": rows");
    nullFeatures = sc.longAccumulator(name + ": null features");
    wrongSize = sc.longAccumulator(name + ": skipped, wrong size");
    nonFinite = sc.longAccumulator(name + ": skipped, NaN or Inf");
    outOfRange = sc.longAccumulator(name + ": skipped, outside [0, 1]");
  }

  /**
   * New counters, all zero, registered with {@code sc} (on the driver) under names starting with
   * {@code name}.
   */
  public static InferenceCounts register(SparkContext sc, String name) {
    return new InferenceCounts(sc, name);
  }

  /** Counts one row read by a task: {@code reason} is null for a row that was scored. */
  void add(BadRows.Reason reason) {
    rows.add(1);
    if (reason == null) {
      return;
    }
    switch (reason) {
      case NULL -> nullFeatures.add(1);
      case WRONG_SIZE -> wrongSize.add(1);
      case NON_FINITE -> nonFinite.add(1);
      case OUT_OF_RANGE -> outOfRange.add(1);
      default -> throw new IllegalStateException("unknown reason " + reason);
    }
  }

  /** Rows read. */
  public long rows() {
    return rows.value();
  }

  /** Rows with null features (null outputs under either policy). */
  public long nullFeatures() {
    return nullFeatures.value();
  }

  /** Rows skipped for having another size than the model's input. */
  public long wrongSize() {
    return wrongSize.value();
  }

  /** Rows skipped for a NaN or infinite value. */
  public long nonFinite() {
    return nonFinite.value();
  }

  /** Rows skipped for a value outside [0, 1] (Bernoulli likelihood only). */
  public long outOfRange() {
    return outOfRange.value();
  }

  /** Rows skipped under {@code badRowPolicy=skip}, all reasons. */
  public long skipped() {
    return wrongSize() + nonFinite() + outOfRange();
  }

  /** Rows whose outputs are null: null features plus skipped rows. */
  public long nullOutputs() {
    return nullFeatures() + skipped();
  }

  /** Rows that got outputs. */
  public long scored() {
    return rows() - nullOutputs();
  }

  /**
   * "1000 rows: 990 scored, 2 with null features, 8 skipped (3 of the wrong size, 5 with NaN or
   * Inf, 0 with values outside [0, 1])".
   */
  @Override
  public String toString() {
    return rows()
        + " rows: "
        + scored()
        + " scored, "
        + nullFeatures()
        + " with null features, "
        + skipped()
        + " skipped ("
        + wrongSize()
        + " of the wrong size, "
        + nonFinite()
        + " with NaN or Inf, "
        + outOfRange()
        + " with values outside [0, 1])";
  }
}
