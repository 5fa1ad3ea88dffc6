package io.sparkvae.model.vae;

import io.sparkvae.model.config.VaeConfig;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Autograd gradients of the full per-minibatch loss against central finite differences for each
 * architecture and likelihood ({@link GradientChecks}: float64, noise held fixed, relative error at
 * most 1e-3 wherever the absolute difference exceeds 1e-8).
 */
class GradientCheckTest {
  static Stream<Arguments> cases() {
    VaeConfig.Builder tiny =
        VaeConfig.builder().inputDim(5).encoderHidden(4).decoderHidden(3).latentDim(2);
    return Stream.of(
        Arguments.of("bernoulli mc k=1", tiny.build(), 1),
        Arguments.of("bernoulli mc k=1", tiny.build(), 3),
        Arguments.of("bernoulli analytic", tiny.klEstimator(KlEstimator.ANALYTIC).build(), 4),
        Arguments.of(
            "bernoulli mc k=3 (IWAE)", tiny.klEstimator(KlEstimator.MC).elboSamples(3).build(), 3),
        Arguments.of("bernoulli mc k=5 (IWAE) batch 1", tiny.elboSamples(5).build(), 1),
        Arguments.of(
            "gaussian learned std mc",
            tiny.elboSamples(1).likelihood(LikelihoodKind.GAUSSIAN).build(),
            4),
        Arguments.of(
            "gaussian learned std analytic",
            tiny.likelihood(LikelihoodKind.GAUSSIAN).klEstimator(KlEstimator.ANALYTIC).build(),
            2),
        Arguments.of(
            "gaussian fixed std mc, tanh, two layers",
            tiny.likelihood(LikelihoodKind.GAUSSIAN)
                .klEstimator(KlEstimator.MC)
                .gaussianVariance(GaussianVariance.FIXED)
                .gaussianFixedStd(0.5)
                .activation(HiddenActivation.TANH)
                .encoderHidden(4, 3)
                .decoderHidden(3, 4)
                .build(),
            3),
        Arguments.of(
            "gaussian IWAE k=4 beta 0.5",
            tiny.likelihood(LikelihoodKind.GAUSSIAN)
                .gaussianVariance(GaussianVariance.LEARNED)
                .activation(HiddenActivation.SOFTPLUS)
                .encoderHidden(4)
                .decoderHidden(3)
                .elboSamples(4)
                .build(),
            5));
  }

  @ParameterizedTest(name = "{0}, batch {2}")
  @MethodSource("cases")
  void autogradMatchesFiniteDifferences(String name, VaeConfig config, int batch) {
    ParamLayout layout = new VaeNetwork(config).layout();
    SplittableRandom rng = new SplittableRandom(name.hashCode() * 31L + batch);
    double[] theta = new double[layout.totalSize()];
    for (int i = 0; i < theta.length; i++) {
      theta[i] = rng.nextDouble(-0.8, 0.8);
    }
    int d = config.inputDim();
    double[] x = new double[batch * d];
    boolean bernoulli = config.likelihood() == LikelihoodKind.BERNOULLI;
    for (int i = 0; i < x.length; i++) {
      // Bernoulli targets in [0,1] with exact 0s and 1s; Gaussian targets real-valued.
      x[i] = bernoulli ? (i % 3 == 0 ? i % 2 : rng.nextDouble()) : rng.nextGaussian();
    }
    int k = config.elboSamples();
    double[] eps = new double[k * batch * config.latentDim()];
    for (int i = 0; i < eps.length; i++) {
      eps[i] = rng.nextGaussian();
    }
    double klWeight = name.contains("beta 0.5") ? 0.5 : 1.0;

    GradientChecks.assertAutogradMatchesFiniteDifferences(
        name, config, theta, x, eps, batch, k, klWeight);
  }
}
