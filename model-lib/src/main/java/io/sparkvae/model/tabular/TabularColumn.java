package io.sparkvae.model.tabular;

import java.io.Serializable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One column of a {@link TabularSchema}: where its value comes from, its {@link ColumnKind} and the
 * statistics fitted on the training data, and the encoding of one raw value into its slice of the
 * packed row.
 *
 * <p>Statistics by kind: numeric: {@code center} and {@code scale} are the mean and standard
 * deviation of the signed-log value {@code sign(x) log(1 + |x|)} (see {@link #signedLog}); binary:
 * {@code center} is the fraction of ones; count: {@code center} is the mean count; categorical:
 * {@code vocabulary} (most frequent first, at most the fitter's cap) and {@code counts}, one per
 * vocabulary entry plus a last one for the "unknown" entry (training values beyond the cap), which
 * also receives every value unseen in training at scoring time. {@code observed} and {@code
 * missing} count training values.
 */
public final class TabularColumn implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String name;
  private final String source;
  private final Derive derive;
  private final ColumnKind kind;
  private final long observed;
  private final long missing;
  private final double center;
  private final double scale;
  private final List<String> vocabulary;
  private final long[] counts;
  private final Map<String, Integer> index;

  /**
   * A column; see the class documentation for what the statistics mean per kind.
   *
   * @throws IllegalArgumentException for statistics that do not fit the kind, naming the column
   */
  public TabularColumn(
      String name,
      String source,
      Derive derive,
      ColumnKind kind,
      long observed,
      long missing,
      double center,
      double scale,
      List<String> vocabulary,
      long[] counts) {
    this.name = Objects.requireNonNull(name, "name");
    this.source = Objects.requireNonNull(source, "source");
    this.derive = Objects.requireNonNull(derive, "derive");
    this.kind = Objects.requireNonNull(kind, "kind");
    this.observed = observed;
    this.missing = missing;
    this.center = center;
    this.scale = scale;
    this.vocabulary = List.copyOf(vocabulary);
    this.counts = counts.clone();
    if (!Double.isFinite(center) || !(scale > 0) || !Double.isFinite(scale)) {
      throw new IllegalArgumentException(
          "column '"
              + name
              + "': center "
              + center
              + " and scale "
              + scale
              + " must be finite, the scale positive");
    }
    if (kind == ColumnKind.CATEGORICAL && this.counts.length != this.vocabulary.size() + 1) {
      throw new IllegalArgumentException(
          "column '"
              + name
              + "': "
              + this.vocabulary.size()
              + " vocabulary entries need "
              + (this.vocabulary.size() + 1)
              + " counts (the last for unknown), found "
              + this.counts.length);
    }
    if (kind != ColumnKind.CATEGORICAL && (!this.vocabulary.isEmpty() || this.counts.length != 0)) {
      throw new IllegalArgumentException(
          "column '" + name + "' is " + kind.configName() + " but has a vocabulary");
    }
    if (derive != Derive.NONE && kind != ColumnKind.CATEGORICAL) {
      throw new IllegalArgumentException(
          "column '" + name + "': derived timestamp features are categorical");
    }
    this.index = new HashMap<>();
    for (int i = 0; i < this.vocabulary.size(); i++) {
      if (index.put(this.vocabulary.get(i), i) != null) {
        throw new IllegalArgumentException(
            "column '" + name + "': the vocabulary holds '" + this.vocabulary.get(i) + "' twice");
      }
    }
  }

  /** {@code sign(x) * log(1 + |x|)}: the numeric transform (identity near 0, log in the tails). */
  public static double signedLog(double x) {
    return Math.copySign(Math.log1p(Math.abs(x)), x);
  }

  public String name() {
    return name;
  }

  /** The input column the value is read from (the name itself unless derived). */
  public String source() {
    return source;
  }

  public Derive derive() {
    return derive;
  }

  public ColumnKind kind() {
    return kind;
  }

  /** Training values present. */
  public long observed() {
    return observed;
  }

  /** Training values missing (null, NaN). */
  public long missing() {
    return missing;
  }

  public double center() {
    return center;
  }

  public double scale() {
    return scale;
  }

  /** The vocabulary of a categorical column, without the unknown entry. */
  public List<String> vocabulary() {
    return vocabulary;
  }

  /** Training counts per vocabulary entry, the unknown entry last (a copy). */
  public long[] counts() {
    return counts.clone();
  }

  /** Categories including the unknown entry (categorical only; 0 otherwise). */
  public int categories() {
    return kind == ColumnKind.CATEGORICAL ? vocabulary.size() + 1 : 0;
  }

  /** Floats of this column in the packed row (its last one is the observed flag). */
  public int packedWidth() {
    return kind == ColumnKind.CATEGORICAL ? categories() + 1 : 2;
  }

  /** Decoder outputs this column's likelihood reads. */
  public int decoderOutputs() {
    return kind == ColumnKind.CATEGORICAL ? categories() : 1;
  }

  /**
   * Writes one raw value (already derived) into {@code dst[off .. off + packedWidth())}.
   *
   * @return true when a categorical value was not in the vocabulary (it went to unknown)
   * @throws TabularValueException for an infinity, a value of the wrong type, a count that is not a
   *     non-negative integer, a binary value other than 0/1
   */
  public boolean encode(Object value, float[] dst, int off) {
    int w = packedWidth();
    Arrays.fill(dst, off, off + w, 0f);
    if (value == null
        || (value instanceof Double d && d.isNaN())
        || (value instanceof Float f && f.isNaN())) {
      return false; // missing: zero value, observed flag 0
    }
    boolean unknown = false;
    switch (kind) {
      case NUMERIC -> dst[off] = (float) ((signedLog(finiteNumber(value)) - center) / scale);
      case COUNT -> {
        double k = finiteNumber(value);
        if (k < 0 || k != Math.rint(k)) {
          throw new TabularValueException(
              name,
              "has the value "
                  + value
                  + ": a count column takes non-negative integers (override its kind, e.g. "
                  + name
                  + ":numeric)");
        }
        dst[off] = (float) Math.log1p(k);
      }
      case BINARY -> dst[off] = binary(value);
      case CATEGORICAL -> {
        Integer i = index.get(key(value));
        unknown = i == null;
        dst[off + (unknown ? vocabulary.size() : i)] = 1f;
      }
    }
    dst[off + w - 1] = 1f;
    return unknown;
  }

  private double finiteNumber(Object value) {
    if (!(value instanceof Number n)) {
      throw wrongType(value, "a number");
    }
    double d = n.doubleValue();
    if (Double.isInfinite(d)) {
      throw new TabularValueException(
          name,
          "has the value "
              + d
              + ": infinities are bad rows (make it null to mark the value missing, or filter the row out)");
    }
    return d;
  }

  private float binary(Object value) {
    if (value instanceof Boolean b) {
      return b ? 1f : 0f;
    }
    double d = finiteNumber(value);
    if (d != 0 && d != 1) {
      throw new TabularValueException(
          name, "has the value " + value + ": a binary column takes 0, 1 or booleans");
    }
    return (float) d;
  }

  /**
   * The vocabulary key of a categorical value: strings as they are, integral numbers without ".0".
   */
  String key(Object value) {
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof Boolean b) {
      return b.toString();
    }
    if (value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof Byte) {
      return value.toString();
    }
    if (value instanceof Number) {
      double d = finiteNumber(value);
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
    throw wrongType(value, "a string, a number or a boolean");
  }

  private TabularValueException wrongType(Object value, String expected) {
    return new TabularValueException(
        name,
        "has a value of type "
            + value.getClass().getSimpleName()
            + " ("
            + value
            + ") where "
            + kind.configName()
            + " needs "
            + expected);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TabularColumn c
        && name.equals(c.name)
        && source.equals(c.source)
        && derive == c.derive
        && kind == c.kind
        && observed == c.observed
        && missing == c.missing
        && Double.compare(center, c.center) == 0
        && Double.compare(scale, c.scale) == 0
        && vocabulary.equals(c.vocabulary)
        && Arrays.equals(counts, c.counts);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, source, derive, kind, observed, missing, center, scale, vocabulary)
            * 31
        + Arrays.hashCode(counts);
  }

  @Override
  public String toString() {
    return name + ":" + kind.configName();
  }
}
