package io.sparkvae.spark.ml;

import static io.sparkvae.spark.ml.VaeMlFixtures.DIM;
import static io.sparkvae.spark.ml.VaeMlFixtures.SMALL;
import static io.sparkvae.spark.ml.VaeMlFixtures.frame;
import static io.sparkvae.spark.ml.VaeMlFixtures.untrained;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.format.ModelFormat;
import io.sparkvae.model.format.SafetensorsExport;
import io.sparkvae.model.format.TrainedVae;
import io.sparkvae.spark.SparkTestSession;
import io.sparkvae.spark.ml.VaeMlFixtures.CellType;
import io.sparkvae.spark.train.EpochMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Save and load as Spark's DefaultReadWriteTest does, alone and inside pipelines. */
class VaeReadWriteTest {
  static SparkSession spark;
  static float[] x;

  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("VaeReadWriteTest");
    x = VaeMlFixtures.rows(40, 5);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  /** Every param of {@code b} has the same value (set or default) and state as in {@code a}. */
  static void assertSameParams(Params a, Params b) {
    assertEquals(a.uid(), b.uid());
    assertEquals(a.params().length, b.params().length);
    for (Param<?> p : a.params()) {
      Param<Object> q = b.getParam(p.name());
      assertEquals(b.uid(), q.parent());
      assertEquals(a.isSet(p), b.isSet(q), "isSet " + p.name());
      Object va = a.getOrDefault(p);
      Object vb = b.getOrDefault(q);
      if (va instanceof int[] ia) {
        assertArrayEquals(ia, (int[]) vb, p.name());
      } else {
        assertEquals(va, vb, p.name());
      }
    }
  }

  static List<Row> sorted(Dataset<Row> df) {
    return df.orderBy("id").collectAsList();
  }

  @Test
  void modelRoundTripsThroughSaveAndLoad() throws Exception {
    TrainedVae trained =
        new TrainedVae(
            SMALL,
            untrained(SMALL, 2).params(),
            java.util.Map.of(
                TrainingHistory.HISTORY_KEY,
                TrainingHistory.toJson(
                    List.of(new EpochMetrics(1, 40.5, Double.NaN, 1e3, 0.25, 0.125, 3, 40, 5)))));
    VaeModel model =
        new VaeModel(trained)
            .setNegElboCol("score")
            .setReconstructionCol("rec")
            .setScoreSeed(8)
            .setInferenceBatchSize(16);
    String path = tmp.resolve("model").toString();
    model.write().save(path);

    // A second save without overwrite fails, and leaves the model as it was.
    IOException e = assertThrows(IOException.class, () -> model.write().save(path));
    assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    model.write().overwrite().save(path);

    VaeModel loaded = VaeModel.load(path);
    assertSameParams(model, loaded);
    assertEquals(trained, loaded.trainedVae());
    assertEquals(model.trainingHistory(), loaded.trainingHistory());
    assertEquals(1, loaded.trainingHistory().size());
    assertTrue(Double.isNaN(loaded.trainingHistory().get(0).valNegElbo()));

    Dataset<Row> df = frame(spark, x, DIM, CellType.VECTOR, 2);
    assertEquals(sorted(model.transform(df)), sorted(loaded.transform(df)));

    // data/ is a plain model-lib model, readable without Spark, bit for bit.
    TrainedVae data = ModelFormat.load(Path.of(path, "data"));
    assertEquals(trained, data);
    assertArrayEquals(trained.params(), data.params());
    assertTrue(Files.isDirectory(Path.of(path, "metadata")));
    String metadata = Files.readString(partFile(Path.of(path, "metadata")));
    assertTrue(metadata.contains("\"class\":\"io.sparkvae.spark.ml.VaeModel\""), metadata);
    assertTrue(metadata.contains("\"uid\":\"" + model.uid() + "\""), metadata);
    // No temporary directory is left next to data/, and data/ holds the two model-lib files only;
    // export/ holds the safetensors export for Python and PyTorch users.
    assertEquals(List.of("data", VaeModel.EXPORT_DIR, "metadata"), list(Path.of(path)));
    assertEquals(
        List.of(ModelFormat.MODEL_JSON, ModelFormat.PARAMETERS_BIN), list(Path.of(path, "data")));
    assertEquals(
        List.of(SafetensorsExport.CONFIG, SafetensorsExport.WEIGHTS),
        list(Path.of(path, VaeModel.EXPORT_DIR)));
  }

  @Test
  void exportSafetensorsWritesANewDirectoryAndRefusesAnExistingOne() throws IOException {
    VaeModel model = new VaeModel(untrained(SMALL, 2));
    Path dir = tmp.resolve("exported");
    model.exportSafetensors(dir.toString());
    assertEquals(List.of(SafetensorsExport.CONFIG, SafetensorsExport.WEIGHTS), list(dir));
    byte[] weights = Files.readAllBytes(dir.resolve(SafetensorsExport.WEIGHTS));
    long header =
        java.nio.ByteBuffer.wrap(weights).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(8 + header + 4L * model.trainedVae().paramCount(), weights.length);
    Exception e =
        assertThrows(RuntimeException.class, () -> model.exportSafetensors(dir.toString()));
    assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    assertEquals(List.of(SafetensorsExport.CONFIG, SafetensorsExport.WEIGHTS), list(dir));
  }

