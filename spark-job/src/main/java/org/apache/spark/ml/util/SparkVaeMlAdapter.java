package org.apache.spark.ml.util;

import java.util.Iterator;
import java.util.function.Function;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.param.Params;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.Platform;

/**
 * The one place where SparkVAE calls Spark ML helpers that Spark declares {@code private[ml]}:
 * writing and reading the {@code metadata/} directory of a saved stage ({@code
 * DefaultParamsWriter.saveMetadata}, {@code DefaultParamsReader.loadMetadata}) and Spark's default
 * params-only reader. It lives in Spark's own package, as XGBoost4J-Spark's {@code SparkUtils}
 * does, so that a Spark upgrade that changes those helpers breaks this file only.
 *
 * <p>The metadata is Spark's JSON (class, uid, timestamp, sparkVersion, paramMap and
 * defaultParamMap), so {@code Pipeline}/{@code PipelineModel} persistence and Spark's tooling read
 * SparkVAE stages like their own.
 *
 * <p>It is also the one place that reads Catalyst's internals, for the batch transform: a DataFrame
 * mapped as an RDD of {@link InternalRow}s and back ({@link #mapInternalRows}: the classic {@code
 * SparkSession}'s {@code internalCreateDataFrame}), feature cells read in place out of Spark's
 * binary rows ({@link FeatureCells}: {@link UnsafeArrayData}'s layout, {@link VectorUDT}'s struct
 * layout), outputs appended as internal values ({@link #appendColumns}).
 *
 * <p>At each Spark upgrade, re-check: {@code DefaultParamsWriter.saveMetadata} and {@code
 * DefaultParamsReader.loadMetadata} signatures; {@code VectorUDT.sqlType} (type byte 0 sparse / 1
 * dense, size, indices, values); {@code UnsafeArrayData}'s layout (element count, null bits in
 * 64-bit words, then the values: {@code calculateHeaderPortionInBytes}); that {@code
 * org.apache.spark.sql.classic.SparkSession.internalCreateDataFrame(RDD, StructType, boolean)}
 * still exists. {@code VaeTransformTest}, {@code VaeSchemaTest} and {@code VaeReadWriteTest} cover
 * each of these.
 */
public final class SparkVaeMlAdapter {
  private SparkVaeMlAdapter() {}

  /** Writes {@code <path>/metadata} for {@code instance}: its class, uid and every param. */
  public static void saveMetadata(Params instance, String path, SparkSession spark) {
    DefaultParamsWriter$.MODULE$.saveMetadata(instance, path, spark);
  }

  /**
   * Reads {@code <path>/metadata}, checks that it was written for {@code expected}, creates the
   * instance with the saved uid through {@code create}, and sets its saved params and defaults.
   *
   * @throws IllegalArgumentException when the metadata names another class
   */
  public static <T extends Params> T loadParams(
      String path, SparkSession spark, Class<T> expected, Function<String, T> create) {
    DefaultParamsReader.Metadata metadata =
        DefaultParamsReader$.MODULE$.loadMetadata(path, spark, expected.getName());
    T instance = create.apply(metadata.uid());
    metadata.getAndSetParams(instance, scala.Option.empty());
    return instance;
  }

  /**
   * Spark's reader for stages made of params only: it reads the metadata and calls the class's
   * public {@code (String uid)} constructor.
   */
  public static <T> MLReader<T> defaultParamsReader() {
    return new DefaultParamsReader<>();
  }

  /**
   * The rows of {@code df} through {@code f} as Catalyst's binary rows, as a DataFrame of schema
   * {@code out}: no decoding and re-encoding of every column of every row. The result's plan starts
   * at this RDD (as MLlib's tree ensembles and XGBoost4J-Spark's do), so filters on it are not
   * pushed below the function. Batch DataFrames only (a streaming one cannot be planned into an
   * RDD).
   */
  public static Dataset<Row> mapInternalRows(
      Dataset<Row> df, FlatMapFunction<Iterator<InternalRow>, InternalRow> f, StructType out) {
    RDD<InternalRow> rows = df.queryExecution().toRdd().toJavaRDD().mapPartitions(f).rdd();
    return ((org.apache.spark.sql.classic.SparkSession) df.sparkSession())
        .internalCreateDataFrame(rows, out, false);
  }

  /**
   * {@code row} with {@code values} appended as internal values: a {@link Vector} as {@link
   * VectorUDT}'s struct, an {@code Object[]} of boxed values as a struct of them, a boxed number or
   * null as is.
   */
  public static InternalRow appendColumns(InternalRow row, Object[] values) {
    Object[] internal = new Object[values.length];
    for (int i = 0; i < values.length; i++) {
      Object v = values[i];
      internal[i] =
          v instanceof Vector vec
              ? VECTOR_UDT.serialize(vec)
              : v instanceof Object[] fields ? new GenericInternalRow(fields) : v;
    }
    return new JoinedRow(row, new GenericInternalRow(internal));
  }

  private static final VectorUDT VECTOR_UDT = new VectorUDT();

