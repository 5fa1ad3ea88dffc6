package io.sparkvae.spark.ml;

import io.sparkvae.model.config.ParamSpec;
import io.sparkvae.spark.train.FeatureColumn;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The output columns of a transform and the schema checks shared by {@link VaeEstimator} and {@link
 * VaeModel}: the input column exists, has a supported type and (when its vectors carry an ML
 * attribute size) the expected size; output columns are distinct and new.
 */
final class Outputs {
  private Outputs() {}

  /** One computed column. */
  enum Kind {
    /** Posterior mean, vector of latentDim. */
    MEAN(MlSettings.LATENT_MEAN_COL),
    /** Posterior standard deviation, vector of latentDim. */
    STD(MlSettings.LATENT_STD_COL),
    /** One posterior sample, vector of latentDim. */
    SAMPLE(MlSettings.LATENT_SAMPLE_COL),
    /** Negative ELBO in nats, double. */
    NEG_ELBO(MlSettings.NEG_ELBO_COL),
    /** Decoder mean at the posterior mean, vector of inputDim. */
    RECONSTRUCTION(MlSettings.RECONSTRUCTION_COL),
    /** Decoder mean of a latent input (decode, generate), vector of inputDim. */
    DECODED(null),
    /** Tabular models: per-column negative log-likelihood, a struct of doubles. */
    COLUMN_NLL(MlSettings.COLUMN_NLL_COL);

    /** The param naming the column (empty: off), or null for an output no param requests. */
    final ParamSpec<MlSettings, MlSettings, String> param;

    Kind(ParamSpec<MlSettings, MlSettings, String> param) {
      this.param = param;
    }
  }

  /** A requested output: what and under which column name. */
  record Column(Kind kind, String name) implements Serializable {}

  /** The outputs a stage's params request, in a fixed order, skipping empty names. */
  static List<Column> requested(VaeParams p) {
    return requested(p, false);
  }

  /** {@link #requested(VaeParams)}, with the per-column contributions of a tabular model. */
  static List<Column> requested(VaeParams p, boolean tabular) {
    List<Column> out = new ArrayList<>();
    for (Kind k : Kind.values()) {
      if (k.param != null && (tabular || k != Kind.COLUMN_NLL)) {
        String name = StageParams.value(p, k.param);
        if (!name.isEmpty()) {
          out.add(new Column(k, name));
        }
      }
    }
    return out;
  }

  /**
   * Checks the input column.
   *
   * @param role "features" or "latent", the word that starts every message
   * @param expectedSize the size the vectors must have, or -1 when not known yet
   * @throws IllegalArgumentException naming the column and the problem
   */
  static void checkInput(StructType schema, String column, String role, int expectedSize) {
    if (!Arrays.asList(schema.fieldNames()).contains(column)) {
      throw new IllegalArgumentException(
          role
              + " column '"
              + column
              + "' does not exist; "
              + io.sparkvae.spark.train.FeatureColumn.columnList(schema.fieldNames()));
    }
    StructField f = schema.apply(column);
    if (!FeatureColumn.isSupported(f.dataType())) {
      throw new IllegalArgumentException(
          role
              + " column '"
              + column
              + "' has type "
              + f.dataType().catalogString()
              + "; expected vector, array<float> or array<double>");
    }
    int size = attributeSize(f);
    if (expectedSize > 0 && size > 0 && size != expectedSize) {
      throw new IllegalArgumentException(
          role
              + " column '"
              + column
              + "' has vectors of size "
              + size
              + " but the model expects "
              + expectedSize);
    }
  }

  /** The ML attribute size of a vector column, or -1 when it has none (or is an array). */
  static int attributeSize(StructField f) {
    if (!f.dataType().equals(SQLDataTypes.VectorType())) {
      return -1;
    }
    int size = AttributeGroup.fromStructField(f).size();
    return size > 0 ? size : -1;
  }

  /**
   * The input schema with the outputs appended.
   *
   * @param latentDim size of latent vectors (for their ML attribute), or -1 when unknown
   * @param inputDim size of reconstructions, or -1 when unknown
   * @throws IllegalArgumentException when an output column exists or two outputs share a name
   */
  static StructType append(StructType schema, List<Column> outputs, int latentDim, int inputDim) {
    return append(schema, outputs, latentDim, inputDim, null);
  }

  /**
   * {@link #append(StructType, List, int, int)} with the struct type of {@link Kind#COLUMN_NLL}.
   */
  static StructType append(
      StructType schema, List<Column> outputs, int latentDim, int inputDim, StructType columnNll) {
    Map<String, Kind> seen = new HashMap<>();
    StructType out = schema;
    for (Column c : outputs) {
      Kind other = seen.putIfAbsent(c.name(), c.kind());
      if (other != null) {
        throw new IllegalArgumentException(
            "output columns "
                + paramName(other)
                + " and "
                + paramName(c.kind())
                + " are both '"
                + c.name()
                + "'");
      }
      if (Arrays.asList(schema.fieldNames()).contains(c.name())) {
        throw new IllegalArgumentException("output column '" + c.name() + "' already exists");
      }
      out =
          out.add(
              c.kind() == Kind.COLUMN_NLL
                  ? DataTypes.createStructField(c.name(), columnNll, true)
                  : field(c, latentDim, inputDim));
    }
    return out;
  }

  /**
   * The schema with a boolean flag column appended.
   *
   * @throws IllegalArgumentException when the column exists
   */
  static StructType appendFlag(StructType schema, String name) {
    if (Arrays.asList(schema.fieldNames()).contains(name)) {
      throw new IllegalArgumentException("output column '" + name + "' already exists");
    }
    return schema.add(name, DataTypes.BooleanType, true);
  }

  private static String paramName(Kind k) {
    return k.param == null ? "output" : k.param.name();
  }

  private static StructField field(Column c, int latentDim, int inputDim) {
    return switch (c.kind()) {
      case NEG_ELBO -> DataTypes.createStructField(c.name(), DataTypes.DoubleType, true);
      case MEAN, STD, SAMPLE -> vectorField(c.name(), latentDim);
      case RECONSTRUCTION, DECODED -> vectorField(c.name(), inputDim);
      case COLUMN_NLL ->
          throw new IllegalStateException("the column_nll type comes from the tabular schema");
    };
  }

  private static StructField vectorField(String name, int size) {
    if (size <= 0) {
      return DataTypes.createStructField(name, SQLDataTypes.VectorType(), true);
    }
    // The ML attribute carries the size, so VectorAssembler and the checks of later stages know it
    // without looking at the data.
    StructField withSize = new AttributeGroup(name, size).toStructField();
    return DataTypes.createStructField(name, SQLDataTypes.VectorType(), true, withSize.metadata());
  }
}
