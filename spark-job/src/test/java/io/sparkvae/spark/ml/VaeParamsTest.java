package io.sparkvae.spark.ml;

import static io.sparkvae.spark.ml.VaeMlFixtures.SMALL;
import static io.sparkvae.spark.ml.VaeMlFixtures.untrained;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.config.ParamSpec;
import io.sparkvae.model.config.ParamType;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.vae.KlEstimator;
import io.sparkvae.spark.train.DistributedConfig;
import io.sparkvae.spark.train.RunOptions;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.Set;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.Params;
import org.junit.jupiter.api.Test;

/** The params contract of both stages, without Spark jobs. */
class VaeParamsTest {
  static final List<String> ML_PARAMS =
      List.of(
          "featuresCol",
          "latentMeanCol",
          "latentStdCol",
          "latentSampleCol",
          "negElboCol",
          "reconstructionCol",
          "inferenceBatchSize",
          "negElboSamples",
          "scoreSeed",
          "inputCols",
          "columnKinds",
          "timestampFeatures",
          "categoricalMaxLevels",
          "maxCategories",
          "contamination",
          "columnNllCol",
          "anomalyCol");

  static List<Params> stages() {
    return List.of(new VaeEstimator(), new VaeModel(untrained(SMALL, 1)));
  }

  @Test
  void everyParamBelongsToTheStage() {
    for (Params s : stages()) {
      assertEquals(
          VaeConfig.PARAMS.size()
              + DistributedConfig.PARAMS.size()
              + RunOptions.PARAMS.size()
              + ML_PARAMS.size(),
          s.params().length);
      Set<String> names = new HashSet<>();
      for (Param<?> p : s.params()) {
        assertEquals(s.uid(), p.parent(), p.name() + " of " + s.getClass().getSimpleName());
        assertTrue(names.add(p.name()), "duplicate " + p.name());
        assertTrue(s.hasDefault(p), p.name() + " has a default");
      }
    }
  }

  @Test
  void everyDeclaredHyperparameterIsAParamWithItsDocDefaultAndType() {
    VaeEstimator est = new VaeEstimator();
    List<ParamSpec<?, ?, ?>> specs = new ArrayList<>(VaeConfig.PARAMS);
    specs.addAll(DistributedConfig.PARAMS);
    specs.addAll(RunOptions.PARAMS);
    for (ParamSpec<?, ?, ?> spec : specs) {
      assertTrue(est.hasParam(spec.name()), spec.name());
      Param<?> p = est.getParam(spec.name());
      assertEquals(spec.doc(), p.doc(), spec.name());
      Object def = est.getDefault(p).get();
      if (spec.type() == int[].class) {
        assertTrue(p instanceof IntArrayParam, spec.name());
        assertArrayEquals((int[]) spec.defaultValue(), (int[]) def, spec.name());
      } else {
        // A choice is a string param holding the choice's text form.
        assertEquals(
            spec.paramType().isChoice() ? textOfDefault(spec) : spec.defaultValue(),
            def,
            spec.name());
        Class<?> expected =
            spec.type() == Integer.class
                ? IntParam.class
                : spec.type() == Long.class
                    ? LongParam.class
                    : spec.type() == Double.class
                        ? DoubleParam.class
                        : spec.type() == Boolean.class ? BooleanParam.class : Param.class;
        assertSame(expected, p.getClass(), spec.name());
      }
      assertTrue(est.explainParams().contains(spec.doc()), spec.name());
    }
  }

  private static <T> String textOfDefault(ParamSpec<?, ?, T> spec) {
    return spec.format(spec.defaultValue());
  }

  @Test
  void sparkMlParamsHaveTheirDefaults() {
    VaeEstimator est = new VaeEstimator();
    assertEquals("features", est.getFeaturesCol());
    assertEquals("z_mean", est.getLatentMeanCol());
    assertEquals("z_std", est.getLatentStdCol());
    assertEquals("", est.getLatentSampleCol());
    assertEquals("", est.getNegElboCol());
    assertEquals("", est.getReconstructionCol());
    assertEquals(1024, est.getInferenceBatchSize());
    assertEquals(1, est.getNegElboSamples());
    assertEquals(0L, est.getScoreSeed());
    assertEquals("", est.getInputCols());
    assertEquals("", est.getColumnKinds());
    assertFalse(est.getTimestampFeatures());
    assertEquals(20, est.getCategoricalMaxLevels());
    assertEquals(1000, est.getMaxCategories());
    assertEquals(0.0, est.getContamination());
    assertEquals("column_nll", est.getColumnNllCol());
    assertEquals("is_anomaly", est.getAnomalyCol());
    for (String name : ML_PARAMS) {
      assertFalse(est.getParam(name).doc().isEmpty(), name);
    }
  }