  /** What reading one cell found. */
  public enum Cell {
    /** The cell's values are in the buffer. */
    PACKED,
    /** The cell is null: no data. */
    NULL,
    /** The cell holds another number of values than the column's size. */
    WRONG_SIZE
  }

  /**
   * Reads one column's cells (a vector, {@code array<float>} or {@code array<double>} of {@code
   * cellSize} values) out of Catalyst's binary rows into a float buffer: dense cells with one
   * memory copy where the row is Spark's binary format (reading element by element was the largest
   * Java cost of a transform in a JFR profile), sparse vectors entry by entry. One reader per task
   * (it holds a scratch row).
   */
  public static final class FeatureCells {
    private final int columnIndex;
    private final int cellSize;
    private final boolean isVector;
    private final boolean isFloat;

    /** One row's doubles, copied in bulk out of Spark's binary array before narrowing to float. */
    private final double[] doubles;

    /**
     * @param cellType the column's type: a vector, {@code array<float>} or {@code array<double>}
     */
    public FeatureCells(int columnIndex, DataType cellType, int cellSize) {
      this.columnIndex = columnIndex;
      this.cellSize = cellSize;
      this.isVector = cellType instanceof VectorUDT;
      this.isFloat = !isVector && ((ArrayType) cellType).elementType() instanceof FloatType;
      this.doubles = new double[cellSize];
    }

    /**
     * Copies the row's cell into {@code packed} from {@code offset}.
     *
     * @throws IllegalArgumentException for a sparse index outside the vector's size or a null
     *     element in an array (the message names neither the column nor the role: the caller adds
     *     them)
     */
    public Cell read(InternalRow row, float[] packed, int offset) {
      if (row.isNullAt(columnIndex)) {
        return Cell.NULL;
      }
      return isVector
          ? readVector(row.getStruct(columnIndex, 4), packed, offset)
          : readArray(row.getArray(columnIndex), packed, offset);
    }

    private Cell readVector(InternalRow v, float[] packed, int offset) {
      // VectorUDT's layout: type (0 sparse, 1 dense), size, indices, values.
      boolean dense = v.getByte(0) == 1;
      ArrayData values = v.getArray(3);
      int size = dense ? values.numElements() : v.getInt(1);
      if (size != cellSize) {
        return Cell.WRONG_SIZE;
      }
      if (dense && values instanceof UnsafeArrayData u) {
        packDoubles(u, packed, offset); // VectorUDT's values never hold nulls
      } else if (dense) {
        for (int i = 0; i < size; i++) {
          packed[offset + i] = (float) values.getDouble(i);
        }
      } else {
        // Only the active entries are written: the rest must be zero, not a previous row's.
        java.util.Arrays.fill(packed, offset, offset + size, 0f);
        ArrayData indices = v.getArray(2);
        for (int i = 0, n = indices.numElements(); i < n; i++) {
          int index = indices.getInt(i);
          if (index < 0 || index >= size) {
            throw new IllegalArgumentException(
                "sparse vector index " + index + " outside its size " + size);
          }
          packed[offset + index] = (float) values.getDouble(i);
        }
      }
      return Cell.PACKED;
    }

    private Cell readArray(ArrayData a, float[] packed, int offset) {
      if (a.numElements() != cellSize) {
        return Cell.WRONG_SIZE;
      }
      if (a instanceof UnsafeArrayData u && !hasNull(u)) {
        if (isFloat) {
          Platform.copyMemory(
              u.getBaseObject(),
              valuesOffset(u),
              packed,
              Platform.FLOAT_ARRAY_OFFSET + (long) offset * Float.BYTES,
              (long) cellSize * Float.BYTES);
        } else {
          packDoubles(u, packed, offset);
        }
        return Cell.PACKED;
      }
      for (int i = 0; i < cellSize; i++) {
        if (a.isNullAt(i)) {
          throw new IllegalArgumentException("null element in an array of features");
        }
        packed[offset + i] = isFloat ? a.getFloat(i) : (float) a.getDouble(i);
      }
      return Cell.PACKED;
    }

    /** Copies the {@code cellSize} doubles of a binary array (no nulls) to {@code offset}. */
    private void packDoubles(UnsafeArrayData a, float[] packed, int offset) {
      Platform.copyMemory(
          a.getBaseObject(),
          valuesOffset(a),
          doubles,
          Platform.DOUBLE_ARRAY_OFFSET,
          (long) cellSize * Double.BYTES);
      for (int i = 0; i < cellSize; i++) {
        packed[offset + i] = (float) doubles[i];
      }
    }

    /** Where the values of a binary array of {@code cellSize} elements start: after its header. */
    private long valuesOffset(UnsafeArrayData a) {
      return a.getBaseOffset() + UnsafeArrayData.calculateHeaderPortionInBytes(cellSize);
    }

    /** Whether a binary array holds a null (a word-wise scan of its null bits). */
    private boolean hasNull(UnsafeArrayData a) {
      long base = a.getBaseOffset() + 8; // after the element count
      for (int w = 0, words = (cellSize + 63) / 64; w < words; w++) {
        if (Platform.getLong(a.getBaseObject(), base + 8L * w) != 0) {
          return true;
        }
      }
      return false;
    }
  }
}
