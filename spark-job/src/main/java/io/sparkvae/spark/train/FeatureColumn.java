package io.sparkvae.spark.train;

import io.sparkvae.model.data.RowBlocks;
import io.sparkvae.model.vae.Support;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Iterator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reads a features column of type {@code ml.linalg.Vector}, {@code array<float>} or {@code
 * array<double>} into packed float rows, with errors that name the column and the problem.
 */
public final class FeatureColumn implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String name;

  /** The column called {@code name}. */
  public FeatureColumn(String name) {
    this.name = name;
  }

  /** The column name. */
  public String name() {
    return name;
  }

  /** True for the types this column may have. */
  public static boolean isSupported(DataType t) {
    return t.equals(SQLDataTypes.VectorType())
        || t.equals(DataTypes.createArrayType(DataTypes.FloatType, true))
        || t.equals(DataTypes.createArrayType(DataTypes.FloatType, false))
        || t.equals(DataTypes.createArrayType(DataTypes.DoubleType, true))
        || t.equals(DataTypes.createArrayType(DataTypes.DoubleType, false));
  }

  /** "columns are: a, b" for a message, or what an input without any column most likely means. */
  public static String columnList(String[] columns) {
    return columns.length == 0
        ? "the input has no columns at all (is it empty, or not in the --input-format given?)"
        : "columns are: " + String.join(", ", columns);
  }

  /**
   * Checks that the column exists with a supported type.
   *
   * @throws IllegalArgumentException naming the column and what is wrong
   */
  public void validate(StructType schema) {
    if (!Arrays.asList(schema.fieldNames()).contains(name)) {
      throw new IllegalArgumentException(
          "features column '" + name + "' does not exist; " + columnList(schema.fieldNames()));
    }
    StructField f = schema.apply(name);
    if (!isSupported(f.dataType())) {
      throw new IllegalArgumentException(
          "features column '"
              + name
              + "' has type "
              + f.dataType().catalogString()
              + "; expected vector, array<float> or array<double>");
    }
  }

  /** Number of values in a non-null cell. */
  public static int size(Object cell) {
    if (cell instanceof Vector v) {
      return v.size();
    }
    return ((scala.collection.Seq<?>) cell).size();
  }

  /** Copies a non-null cell into {@code dst} at {@code offset}. */
  public static void copy(Object cell, float[] dst, int offset) {
    if (cell instanceof Vector v) {
      if (v instanceof org.apache.spark.ml.linalg.DenseVector d) {
        double[] values = d.values();
        for (int i = 0; i < values.length; i++) {
          dst[offset + i] = (float) values[i];
        }
      } else {
        // A sparse vector writes only its active entries: the rest must be zero, not whatever a
        // previous row left in a reused buffer.
        Arrays.fill(dst, offset, offset + v.size(), 0f);
        v.foreachActive(
            (i, x) -> {
              dst[offset + (int) i] = (float) (double) x;
              return null;
            });
      }
      return;
    }
    scala.collection.Iterator<?> it = ((scala.collection.Seq<?>) cell).iterator();
    int i = offset;
    while (it.hasNext()) {
      Object x = it.next();
      if (x == null) {
        throw new IllegalArgumentException("null element in an array of features");
      }
      dst[i++] = ((Number) x).floatValue();
    }
  }

  /**
   * Checks one packed row, {@code buf[offset .. offset + dim)}: null when every value is finite and
   * inside the likelihood's {@code support}, else the problem (NaN or infinity before a value
   * outside the support, when a row has both). Training and inference use this one check, so a row
   * is refused for the same reasons in both; the check itself is the likelihood's ({@link
   * Support#check}).
   */
  public static BadRows.Reason checkValues(float[] buf, int offset, int dim, Support support) {
    Support.Violation v = support.check(buf, offset, dim);
    if (v == null) {
      return null;
    }
    return v == Support.Violation.NON_FINITE
        ? BadRows.Reason.NON_FINITE
        : BadRows.Reason.OUT_OF_RANGE;
  }

  /**
   * Packs rows whose first field is this column (and whose second, if any, is the row's id) into
   * one shard. Rows that cannot be used (null, wrong size, NaN or Inf, values outside the
   * likelihood's support) are left out and counted in the shard, so that the driver can report the
   * counts over the whole dataset.
   *
   * @param expectedDim the required row size, or -1 to take the first row's
   * @param support the values the likelihood accepts ([0, 1] for the Bernoulli)
   * @param blockValues the most values one block of the shard holds ({@link RowBlocks})
   */
  public PackedShard pack(Iterator<Row> rows, int expectedDim, Support support, long blockValues) {
    RowBlocks.Builder packed = null;
    int dim = expectedDim;
    BadRows bad = new BadRows();
    while (rows.hasNext()) {
      Row row = rows.next();
      Object cell = row.get(0);
      long id = row.length() > 1 ? row.getLong(1) : -1;
      if (cell == null) {
        bad.add(BadRows.Reason.NULL, id);
        continue;
      }
      int size = size(cell);
      if (dim < 0) {
        dim = size;
      }
      if (size != dim) {
        bad.add(BadRows.Reason.WRONG_SIZE, id);
        continue;
      }
      if (packed == null) {
        packed = new RowBlocks.Builder(dim, blockValues);
      }
      if (packed.rows() == RowBlocks.MAX_ARRAY) {
        throw new IllegalArgumentException(
            "a shard of column '" + name + "' holds more than 2^31 rows; use more replicas");
      }
      float[] block = packed.nextRowBlock();
      int at = packed.nextRowOffset();
      copy(cell, block, at);
      BadRows.Reason problem = checkValues(block, at, dim, support);
      if (problem != null) {
        bad.add(problem, id);
        continue; // the slot is overwritten by the next row
      }
      packed.keepRow();
    }
    RowBlocks data =
        packed == null ? RowBlocks.of(new float[0], 0, Math.max(dim, 0)) : packed.build();
    return new PackedShard(data, bad);
  }

  /**
   * {@link #pack(Iterator, int, Support, long)} checking finiteness only, in blocks of the default
   * size.
   */
  public PackedShard pack(Iterator<Row> rows, int expectedDim) {
    return pack(rows, expectedDim, Support.REAL, PackedShard.DEFAULT_BLOCK_VALUES);
  }

  /**
   * Applies the bad-row policy to the shards' counts: {@code fail} throws with the counts and the
   * first offending rows; {@code skip} returns them (the caller logs and records them).
   *
   * @param role "training" or "validation", for the message
   * @return the bad rows over all shards
   */
  public BadRows checkBadRows(
      java.util.List<PackedShard> shards, String role, int dim, Support support, boolean skip) {
    BadRows all = new BadRows();
    for (PackedShard s : shards) {
      all = all.plus(s.badRows());
    }
    if (all.total() > 0 && !skip) {
      throw new IllegalArgumentException(
          "features column '"
              + name
              + "' of the "
              + role
              + " data has "
              + all.total()
              + " bad rows: "
              + all.describe(dim, support)
              + " (badRowPolicy=skip leaves them out)");
    }
    return all;
  }
}
