package io.sparkvae.spark.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.data.Dataset;
import io.sparkvae.model.train.Evaluation;
import io.sparkvae.model.vae.ParamInit;
import io.sparkvae.model.vae.ParamLayout;
import io.sparkvae.model.vae.VaeInference;
import io.sparkvae.spark.SparkTestSession;
import io.sparkvae.spark.ml.VaeMlFixtures.CellType;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

/** Real MNIST through a Pipeline: the per-row scores agree with model-lib's evaluation. */
class VaeMnistTest {
  static final int BATCH = 256;
  static final long SCORE_SEED = 17;

  static Path mnistDir() {
    return Path.of(System.getProperty("sparkvae.data.dir", "data"), "mnist");
  }

  @Test
  void pipelineScoresEqualModelLibEvaluationOnTestImages() throws Exception {
    Dataset train = Dataset.mnist(mnistDir(), true).head(3000);
    Dataset test = Dataset.mnist(mnistDir(), false).head(1000);
    // rpc.message.maxSize=1 MiB: the 2.8 MB of parameters fit in no task closure, so this passes
    // only if training and transform ship them by broadcast.
    SparkSession spark =
        SparkTestSession.start("VaeMnistTest", Map.of("spark.rpc.message.maxSize", "1"));
    try {
      VaeEstimator vae =
          new VaeEstimator()
              .setKlEstimator("analytic")
              .setEpochs(1)
              .setReplicas(2)
              .setAveragingSteps(3)
              .setNegElboCol("score")
              .setInferenceBatchSize(BATCH)
              .setScoreSeed(SCORE_SEED);
      PipelineModel fitted =
          new Pipeline()
              .setStages(new PipelineStage[] {vae})
              .fit(
                  VaeMlFixtures.frame(
                      spark, train.features(), train.dim(), CellType.FLOAT_ARRAY, 2));
      VaeModel model = (VaeModel) fitted.stages()[0];
      assertEquals(784, model.getInputDim());
      assertEquals(1, model.trainingHistory().size());

      // One partition of the 1000 test images in order: Spark's batches and noise are exactly
      // those of Evaluation with the partition's seed.
      Row agg =
          fitted
              .transform(
                  VaeMlFixtures.frame(spark, test.features(), test.dim(), CellType.FLOAT_ARRAY, 1))
              .agg(functions.avg("score"), functions.count("score"))
              .first();
      double sparkMean = agg.getDouble(0);
      assertEquals(1000, agg.getLong(1));

      Evaluation.Result direct;
      Evaluation.Result fresh;
      VaeConfig config = model.vaeConfig();
      try (VaeInference inference =
              new VaeInference(config, model.trainedVae().params(), Device.cpu());
          VaeInference untrained =
              new VaeInference(
                  config,
                  ParamInit.initialize(ParamLayout.of(config), config.seed()),
                  Device.cpu())) {
        direct =
            Evaluation.evaluate(inference, test, BATCH, 1, VaeModel.scoreNoiseSeed(SCORE_SEED, 0));
        fresh =
            Evaluation.evaluate(untrained, test, BATCH, 1, VaeModel.scoreNoiseSeed(SCORE_SEED, 0));
      }
      assertEquals(
          direct.negElbo(),
          sparkMean,
          1e-3 * direct.negElbo(),
          "mean -ELBO of the score column vs model-lib's evaluation");
      assertTrue(
          sparkMean < fresh.negElbo() - 50,
          "one epoch lowers the test -ELBO: " + fresh.negElbo() + " -> " + sparkMean);
    } finally {
      spark.stop();
    }
  }
}
