package io.sparkvae.spark.jobs;

import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;

/**
 * Sizes libsvm rows to a given dimension. Spark's libsvm reader makes every vector as long as the
 * largest index in the data; with an explicit {@code --input-dim} a vector whose entries all lie
 * below it is resized to it, and one with an entry beyond it keeps its length, so that the bad-row
 * policy counts (or fails on) it as a row of the wrong size.
 */
final class LibSvmRows {
  private LibSvmRows() {}

  static Dataset<Row> fit(Dataset<Row> df, String featuresCol, int dim) {
    UserDefinedFunction resize =
        functions.udf((UDF1<Vector, Vector>) v -> resized(v, dim), new VectorUDT());
    return df.withColumn(featuresCol, resize.apply(functions.col(featuresCol)));
  }

  static Vector resized(Vector v, int dim) {
    if (v == null || v.size() == dim) {
      return v;
    }
    SparseVector s = v.toSparse();
    int[] idx = s.indices();
    if (idx.length > 0 && idx[idx.length - 1] >= dim) {
      return v;
    }
    return Vectors.sparse(dim, idx, s.values());
  }
}
