package io.sparkvae.model.tabular;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fits a {@link TabularSchema} in ONE pass over the records: a mergeable accumulator (Spark's
 * {@code treeAggregate} adds records per partition with {@link #add} and merges partitions with
 * {@link #merge}), then {@link #finish} infers each column's kind and freezes its statistics. Plain
 * Java, no native code.
 *
 * <p>Kind inference (unless {@code overrides} names the column): strings → categorical; booleans →
 * binary; timestamps → two categorical columns, hour of day and day of week, when {@code
 * timestampFeatures}, else an error; integers: values within {0, 1} → binary, at most {@code
 * maxLevels} distinct values → categorical, non-negative with an index of dispersion (variance /
 * mean) of at most {@link #MAX_COUNT_DISPERSION} → count, else numeric; floating point → numeric.
 * Vocabularies keep the {@code maxCategories} most frequent values (ties by value); the rest of the
 * training values count as unknown.
 *
 * <p>Bad values (infinities, wrong types) are counted per column and left out of that column's
 * statistics; {@link #badValues()} reports them so the caller can apply its bad-row policy.
 *
 * <p>Over 400 lines because the per-column accumulator (counts, moments, distinct values, bad
 * values: what Spark merges across partitions) and the inference rules that read it belong
 * together; the resulting schema and its likelihoods are in {@link TabularSchema} and {@link
 * TabularLikelihood}.
 */
public final class TabularFitter implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Distinct values tracked per column at most: above it a column cannot be categorical. */
  public static final int MAX_DISTINCT = 1 << 16;

  /**
   * The largest index of dispersion (training variance / mean) of an inferred count column; a
   * non-negative integer column above it is numeric. A Poisson's variance equals its mean, so for a
   * column of index D the decoder must explain the spread row by row: missing a value by one
   * training standard deviation costs the Poisson about D / 2 nats. At 10 that is 5 nats, about
   * what a categorical column of a few hundred values costs in all; flights' distance in miles has
   * D ≈ 450, where rare routes cost hundreds of nats and swamp every other column's contribution to
   * the anomaly score. Counts of events are commonly over-dispersed by a small factor and stay
   * counts; measures (miles, dollars, id-like numbers) are far above it and are modelled on the
   * scale-free signed log instead. An override ({@code column:count}) still wins.
   */
  public static final double MAX_COUNT_DISPERSION = 10;

  /** The type of an input column, from its Spark type. */
  public enum SourceType {
    STRING,
    INTEGER,
    FLOATING,
    BOOLEAN,
    TIMESTAMP
  }

  /** One input column: its name and type. */
  public record Source(String name, SourceType type) implements Serializable {}

  private final List<Source> sources;
  private final List<Acc> accs = new ArrayList<>();
  private final int maxLevels;
  private final int maxCategories;

  /**
   * An empty accumulator.
   *
   * @param overrides column name → kind, for columns whose inferred kind is not wanted
   * @throws IllegalArgumentException for a timestamp without {@code timestampFeatures}, an override
   *     of a column that is not an input, or a kind that the type cannot have
   */
  public TabularFitter(
      List<Source> sources,
      Map<String, ColumnKind> overrides,
      boolean timestampFeatures,
      int maxLevels,
      int maxCategories) {
    this.sources = List.copyOf(sources);
    this.maxLevels = maxLevels;
    this.maxCategories = maxCategories;
    List<String> names = new ArrayList<>();
    for (int s = 0; s < sources.size(); s++) {
      Source src = sources.get(s);
      ColumnKind forced = overrides.get(src.name());
      if (src.type() == SourceType.TIMESTAMP) {
        if (!timestampFeatures) {
          throw new IllegalArgumentException(
              "column '"
                  + src.name()
                  + "' is a timestamp: set timestampFeatures=true"
                  + " to model its hour of day and day of week, or leave it out of inputCols");
        }
        for (Derive d : new Derive[] {Derive.HOUR_OF_DAY, Derive.DAY_OF_WEEK}) {
          accs.add(
              new Acc(
                  d.columnName(src.name()),
                  s,
                  src.name(),
                  d,
                  ColumnKind.CATEGORICAL,
                  MAX_DISTINCT));
          names.add(d.columnName(src.name()));
        }
        continue;
      }
      checkOverride(src, forced);
      boolean categoricalByType =
          src.type() == SourceType.STRING
              || src.type() == SourceType.BOOLEAN
              || forced == ColumnKind.CATEGORICAL;
      accs.add(
          new Acc(
              src.name(),
              s,
              src.name(),
              Derive.NONE,
              forced,
              categoricalByType ? MAX_DISTINCT : maxLevels));
      names.add(src.name());
    }
    for (String o : overrides.keySet()) {
      if (!names.contains(o)) {
        throw new IllegalArgumentException(
            "columnKinds names '"
                + o
                + "', which is not an input column; inputs are: "
                + String.join(", ", names));
      }
    }
  }

  private static void checkOverride(Source src, ColumnKind forced) {
    if (forced == null) {
      return;
    }
    boolean ok =
        switch (src.type()) {
          case STRING -> forced == ColumnKind.CATEGORICAL;
          case BOOLEAN -> forced == ColumnKind.BINARY || forced == ColumnKind.CATEGORICAL;
          default -> true;
        };
    if (!ok) {
      throw new IllegalArgumentException(
          "columnKinds: column '"
              + src.name()
              + "' of type "
              + src.type().name().toLowerCase(java.util.Locale.ROOT)
              + " cannot be "
              + forced.configName());
    }
  }

  /** Adds one record: the values of the sources, in order. */
  public TabularFitter add(Object[] values) {
    for (Acc a : accs) {
      a.add(values[a.source], sources.get(a.source).type());
    }
    return this;
  }

  /** Adds another partition's accumulator into this one. */
  public TabularFitter merge(TabularFitter other) {
    for (int i = 0; i < accs.size(); i++) {
      accs.get(i).merge(other.accs.get(i));
    }
    return this;
  }

  /** Bad values per column (name → count, first problem), in column order; empty when none. */
  public Map<String, String> badValues() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Acc a : accs) {
      if (a.bad > 0) {
        out.put(a.name, a.bad + " bad values, e.g. " + a.firstBad);
      }
    }
    return out;
  }

  /**
   * The schema.
   *
   * @throws IllegalArgumentException for a column without a usable value, a categorical column with
   *     more than {@link #MAX_DISTINCT} values, or an override the values contradict; naming it
   */
  public TabularSchema finish() {
    List<TabularColumn> cols = new ArrayList<>();
    for (Acc a : accs) {
      cols.add(a.finish(sources.get(a.source).type(), maxLevels, maxCategories));
    }
    return new TabularSchema(cols);
  }

  /** The running statistics of one column. */
  private static final class Acc implements Serializable {
    private static final long serialVersionUID = 1L;
    final String name;
    final int source;
    final String sourceName;
    final Derive derive;
    final ColumnKind forced;

    /** Distinct values tracked at most; beyond it the column cannot be categorical. */
    final int cap;

    long observed;
    long missing;
    long bad;
    String firstBad;
    double sum;
    double sumSq;
    double sumT;
    double sumT2;
    boolean integral = true;
    boolean nonNegative = true;
    boolean tooMany;
    HashMap<String, Long> distinct = new HashMap<>();

    Acc(String name, int source, String sourceName, Derive derive, ColumnKind forced, int cap) {
      this.name = name;
      this.source = source;
      this.sourceName = sourceName;
      this.derive = derive;
      this.forced = forced;
      this.cap = cap;
    }

    void add(Object raw, SourceType type) {
      Object v = raw;
      try {
        if (derive != Derive.NONE) {
          v = derive.apply(raw, name);
        }
        if (v == null
            || (v instanceof Double d && d.isNaN())
            || (v instanceof Float f && f.isNaN())) {
          missing++;
          return;
        }
        String key = key(v, type);
        observed++;
        if (v instanceof Number n) {
          double x = n.doubleValue();
          sum += x;
          sumSq += x * x;
          double t = TabularColumn.signedLog(x);
          sumT += t;
          sumT2 += t * t;
          integral &= x == Math.rint(x);
          nonNegative &= x >= 0;
        } else if (v instanceof Boolean b) {
          sum += b ? 1 : 0;
        }
        if (!tooMany) {
          distinct.merge(key, 1L, Long::sum);
          if (distinct.size() > cap) {
            tooMany = true;
            distinct = new HashMap<>();
          }
        }
      } catch (TabularValueException e) {
        if (bad++ == 0) {
          firstBad = e.getMessage();
        }
      }
    }

    private String key(Object v, SourceType type) {
      if (v instanceof Number n) {
        double d = n.doubleValue();
        if (Double.isInfinite(d)) {
          throw new TabularValueException(
              name,
              "has the value "
                  + d
                  + ": infinities are bad rows (make it null to mark the value missing, or filter the row out)");
        }
        return d == Math.rint(d) && Math.abs(d) < 1e15
            ? Long.toString((long) d)
            : Double.toString(d);
      }
      if (v instanceof String s) {
        return s;
      }
      if (v instanceof Boolean b) {
        return b.toString();
      }
      throw new TabularValueException(
          name,
          "has a value of type "
              + v.getClass().getSimpleName()
              + " ("
              + v
              + ") where "
              + type.name().toLowerCase(java.util.Locale.ROOT)
              + " is expected");
    }

    void merge(Acc o) {
      observed += o.observed;
      missing += o.missing;
      if (bad == 0 && o.bad > 0) {
        firstBad = o.firstBad;
      }
      bad += o.bad;
      sum += o.sum;
      sumSq += o.sumSq;
      sumT += o.sumT;
      sumT2 += o.sumT2;
      integral &= o.integral;
      nonNegative &= o.nonNegative;
      tooMany |= o.tooMany;
      if (!tooMany) {
        o.distinct.forEach((k, n) -> distinct.merge(k, n, Long::sum));
        tooMany = distinct.size() > cap;
      }
      if (tooMany) {
        distinct = new HashMap<>();
      }
    }

    TabularColumn finish(SourceType type, int maxLevels, int maxCategories) {
      if (observed == 0) {
        throw new IllegalArgumentException(
            "column '"
                + name
                + "' has no usable value in the training data ("
                + missing
                + " missing, "
                + bad
                + " bad)");
      }
      ColumnKind kind = forced != null ? forced : infer(type, maxLevels);
      double mean = sum / observed;
      return switch (kind) {
        case NUMERIC -> {
          if (type == SourceType.BOOLEAN) {
            throw new IllegalArgumentException(
                "column '" + name + "' is boolean and cannot be numeric");
          }
          double m = sumT / observed;
          double var = Math.max(0, sumT2 / observed - m * m);
          double sd = Math.sqrt(var);
          yield column(kind, m, sd > 1e-6 ? sd : 1.0, List.of(), new long[0]);
        }
        case COUNT -> {
          if (!integral || !nonNegative || type == SourceType.BOOLEAN) {
            throw new IllegalArgumentException(
                "columnKinds: column '"
                    + name
                    + "' cannot be count: its training values are not all non-negative integers");
          }
          yield column(kind, mean, 1.0, List.of(), new long[0]);
        }
        case BINARY -> {
          if (type != SourceType.BOOLEAN
              && (tooMany
                  || !distinct.keySet().stream().allMatch(k -> k.equals("0") || k.equals("1")))) {
            throw new IllegalArgumentException(
                "columnKinds: column '"
                    + name
                    + "' cannot be binary: its training values are not all 0 or 1");
          }
          yield column(kind, mean, 1.0, List.of(), new long[0]);
        }
        case CATEGORICAL -> categorical(maxCategories);
      };
    }

    private ColumnKind infer(SourceType type, int maxLevels) {
      return switch (type) {
        case STRING, TIMESTAMP -> ColumnKind.CATEGORICAL;
        case BOOLEAN -> ColumnKind.BINARY;
        case FLOATING -> ColumnKind.NUMERIC;
        case INTEGER -> {
          if (!tooMany
              && distinct.keySet().stream().allMatch(k -> k.equals("0") || k.equals("1"))) {
            yield ColumnKind.BINARY;
          }
          if (!tooMany && distinct.size() <= maxLevels) {
            yield ColumnKind.CATEGORICAL;
          }
          yield nonNegative && dispersion() <= MAX_COUNT_DISPERSION
              ? ColumnKind.COUNT
              : ColumnKind.NUMERIC;
        }
      };
    }

    /** Variance / mean of the raw values (population variance); 0 for a mean of 0 (all zeros). */
    private double dispersion() {
      double mean = sum / observed;
      if (mean <= 0) {
        return 0;
      }
      return Math.max(0, sumSq / observed - mean * mean) / mean;
    }

    private TabularColumn categorical(int maxCategories) {
      if (tooMany) {
        throw new IllegalArgumentException(
            "column '"
                + name
                + "' has more than "
                + MAX_DISTINCT
                + " distinct values, too many for a categorical column; leave it out of inputCols or override its kind");
      }
      List<Map.Entry<String, Long>> entries = new ArrayList<>(distinct.entrySet());
      entries.sort(
          Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
              .thenComparing(Map.Entry.comparingByKey()));
      List<String> vocab = new ArrayList<>();
      int kept = Math.min(maxCategories, entries.size());
      long[] counts = new long[kept + 1];
      for (int i = 0; i < entries.size(); i++) {
        if (i < kept) {
          vocab.add(entries.get(i).getKey());
          counts[i] = entries.get(i).getValue();
        } else {
          counts[kept] += entries.get(i).getValue();
        }
      }
      return column(ColumnKind.CATEGORICAL, 0, 1.0, vocab, counts);
    }

    private TabularColumn column(
        ColumnKind kind, double center, double scale, List<String> vocab, long[] counts) {
      return new TabularColumn(
          name, sourceName, derive, kind, observed, missing, center, scale, vocab, counts);
    }
  }
}
