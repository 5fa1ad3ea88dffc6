package io.sparkvae.spark.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.format.TrainedVae;
import io.sparkvae.model.vae.ParamInit;
import io.sparkvae.model.vae.ParamLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Tiny data and models shared by the {@code io.sparkvae.spark.ml} tests. */
final class VaeMlFixtures {
  private VaeMlFixtures() {}

  static final int DIM = 12;
  static final int LATENT = 3;

  /** A small VAE (12-10-3) with freshly initialised parameters: no training needed. */
  static final VaeConfig SMALL =
      VaeConfig.builder()
          .inputDim(DIM)
          .encoderHidden(10)
          .decoderHidden(10)
          .latentDim(LATENT)
          .batchSize(8)
          .learningRate(5e-3)
          .seed(3)
          .build();

  static TrainedVae untrained(VaeConfig config, long seed) {
    return new TrainedVae(
        config, ParamInit.initialize(ParamLayout.of(config), seed), Map.of("note", "untrained"));
  }

  /** Rows of three clusters in [0,1]^DIM, packed row-major. */
  static float[] rows(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * DIM];
    for (int i = 0; i < n; i++) {
      int cluster = r.nextInt(3);
      for (int j = 0; j < DIM; j++) {
        x[i * DIM + j] = (j % 3 == cluster) ? 0.9f : (float) (0.1 * r.nextDouble());
      }
    }
    return x;
  }

  /** The cell types a features column may have. */
  enum CellType {
    VECTOR,
    FLOAT_ARRAY,
    DOUBLE_ARRAY
  }

  /**
   * A DataFrame {@code (id int, features <type>)} of the packed rows in order, in {@code
   * partitions} partitions of consecutive rows; the rows listed in {@code nullRows} have null
   * features.
   */
  static Dataset<Row> frame(
      SparkSession spark, float[] x, int dim, CellType type, int partitions, int... nullRows) {
    List<Row> list = new ArrayList<>();
    int n = x.length / dim;
    for (int i = 0; i < n; i++) {
      Object cell = cell(x, i, dim, type);
      for (int k : nullRows) {
        if (k == i) {
          cell = null;
        }
      }
      list.add(RowFactory.create(i, cell));
    }
    DataType t =
        switch (type) {
          case VECTOR -> new VectorUDT();
          case FLOAT_ARRAY -> DataTypes.createArrayType(DataTypes.FloatType, true);
          case DOUBLE_ARRAY -> DataTypes.createArrayType(DataTypes.DoubleType, true);
        };
    StructType schema =
        new StructType().add("id", DataTypes.IntegerType, false).add("features", t, true);
    // Consecutive ids per partition, in order: collecting gives the rows in id order.
    return spark
        .createDataFrame(list, schema)
        .repartitionByRange(partitions, org.apache.spark.sql.functions.col("id"))
        .sortWithinPartitions("id");
  }

  static Object cell(float[] x, int i, int dim, CellType type) {
    switch (type) {
      case VECTOR -> {
        double[] v = new double[dim];
        for (int j = 0; j < dim; j++) {
          v[j] = x[i * dim + j];
        }
        return Vectors.dense(v);
      }
      case FLOAT_ARRAY -> {
        List<Float> l = new ArrayList<>(dim);
        for (int j = 0; j < dim; j++) {
          l.add(x[i * dim + j]);
        }
        return scala.jdk.javaapi.CollectionConverters.asScala(l).toSeq();
      }
      default -> {
        List<Double> l = new ArrayList<>(dim);
        for (int j = 0; j < dim; j++) {
          l.add((double) x[i * dim + j]);
        }
        return scala.jdk.javaapi.CollectionConverters.asScala(l).toSeq();
      }
    }
  }

  /** The values of a vector cell as floats. */
  static float[] floats(Object cell) {
    double[] d = ((Vector) cell).toArray();
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  /** One named tolerance: |a - e| <= atol + rtol * |e|, elementwise, shapes first. */
  static void assertAllClose(
      float[] expected, float[] actual, double atol, double rtol, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      double diff = Math.abs((double) actual[i] - expected[i]);
      assertTrue(
          diff <= atol + rtol * Math.abs(expected[i]),
          what + "[" + i + "]: expected " + expected[i] + " but was " + actual[i]);
    }
  }
}
