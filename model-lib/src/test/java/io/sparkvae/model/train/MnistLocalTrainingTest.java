package io.sparkvae.model.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.data.Dataset;
import io.sparkvae.model.vae.ParamInit;
import io.sparkvae.model.vae.ParamLayout;
import io.sparkvae.model.vae.VaeInference;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Real MNIST, Pyro's settings: one pass over a few thousand images lowers the test -ELBO clearly.
 */
class MnistLocalTrainingTest {
  @Test
  void onePassOverThreeThousandImagesLowersTheTestElbo() throws Exception {
    Path dir = Path.of(System.getProperty("sparkvae.data.dir", "data"), "mnist");
    Dataset train = Dataset.mnist(dir, true).head(3000);
    Dataset test = Dataset.mnist(dir, false).head(1000);
    VaeConfig config = VaeConfig.defaults();
    TrainingState s0 =
        TrainingState.initial(ParamInit.initialize(ParamLayout.of(config), config.seed()));
    double before;
    try (VaeInference m = new VaeInference(config, s0.params(), Device.cpu())) {
      before = Evaluation.evaluate(m, test, 500, 1, 1).negElbo();
    }
    ShuffledBatches batches =
        new ShuffledBatches(train.features(), train.rows(), train.dim(), 256, 7);
    TrainStats stats;
    float[] after;
    try (LocalTrainer t = new LocalTrainer(config, s0, Device.cpu())) {
      stats = t.train(batches, batches.batchesPerEpoch(), new SplittableRandom(3));
      after = t.snapshot().params();
    }
    double afterElbo;
    try (VaeInference m = new VaeInference(config, after, Device.cpu())) {
      afterElbo = Evaluation.evaluate(m, test, 500, 1, 1).negElbo();
    }
    assertTrue(stats.examples() == 3000, "one pass visits every image once: " + stats.examples());
    // A fresh model scores ~540 nats per image; 12 Adam steps bring it under 300.
    assertTrue(
        before > 450 && afterElbo < 300 && afterElbo < before - 150,
        "test -ELBO before " + before + ", after one pass " + afterElbo);
  }
}
