package io.sparkvae.model.tabular;

import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.vae.GradientChecks;
import io.sparkvae.model.vae.ParamLayout;
import io.sparkvae.model.vae.VaeNetwork;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tabular VAE's autograd gradients (every kind, with missing entries) against float64 central
 * finite differences with the noise fixed: relative error at most 1e-3 where the absolute
 * difference exceeds 1e-8, as the Bernoulli/Gaussian GradientCheckTest.
 */
class TabularGradientCheckTest {
  @ParameterizedTest(name = "batch {0}")
  @ValueSource(ints = {1, 3, 6})
  void autogradMatchesFiniteDifferences(int batch) {
    TabularSchema s = TabularFixtures.mixed();
    VaeConfig config = TabularFixtures.config(s);
    ParamLayout layout = new VaeNetwork(config).layout();
    SplittableRandom rng = new SplittableRandom(17 + batch);
    double[] theta = new double[layout.totalSize()];
    for (int i = 0; i < theta.length; i++) {
      theta[i] = rng.nextDouble(-0.8, 0.8);
    }
    int d = s.packedWidth();
    float[] packed = new float[batch * d];
    String[] origins = {"A", "B", "Z", null};
    for (int r = 0; r < batch; r++) {
      s.encode(
          new Object[] {
            r % 4 == 3 ? null : rng.nextGaussian() * 20, origins[r % 4], r % 2 == 0, (long) (r % 5)
          },
          packed,
          r * d,
          null);
    }
    double[] x = new double[packed.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = packed[i];
    }
    double[] eps = new double[batch * config.latentDim()];
    for (int i = 0; i < eps.length; i++) {
      eps[i] = rng.nextGaussian();
    }
    GradientChecks.assertAutogradMatchesFiniteDifferences(
        "tabular, batch " + batch, config, theta, x, eps, batch, 1, 1.0);
  }
}
