package io.sparkvae.spark.ml;

import static io.sparkvae.spark.ml.VaeMlFixtures.SMALL;
import static io.sparkvae.spark.ml.VaeMlFixtures.untrained;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Output schemas and the exact messages of schema errors. */
class VaeSchemaTest {
  static final StructType INPUT =
      new StructType().add("id", DataTypes.IntegerType).add("x", SQLDataTypes.VectorType());

  static VaeModel model() {
    return new VaeModel(untrained(SMALL, 1)).setFeaturesCol("x");
  }

  @Test
  void everyCombinationOfOutputsGivesItsColumns() {
    String[] params = {
      "latentMeanCol", "latentStdCol", "latentSampleCol", "negElboCol", "reconstructionCol"
    };
    String[] names = {"m", "s", "z", "score", "rec"};
    for (int mask = 0; mask < 1 << params.length; mask++) {
      VaeModel m = model();
      List<String> expected = new ArrayList<>(List.of("id", "x"));
      for (int i = 0; i < params.length; i++) {
        boolean on = (mask & (1 << i)) != 0;
        m.setValue(params[i], on ? names[i] : "");
        if (on) {
          expected.add(names[i]);
        }
      }
      StructType out = m.transformSchema(INPUT);
      assertEquals(expected, List.of(out.fieldNames()), "mask " + mask);
      for (StructField f : out.fields()) {
        switch (f.name()) {
          case "m", "s", "z" -> {
            assertEquals(SQLDataTypes.VectorType(), f.dataType());
            assertEquals(3, AttributeGroup.fromStructField(f).size(), f.name());
          }
          case "rec" -> {
            assertEquals(SQLDataTypes.VectorType(), f.dataType());
            assertEquals(12, AttributeGroup.fromStructField(f).size());
          }
          case "score" -> assertEquals(DataTypes.DoubleType, f.dataType());
          default -> {}
        }
        if (!f.name().equals("id") && !f.name().equals("x")) {
          assertEquals(true, f.nullable(), f.name());
        }
      }
      // The estimator announces the same columns.
      VaeEstimator est = new VaeEstimator().setFeaturesCol("x");
      for (String param : params) {
        est.setValue(param, m.getOrDefault(m.getParam(param)));
      }
      assertEquals(
          expected, List.of(est.transformSchema(INPUT).fieldNames()), "estimator, mask " + mask);
    }
  }

  @Test
  void defaultOutputsAreMeanAndStd() {
    StructType out = model().transformSchema(INPUT);
    assertEquals(List.of("id", "x", "z_mean", "z_std"), List.of(out.fieldNames()));
  }

  @Test
  void arrayColumnsAreAccepted() {
    for (StructType in :
        List.of(
            new StructType().add("x", DataTypes.createArrayType(DataTypes.FloatType)),
            new StructType().add("x", DataTypes.createArrayType(DataTypes.DoubleType, false)))) {
      assertEquals(3, model().transformSchema(in).fields().length);
    }
  }

  @Test
  void missingFeaturesColumn() {
    VaeModel m = model().setFeaturesCol("pixels");
    assertEquals(
        "features column 'pixels' does not exist; columns are: id, x",
        assertThrows(IllegalArgumentException.class, () -> m.transformSchema(INPUT)).getMessage());
    assertEquals(
        "features column 'pixels' does not exist; columns are: id, x",
        assertThrows(
                IllegalArgumentException.class,
                () -> new VaeEstimator().setFeaturesCol("pixels").transformSchema(INPUT))
            .getMessage());
  }

  @Test
  void unsupportedFeaturesType() {
    StructType in = new StructType().add("x", DataTypes.StringType);
    assertEquals(
        "features column 'x' has type string; expected vector, array<float> or array<double>",
        assertThrows(IllegalArgumentException.class, () -> model().transformSchema(in))
            .getMessage());
    StructType ints = new StructType().add("x", DataTypes.createArrayType(DataTypes.IntegerType));
    assertEquals(
        "features column 'x' has type array<int>; expected vector, array<float> or array<double>",
        assertThrows(IllegalArgumentException.class, () -> model().transformSchema(ints))
            .getMessage());
  }

  @Test
  void wrongVectorSizeFromTheMlAttribute() {
    StructType in = new StructType().add(new AttributeGroup("x", 10).toStructField());
    assertEquals(
        "features column 'x' has vectors of size 10 but the model expects 12",
        assertThrows(IllegalArgumentException.class, () -> model().transformSchema(in))
            .getMessage());
    StructType right = new StructType().add(new AttributeGroup("x", 12).toStructField());
    assertEquals(3, model().transformSchema(right).fields().length);
  }

  @Test
  void existingOutputColumn() {
    StructType in = INPUT.add("z_mean", DataTypes.DoubleType);
    assertEquals(
        "output column 'z_mean' already exists",
        assertThrows(IllegalArgumentException.class, () -> model().transformSchema(in))
            .getMessage());
    assertEquals(
        "output column 'id' already exists",
        assertThrows(
                IllegalArgumentException.class,
                () -> model().setNegElboCol("id").transformSchema(INPUT))
            .getMessage());
    assertEquals(
        "output column 'z_mean' already exists",
        assertThrows(
                IllegalArgumentException.class,
                () -> new VaeEstimator().setFeaturesCol("x").transformSchema(in))
            .getMessage());
  }

  @Test
  void outputColumnsMustDiffer() {
    assertEquals(
        "output columns latentMeanCol and latentStdCol are both 'z'",
        assertThrows(
                IllegalArgumentException.class,
                () -> model().setLatentMeanCol("z").setLatentStdCol("z").transformSchema(INPUT))
            .getMessage());
  }
}