  @Test
  void everyParamHasAPublicGetterAndTheEstimatorASetter() throws Exception {
    VaeEstimator est = new VaeEstimator();
    for (Param<?> p : est.params()) {
      String cap = p.name().substring(0, 1).toUpperCase(Locale.ROOT) + p.name().substring(1);
      Method getter = VaeEstimator.class.getMethod("get" + cap);
      Object got = getter.invoke(est);
      Object def = est.getDefault(p).get();
      if (def instanceof int[] a) {
        assertArrayEquals(a, (int[]) got, p.name());
      } else if (got instanceof Enum<?> choice) {
        // A choice's getter returns its enum; Spark holds the choice's text.
        assertEquals(def, ParamType.nameOf(choice), p.name());
      } else {
        assertEquals(def, got, p.name());
      }
      if (!p.name().equals("inputDim")) {
        assertTrue(
            Arrays.stream(VaeEstimator.class.getMethods())
                .anyMatch(m -> m.getName().equals("set" + cap)),
            "setter of " + p.name());
      }
    }
  }

  @Test
  void typedAndGenericSettersSetValues() {
    VaeEstimator est =
        new VaeEstimator()
            .setLatentDim(7)
            .setEncoderHidden(20, 10)
            .setEpochs(3)
            .setReplicas(2)
            .setKlEstimator("analytic")
            .setFeaturesCol("x")
            .setNegElboCol("score")
            .setScoreSeed(9);
    assertEquals(7, est.getLatentDim());
    assertArrayEquals(new int[] {20, 10}, est.getEncoderHidden());
    assertEquals(3, est.getEpochs());
    assertEquals(2, est.getReplicas());
    assertEquals(KlEstimator.ANALYTIC, est.getKlEstimator());
    assertEquals("x", est.getFeaturesCol());
    assertEquals("score", est.getNegElboCol());
    assertEquals(9L, est.getScoreSeed());
    // setValue converts numbers of another width and text, as config files give them.
    est.setValue("decoderHidden", "30,15")
        .setValue("batchSize", 64L)
        .setValue("seed", 5)
        .setValue("beta", 2)
        .setValue("inferenceBatchSize", "16")
        .setValue("scoreSeed", 3);
    assertArrayEquals(new int[] {30, 15}, est.getDecoderHidden());
    assertEquals(64, est.getBatchSize());
    assertEquals(5L, est.getSeed());
    assertEquals(2.0, est.getBeta());
    assertEquals(16, est.getInferenceBatchSize());
    assertEquals(3L, est.getScoreSeed());
    // The snapshot the trainer gets.
    VaeConfig c = StageParams.vaeConfig(est, 12);
    assertEquals(7, c.latentDim());
    assertArrayEquals(new int[] {30, 15}, c.decoderHidden());
    assertEquals(12, c.inputDim());
    assertEquals(3, StageParams.distributedConfig(est).epochs());
  }

