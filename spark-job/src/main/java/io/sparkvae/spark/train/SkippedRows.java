package io.sparkvae.spark.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.Serializable;
import java.util.Locale;

/**
 * Input rows a run left out under {@code badRowPolicy=skip}, by reason: what the metrics file
 * records with every epoch, so that a run's data loss is visible next to its losses.
 */
public record SkippedRows(long nulls, long wrongSize, long nonFinite, long outOfRange)
    implements Serializable {
  /** Nothing left out. */
  public static final SkippedRows NONE = new SkippedRows(0, 0, 0, 0);

  /** The counts of a {@link BadRows}. */
  public static SkippedRows of(BadRows b) {
    return new SkippedRows(b.nulls(), b.wrongSize(), b.nonFinite(), b.outOfRange());
  }

  /** All rows left out. */
  public long total() {
    return nulls + wrongSize + nonFinite + outOfRange;
  }

  /** {"total":3,"null":0,"wrong_size":0,"non_finite":1,"out_of_range":2}. */
  public String toJson() {
    return String.format(
        Locale.ROOT,
        "{\"total\":%d,\"null\":%d,\"wrong_size\":%d,\"non_finite\":%d,\"out_of_range\":%d}",
        total(),
        nulls,
        wrongSize,
        nonFinite,
        outOfRange);
  }

  /**
   * Reads {@link #toJson}'s object; absent (a file written before it was recorded) is {@link
   * #NONE}.
   */
  public static SkippedRows fromJson(JsonElement e) {
    if (e == null || e.isJsonNull()) {
      return NONE;
    }
    JsonObject o = e.getAsJsonObject();
    return new SkippedRows(
        o.get("null").getAsLong(),
        o.get("wrong_size").getAsLong(),
        o.get("non_finite").getAsLong(),
        o.get("out_of_range").getAsLong());
  }
}
