package io.sparkvae.model.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.Device;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.train.LocalTrainer;
import io.sparkvae.model.train.ShuffledBatches;
import io.sparkvae.model.train.TrainingState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
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
 *
 * <p>The initial parameters are Java's and the same everywhere. The trained parameters and losses
 * come from libtorch's CPU kernels, whose summation order depends on the processor (MKL and oneDNN
 * choose their code path by vendor and instruction set): the same code gives other bits on an Intel
 * Xeon than on an AMD EPYC, both with AVX-512. So the trained digests are pinned per processor kind
 * ({@link #cpuKind}); on a kind with none recorded the test fails and prints the digests to record
 * (after checking, on a recorded kind, that the code still gives the pinned ones).
 */
class NetworkFingerprintTest {
  static Stream<Arguments> cases() {
    VaeConfig.Builder b =
        VaeConfig.builder()
            .inputDim(12)
            .encoderHidden(10)
            .decoderHidden(9)
            .latentDim(3)
            .batchSize(8)
            .learningRate(1e-2)
            .seed(11);
    // Per case: the initial digest, then "trained loss" per processor kind.
    return Stream.of(
        Arguments.of(
            "bernoulli softplus mc",
            b.build(),
            "0f30259ffb7c7081",
            Map.of(
                AMD_AVX512, "877dd59fecce0f2a 886cbae67935f05b",
                INTEL_AVX512, "98f3f1c5f9d55d34 4869e23078e33802")),
        Arguments.of(
            "bernoulli relu analytic two layers",
            b.activation(HiddenActivation.RELU)
                .klEstimator(KlEstimator.ANALYTIC)
                .encoderHidden(10, 7)
                .decoderHidden(6, 9)
                .build(),
            "fd6948aecae0e93c",
            Map.of(
                AMD_AVX512, "76d0b9ce01402907 bf376d88dabe59d6",
                INTEL_AVX512, "b8ced85336daa474 1ac1aa2f187ede9f")),
        Arguments.of(
            "gaussian learned tanh iwae k=3",
            b.activation(HiddenActivation.TANH)
                .klEstimator(KlEstimator.MC)
                .elboSamples(3)
                .likelihood(LikelihoodKind.GAUSSIAN)
                .build(),
            "b88056fa5c153319",
            Map.of(
                AMD_AVX512, "4f7d4238c25b126a e562d162a5064234",
                INTEL_AVX512, "896692d0adf348d8 bb9ded3f2fb4a893")),
        Arguments.of(
            "gaussian fixed softplus no hidden",
            b.activation(HiddenActivation.SOFTPLUS)
                .elboSamples(1)
                .likelihood(LikelihoodKind.GAUSSIAN)
                .gaussianVariance(GaussianVariance.FIXED)
                .gaussianFixedStd(0.3)
                .encoderHidden()
                .decoderHidden()
                .build(),
            "dd941c89d062fe62",
            Map.of(
                AMD_AVX512, "7a8d50cb242246e7 7ad09c035b9d8cf2",
                INTEL_AVX512, "c79ca3bf5773db45 7749390d0d868cd9")));
  }

  /** Recorded 2026-12-01 (the digests of commit 5304853) on an AMD EPYC with AVX-512. */
  static final String AMD_AVX512 = "AuthenticAMD avx512";

  /** Recorded 2026-12-02 on an Intel Xeon @ 2.80GHz with AVX-512: the same code, other kernels. */
  static final String INTEL_AVX512 = "GenuineIntel avx512";

  /**
   * The processor's vendor and whether it has AVX-512, from /proc/cpuinfo ("unknown" elsewhere).
   */
  static String cpuKind() {
    try {
      String info = Files.readString(Path.of("/proc/cpuinfo"));
      String vendor =
          info.lines()
              .filter(l -> l.startsWith("vendor_id"))
              .map(l -> l.substring(l.indexOf(':') + 1).trim())
              .findFirst()
              .orElse("unknown");
      return vendor + (info.contains(" avx512f") ? " avx512" : " avx2-or-less");
    } catch (IOException e) {
      return "unknown";
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void parametersAndLossesAreUnchanged(
      String name, VaeConfig c, String init, Map<String, String> trainedByCpu) throws Exception {
    float[] p0 = ParamInit.initialize(ParamLayout.of(c), c.seed());
    float[] x = new float[40 * c.inputDim()];
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextDouble() < 0.3 ? 1f : (float) r.nextDouble() * 0.5f;
    }
    float[] after;
    try (LocalTrainer t = new LocalTrainer(c, TrainingState.initial(p0), Device.cpu())) {
      t.train(
          new ShuffledBatches(x, 40, c.inputDim(), c.batchSize(), 5), 12, new SplittableRandom(9));
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
    assertEquals(init, sha(p0), name + ": initial parameters");
    String actual = sha(after) + " " + sha(losses);
    String kind = cpuKind();
    String expected = trainedByCpu.get(kind);
    if (expected == null) {
      fail(
          name
              + ": no digests recorded for processor kind '"
              + kind
              + "'; after checking on a recorded kind that"
              + " the code still gives its digests, record these for '"
              + kind
              + "': "
              + actual);
    }
    assertEquals(expected, actual, name + " on " + kind);
  }

  private static String sha(float[] v) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4);
    b.asFloatBuffer().put(v);
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()))
        .substring(0, 16);
  }
}
