package io.sparkvae.model.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.train.LocalTrainer;
import io.sparkvae.model.train.ShuffledBatches;
import io.sparkvae.model.train.TrainingState;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the network's numerics bit for bit: the SHA-256 of the initial parameters, and of the
 * parameters and per-example losses after a few Adam steps, for each likelihood, activation and
 * estimator. The expected digests were taken from the code before the Encoder/Decoder/Likelihood
 * seams were introduced (commit 5304853); a refactoring of the network must leave them unchanged.
 */
class NetworkFingerprintTest {
  static Stream<Arguments> cases() {
    VaeConfig.Builder b = VaeConfig.builder().inputDim(12).encoderHidden(10).decoderHidden(9)
        .latentDim(3).batchSize(8).learningRate(1e-2).seed(11);
    return Stream.of(
        Arguments.of("bernoulli softplus mc", b.build(),
            "0f30259ffb7c7081", "877dd59fecce0f2a", "886cbae67935f05b"),
        Arguments.of("bernoulli relu analytic two layers",
            b.activation("relu").klEstimator("analytic").encoderHidden(10, 7).decoderHidden(6, 9).build(),
            "fd6948aecae0e93c", "76d0b9ce01402907", "bf376d88dabe59d6"),
        Arguments.of("gaussian learned tanh iwae k=3",
            b.activation("tanh").klEstimator("mc").elboSamples(3).likelihood("gaussian").build(),
            "b88056fa5c153319", "4f7d4238c25b126a", "e562d162a5064234"),
        Arguments.of("gaussian fixed softplus no hidden",
            b.activation("softplus").elboSamples(1).likelihood("gaussian").gaussianVariance("fixed")
                .gaussianFixedStd(0.3).encoderHidden().decoderHidden().build(),
            "dd941c89d062fe62", "7a8d50cb242246e7", "7ad09c035b9d8cf2"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void parametersAndLossesAreUnchanged(String name, VaeConfig c, String init, String trained, String loss)
      throws Exception {
    float[] p0 = ParamInit.initialize(ParamLayout.of(c), c.seed());
    float[] x = new float[40 * c.inputDim()];
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextDouble() < 0.3 ? 1f : (float) r.nextDouble() * 0.5f;
    }
    float[] after;
    try (LocalTrainer t = new LocalTrainer(c, TrainingState.initial(p0), Device.cpu())) {
      t.train(new ShuffledBatches(x, 40, c.inputDim(), c.batchSize(), 5), 12, new SplittableRandom(9));
      after = t.snapshot().params();
    }
    float[] losses;
    try (VaeInference inf = new VaeInference(c, after, Device.cpu())) {
      float[] rec = inf.reconstruct(x, 40);
      float[] neg = inf.negElbo(x, 40, 2, new SplittableRandom(4));
      losses = new float[rec.length + neg.length];
      System.arraycopy(rec, 0, losses, 0, rec.length);
      System.arraycopy(neg, 0, losses, rec.length, neg.length);
    }
    String actual = sha(p0) + " " + sha(after) + " " + sha(losses);
    assertEquals(init + " " + trained + " " + loss, actual, name);
  }

  private static String sha(float[] v) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4);
    b.asFloatBuffer().put(v);
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array())).substring(0, 16);
  }
}
