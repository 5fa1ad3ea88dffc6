package io.sparkvae.spark.ml;

import io.sparkvae.model.tabular.ColumnKind;
import io.sparkvae.model.tabular.TabularColumn;
import io.sparkvae.model.tabular.TabularFitter;
import io.sparkvae.model.tabular.TabularFitter.Source;
import io.sparkvae.model.tabular.TabularFitter.SourceType;
import io.sparkvae.model.tabular.TabularSchema;
import io.sparkvae.model.tabular.TabularValueException;
import io.sparkvae.spark.train.FeatureColumn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Spark side of tabular input ({@code inputCols}): the input columns' types, the one-pass fit
 * of the {@link TabularSchema} ({@code treeAggregate} of a {@link TabularFitter}, plain Java per
 * row, no native code), and the packing of each record into ONE vector column that the float[]
 * training and inference paths read as they read any features column. Packing is a Java UDF: the
 * model stays one stage, nothing for the user to apply first.
 */
final class TabularInput {
  private static final Logger LOG = LoggerFactory.getLogger(TabularInput.class);

  /**
   * The KL warm-up of a tabular fit whose {@code klWarmupSteps} is not set: the KL weight rises
   * linearly from 0 to beta over this fraction of the run's optimizer steps. Why: on the flights
   * data (docs/BENCHMARKS.md §7) a tabular VAE trained with the full KL weight from the first step
   * collapses to the independent-columns baseline (no column gains more from the code than the KL
   * charges for it, so the posterior stays at the prior: −ELBO 16.50 against the baseline's 16.36),
   * while a warm-up over about 40 % of the steps (runs 6–9: 2 of 4 epochs, 3.4 of 8, 5.1 of 12)
   * escapes that optimum and beats the baseline in NLL and in both anomaly AUROCs. It scales with
   * the run because a fixed step count would be most of a short run and nothing of a long one.
   */
  static final double KL_WARMUP_FRACTION = 0.4;

  /** The name of the internal packed column (dropped from every result). */
  static final String PACKED = "__sparkvae_packed";

  private TabularInput() {}

  /** The names in {@code inputCols} ("a, b,c"), without blanks. */
  static List<String> names(String inputCols) {
    List<String> out = new ArrayList<>();
    for (String s : inputCols.split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return out;
  }

  /**
   * The {@code columnKinds} overrides, "delay:numeric,origin:categorical".
   *
   * @throws IllegalArgumentException for an entry that is not {@code column:kind}, naming it
   */
  static Map<String, ColumnKind> overrides(String columnKinds) {
    Map<String, ColumnKind> out = new LinkedHashMap<>();
    for (String entry : columnKinds.split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      int colon = entry.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException(
            "columnKinds entry '" + entry.trim() + "' is not column:kind");
      }
      String col = entry.substring(0, colon).trim();
      out.put(
          col, ColumnKind.of(entry.substring(colon + 1).trim(), "columnKinds entry '" + col + "'"));
    }
    return out;
  }

  /**
   * The input columns with their types.
   *
   * @throws IllegalArgumentException for a missing column or a type with no tabular kind, naming it
   */
  static List<Source> sources(StructType schema, List<String> names) {
    if (names.isEmpty()) {
      throw new IllegalArgumentException("inputCols names no column");
    }
    List<Source> out = new ArrayList<>();
    for (String n : names) {
      if (!Arrays.asList(schema.fieldNames()).contains(n)) {
        throw new IllegalArgumentException(
            "input column '"
                + n
                + "' does not exist; "
                + FeatureColumn.columnList(schema.fieldNames()));
      }
      out.add(new Source(n, sourceType(n, schema.apply(n).dataType())));
    }
    return out;
  }

  private static SourceType sourceType(String name, DataType t) {
    if (t instanceof StringType) {
      return SourceType.STRING;
    } else if (t instanceof ByteType
        || t instanceof ShortType
        || t instanceof IntegerType
        || t instanceof LongType) {
      return SourceType.INTEGER;
    } else if (t instanceof FloatType || t instanceof DoubleType || t instanceof DecimalType) {
      return SourceType.FLOATING;
    } else if (t instanceof BooleanType) {
      return SourceType.BOOLEAN;
    } else if (t instanceof TimestampType || t instanceof TimestampNTZType) {
      return SourceType.TIMESTAMP;
    }
    throw new IllegalArgumentException(
        "input column '"
            + name
            + "' has type "
            + t.catalogString()
            + "; tabular input takes strings, integers, floating point, booleans and timestamps");
  }