  @Test
  void invalidValuesAreRefusedWithTheParamName() {
    VaeEstimator est = new VaeEstimator();
    assertEquals(
        "invalid value for latentDim: 0 (expected >= 1)",
        assertThrows(IllegalArgumentException.class, () -> est.setLatentDim(0)).getMessage());
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> est.setEncoderHidden(10, 0))
            .getMessage()
            .startsWith("invalid value for encoderHidden"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> est.setActivation("sigmoid"))
            .getMessage()
            .startsWith("invalid value for activation: sigmoid"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> est.setEpochs(0))
            .getMessage()
            .startsWith("invalid value for epochs"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> est.setInferenceBatchSize(0))
            .getMessage()
            .startsWith("invalid value for inferenceBatchSize: 0"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> est.setFeaturesCol(""))
            .getMessage()
            .startsWith("invalid value for featuresCol"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> est.setValue("batchSize", 2.5))
            .getMessage()
            .startsWith("invalid value for batchSize"));
    assertEquals(
        "invalid value for imageSize: 28-28 (expected WIDTHxHEIGHT, auto or none)",
        assertThrows(IllegalArgumentException.class, () -> est.setImageSize("28-28")).getMessage());
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> est.setValue("nope", 1))
            .getMessage()
            .startsWith("unknown parameter 'nope'"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> est.setValue("inputDim", 10))
            .getMessage()
            .contains("inputDim"));
    // Spark's own set path validates through the same declaration.
    IntParam latent = (IntParam) (Param<?>) est.getParam("latentDim");
    String sparkMessage =
        assertThrows(IllegalArgumentException.class, () -> est.set(latent, 0)).getMessage();
    assertTrue(sparkMessage.contains("latentDim"), sparkMessage);
    assertEquals(50, est.getLatentDim(), "unchanged");
  }

  @Test
  void crossFieldRulesFailInTransformSchema() {
    VaeEstimator est = new VaeEstimator().setElboSamples(4).setKlEstimator("analytic");
    String msg =
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    est.transformSchema(
                        new org.apache.spark.sql.types.StructType()
                            .add("features", new org.apache.spark.ml.linalg.VectorUDT())))
            .getMessage();
    assertTrue(msg.contains("elboSamples") && msg.contains("klEstimator"), msg);
  }

  @Test
  void copyKeepsUidAndParams() {
    VaeEstimator est = new VaeEstimator().setLatentDim(4).setEpochs(2);
    ParamMap extra = new ParamMap().put(est.getParam("epochs").w(5));
    VaeEstimator copy = est.copy(extra);
    assertNotSame(est, copy);
    assertEquals(est.uid(), copy.uid());
    assertEquals(4, copy.getLatentDim());
    assertEquals(5, copy.getEpochs());
    assertEquals(2, est.getEpochs());
    for (Param<?> p : copy.params()) {
      assertEquals(copy.uid(), p.parent());
    }

    VaeModel model = new VaeModel(untrained(SMALL, 1)).setNegElboCol("s").setInferenceBatchSize(7);
    VaeModel mcopy = model.copy(new ParamMap().put(model.getParam("scoreSeed").w(11L)));
    assertEquals(model.uid(), mcopy.uid());
    assertEquals("s", mcopy.getNegElboCol());
    assertEquals(7, mcopy.getInferenceBatchSize());
    assertEquals(11L, mcopy.getScoreSeed());
    assertSame(model.trainedVae(), mcopy.trainedVae());
    // A copy may not contradict the trained parameters.
    assertThrows(
        IllegalArgumentException.class,
        () -> model.copy(new ParamMap().put(model.getParam("latentDim").w(9))));
  }

  @Test
  void aModelReportsItsTrainingConfigAndRefusesToChangeIt() {
    VaeModel model = new VaeModel(untrained(SMALL, 1));
    assertEquals(12, model.getInputDim());
    assertEquals(3, model.getLatentDim());
    assertArrayEquals(new int[] {10}, model.getEncoderHidden());
    assertEquals(SMALL, model.vaeConfig());
    String msg =
        assertThrows(IllegalArgumentException.class, () -> model.setValue("latentDim", 4))
            .getMessage();
    assertTrue(msg.startsWith("latentDim is a training parameter"), msg);
    assertThrows(IllegalArgumentException.class, () -> model.setValue("epochs", 4));
    msg =
        assertThrows(
                IllegalArgumentException.class, () -> model.setValue("checkpointDir", "/tmp/x"))
            .getMessage();
    assertTrue(msg.startsWith("checkpointDir is a training parameter"), msg);
    assertEquals("q", model.setValue("negElboCol", "q").getNegElboCol());
  }

  @Test
  void stagesAreRegisteredForServiceLoading() {
    List<String> estimators = providers(Estimator.class);
    assertTrue(estimators.contains(VaeEstimator.class.getName()), estimators.toString());
    List<String> transformers = providers(Transformer.class);
    assertTrue(transformers.contains(VaeModel.class.getName()), transformers.toString());
    // The registration instance has params but no parameters to run.
    VaeModel empty = new VaeModel();
    assertEquals(empty.uid(), empty.params()[0].parent());
    assertThrows(IllegalStateException.class, empty::trainedVae);
  }

  private static List<String> providers(Class<?> service) {
    // stream() reads the provider types without instantiating them, as Spark Connect does.
    return ServiceLoader.load(service).stream().map(p -> p.type().getName()).toList();
  }
}