  @Test
  void scoreNoiseIsThePartitionsStreamOfDraws() {
    float[] a = VaeModel.scoreNoise(5, 1, 10);
    java.util.SplittableRandom r = new java.util.SplittableRandom(VaeModel.scoreNoiseSeed(5, 1));
    for (float v : a) {
      assertEquals((float) r.nextGaussian(), v);
    }
    assertFalse(java.util.Arrays.equals(a, VaeModel.scoreNoise(5, 0, 10)));
  }

  @Test
  void aModelThatCannotBeWrittenLeavesNothing() {
    float[] params = untrained(SMALL, 2).params();
    params[5] = Float.NaN;
    VaeModel diverged = new VaeModel(new TrainedVae(SMALL, params, java.util.Map.of()));
    Path path = tmp.resolve("diverged");
    Exception e =
        assertThrows(IllegalArgumentException.class, () -> diverged.write().save(path.toString()));
    assertTrue(e.getMessage().contains("not finite"), e.getMessage());
    assertFalse(Files.exists(path));
  }

  private static List<String> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void loadingAnotherClassOrMissingDataFails() throws Exception {
    String est = tmp.resolve("est").toString();
    new VaeEstimator().write().save(est);
    Exception e = assertThrows(IllegalArgumentException.class, () -> VaeModel.load(est));
    assertTrue(e.getMessage().contains(VaeEstimator.class.getName()), e.getMessage());

    String path = tmp.resolve("m").toString();
    new VaeModel(untrained(SMALL, 1)).write().save(path);
    Files.delete(Path.of(path, "data", ModelFormat.PARAMETERS_BIN));
    Exception missing = assertThrows(RuntimeException.class, () -> VaeModel.load(path));
    assertTrue(missing.getMessage().contains("parameters.bin"), missing.getMessage());
  }

  @Test
  void estimatorRoundTripsThroughSaveAndLoad() throws Exception {
    VaeEstimator est =
        new VaeEstimator()
            .setLatentDim(4)
            .setEncoderHidden(16, 8)
            .setEpochs(3)
            .setKlEstimator("analytic")
            .setNegElboCol("score")
            .setScoreSeed(-3);
    String path = tmp.resolve("estimator").toString();
    est.write().save(path);
    assertThrows(IOException.class, () -> est.write().save(path));
    est.write().overwrite().save(path);
    VaeEstimator loaded = VaeEstimator.load(path);
    assertSameParams(est, loaded);
    assertFalse(loaded.isSet(loaded.getParam("inputDim")));
  }

  @Test
  void fittedPipelineWithVectorAssemblerRoundTrips() throws Exception {
    // Twelve double columns assembled into a vector, as a real feature pipeline would.
    List<Row> rows = new ArrayList<>();
    StructType schema = new StructType().add("id", DataTypes.IntegerType);
    String[] inputs = new String[DIM];
    for (int j = 0; j < DIM; j++) {
      inputs[j] = "f" + j;
      schema = schema.add(inputs[j], DataTypes.DoubleType);
    }
    for (int i = 0; i < x.length / DIM; i++) {
      Object[] v = new Object[DIM + 1];
      v[0] = i;
      for (int j = 0; j < DIM; j++) {
        v[j + 1] = (double) x[i * DIM + j];
      }
      rows.add(RowFactory.create(v));
    }
    Dataset<Row> df = spark.createDataFrame(rows, schema);
    VectorAssembler assembler = new VectorAssembler().setInputCols(inputs).setOutputCol("features");
    VaeEstimator vae =
        new VaeEstimator()
            .setEncoderHidden(10)
            .setDecoderHidden(10)
            .setLatentDim(3)
            .setBatchSize(8)
            .setEpochs(1)
            .setReplicas(2)
            .setAveragingSteps(2)
            .setNegElboCol("score");
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {assembler, vae});

    String pipePath = tmp.resolve("pipeline").toString();
    pipeline.write().save(pipePath);
    Pipeline loadedPipeline = Pipeline.load(pipePath);
    assertSameParams(vae, loadedPipeline.getStages()[1]);

    PipelineModel fitted = pipeline.fit(df);
    VaeModel vaeModel = (VaeModel) fitted.stages()[1];
    assertEquals(DIM, vaeModel.getInputDim(), "inputDim from the assembler's vector size");
    String path = tmp.resolve("pipelineModel").toString();
    fitted.write().save(path);
    assertThrows(IOException.class, () -> fitted.write().save(path));
    fitted.write().overwrite().save(path);

    PipelineModel loaded = PipelineModel.load(path);
    VaeModel loadedVae = assertInstanceOf(VaeModel.class, loaded.stages()[1]);
    assertSameParams(vaeModel, loadedVae);
    assertEquals(vaeModel.trainedVae(), loadedVae.trainedVae());
    assertEquals(vaeModel.trainingHistory(), loadedVae.trainingHistory());
    assertEquals(sorted(fitted.transform(df)), sorted(loaded.transform(df)));
  }

  private static Path partFile(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().startsWith("part-"))
          .findFirst()
          .orElseThrow();
    }
  }
}