  /**
   * Fits the schema in one pass over {@code df}.
   *
   * @param skip badRowPolicy=skip: bad values are logged per column; else they fail the fit
   * @throws IllegalArgumentException with the bad values per column, or from the fitter
   */
  static TabularSchema fit(
      Dataset<Row> df,
      List<Source> sources,
      Map<String, ColumnKind> overrides,
      boolean timestampFeatures,
      int maxLevels,
      int maxCategories,
      boolean skip) {
    TabularFitter zero =
        new TabularFitter(sources, overrides, timestampFeatures, maxLevels, maxCategories);
    Column[] cols =
        sources.stream().map(s -> functions.col(VaeModel.quote(s.name()))).toArray(Column[]::new);
    int n = sources.size();
    TabularFitter fitted =
        df.select(cols)
            .toJavaRDD()
            .treeAggregate(zero, (f, row) -> f.add(values(row, n)), TabularFitter::merge);
    Map<String, String> bad = fitted.badValues();
    if (!bad.isEmpty()) {
      String counts =
          bad.entrySet().stream()
              .map(e -> e.getKey() + ": " + e.getValue())
              .reduce((a, b) -> a + "; " + b)
              .orElse("");
      if (!skip) {
        throw new IllegalArgumentException(
            "the training data have bad values (not missing: nulls and NaN are"
                + " masked) per column: "
                + counts
                + " (badRowPolicy=skip leaves those rows out)");
      }
      LOG.warn("training rows left out (badRowPolicy=skip), per column: {}", counts);
    }
    TabularSchema schema = fitted.finish();
    LOG.info(
        "tabular schema: {} ({} packed values per row)", schema.columns(), schema.packedWidth());
    return schema;
  }

  private static Object[] values(Row row, int n) {
    Object[] v = new Object[n];
    for (int i = 0; i < n; i++) {
      v[i] = row.get(i);
    }
    return v;
  }

  /**
   * {@code df} with the packed vector column {@link #PACKED} appended. A record with a bad value
   * fails the task with the column's name (badRowPolicy=fail) or gets a null packed cell, which the
   * training and inference paths treat as a null row (skip).
   */
  static Dataset<Row> withPacked(Dataset<Row> df, TabularSchema schema, boolean skip) {
    return withPacked(df, schema, skip, null);
  }

  /**
   * {@link #withPacked(Dataset, TabularSchema, boolean)}, adding to {@code unknown} (when not null)
   * every categorical value that was not in its column's vocabulary (scored as "unknown").
   */
  static Dataset<Row> withPacked(
      Dataset<Row> df, TabularSchema schema, boolean skip, LongAccumulator unknown) {
    List<String> sources = schema.sources();
    for (String s : sources) {
      if (!Arrays.asList(df.schema().fieldNames()).contains(s)) {
        throw new IllegalArgumentException(
            "input column '"
                + s
                + "' of the tabular model does not exist; "
                + FeatureColumn.columnList(df.schema().fieldNames()));
      }
    }
    Column[] cols =
        sources.stream().map(s -> functions.col(VaeModel.quote(s))).toArray(Column[]::new);
    UserDefinedFunction pack =
        functions.udf(new Packer(schema, skip, unknown), SQLDataTypes.VectorType());
    return df.withColumn(PACKED, pack.apply(functions.struct(cols)));
  }

  /** The struct type of the per-column contributions: one double per schema column. */
  static StructType columnNllType(TabularSchema schema) {
    StructType t = new StructType();
    for (TabularColumn c : schema.columns()) {
      t = t.add(c.name(), DataTypes.DoubleType, true);
    }
    return t;
  }

  /** Packs one record (a struct of the sources) into a dense vector. */
  private static final class Packer implements UDF1<Row, Vector> {
    private static final long serialVersionUID = 1L;
    private final TabularSchema schema;
    private final boolean skip;
    private final LongAccumulator unknown;

    Packer(TabularSchema schema, boolean skip, LongAccumulator unknown) {
      this.schema = schema;
      this.skip = skip;
      this.unknown = unknown;
    }

    @Override
    public Vector call(Row r) {
      float[] packed = new float[schema.packedWidth()];
      long[] unseen = unknown == null ? null : new long[schema.columns().size()];
      try {
        schema.encode(values(r, r.length()), packed, 0, unseen);
      } catch (TabularValueException e) {
        if (skip) {
          return null;
        }
        throw e;
      }
      if (unseen != null) {
        long n = 0;
        for (long u : unseen) {
          n += u;
        }
        if (n > 0) {
          unknown.add(n);
        }
      }
      double[] d = new double[packed.length];
      for (int i = 0; i < d.length; i++) {
        d[i] = packed[i];
      }
      return new DenseVector(d);
    }
  }
}
