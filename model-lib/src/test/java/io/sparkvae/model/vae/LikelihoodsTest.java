package io.sparkvae.model.vae;

import static io.sparkvae.model.Allclose.assertAllclose;
import static io.sparkvae.model.Allclose.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ELBO's terms against hand-computed values. */
class LikelihoodsTest {
  private NDManager m;

  @BeforeEach
  void open() {
    m = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    m.close();
  }

  private static double softplus(double l) {
    return Math.max(l, 0) + Math.log1p(Math.exp(-Math.abs(l)));
  }

  @Test
  void bernoulliLogProbMatchesHandComputedValues() {
    double[] x = {1, 0, 0.3, 1, 0, 1, 0, 0.5};
    double[] l = {2, 2, -1.5, 0, 0, 30, -30, 0.25};
    double[] expected = new double[x.length];
    // log sigmoid(2), log(1 - sigmoid(2)), then x*l - log(1+e^l) for the rest.
    expected[0] = -Math.log1p(Math.exp(-2));
    expected[1] = -Math.log1p(Math.exp(2));
    for (int i = 2; i < x.length; i++) {
      expected[i] = x[i] * l[i] - softplus(l[i]);
    }
    NDArray lp =
        Likelihoods.bernoulliLogProb(
            m.create(x, new Shape(x.length, 1)), m.create(l, new Shape(x.length, 1)));
    // PyTorch's softplus is linear above 20 (error <= e^-20 ~ 2e-9): hence the absolute tolerance.
    assertAllclose(expected, lp.toDoubleArray(), 1e-12, 3e-9, "bernoulli log-prob");
    assertClose(Math.log(0.5), lp.toDoubleArray()[3], 1e-12, 0, "x=1, logit 0");
  }

  @Test
  void bernoulliLogProbStaysFiniteForHugeLogitsInFloat32() {
    float[] x = {0, 1, 0, 1, 0.5f};
    float[] l = {1e4f, -1e4f, -1e4f, 1e4f, 88.8f};
    float[] lp =
        Likelihoods.bernoulliLogProb(m.create(x, new Shape(5, 1)), m.create(l, new Shape(5, 1)))
            .toFloatArray();
    for (float v : lp) {
      assertTrue(Float.isFinite(v), "log-prob " + v + " is not finite");
    }
    // Confident and right: log-prob ~ 0; confident and wrong: log-prob ~ -|logit|.
    assertAllclose(
        new float[] {-1e4f, -1e4f, 0, 0, 0.5f * 88.8f - 88.8f}, lp, 1e-6, 1e-6, "extreme logits");
  }

  @Test
  void gaussianLogProbMatchesHandComputedValues() {
    double[] x = {0.5, -1.0, 2.0};
    double[] mu = {0.0, -0.5, 2.5};
    double[] logStd = {0.0, Math.log(2), Math.log(0.1)};
    double expected = 0;
    for (int i = 0; i < 3; i++) {
      double s = Math.exp(logStd[i]);
      expected +=
          -0.5 * Math.pow((x[i] - mu[i]) / s, 2) - Math.log(s) - 0.5 * Math.log(2 * Math.PI);
    }
    NDArray lp =
        Likelihoods.gaussianLogProb(
            m.create(x, new Shape(1, 3)),
            m.create(mu, new Shape(1, 3)),
            m.create(logStd, new Shape(3)));
    assertClose(expected, lp.toDoubleArray()[0], 1e-12, 0, "gaussian learned std");
    double fixed = 0;
    for (int i = 0; i < 3; i++) {
      fixed +=
          -0.5 * Math.pow((x[i] - mu[i]) / 0.7, 2) - Math.log(0.7) - 0.5 * Math.log(2 * Math.PI);
    }
    NDArray lf =
        Likelihoods.gaussianLogProb(
            m.create(x, new Shape(1, 3)), m.create(mu, new Shape(1, 3)), Math.log(0.7));
    assertClose(fixed, lf.toDoubleArray()[0], 1e-12, 0, "gaussian fixed std");
  }

  @Test
  void analyticKlMatchesHandComputedValue() {
    double[] loc = {0.5, -1.0, 0.0};
    double[] logScale = {Math.log(2), Math.log(0.5), 0.0};
    // KL(N(mu, s^2) || N(0,1)) = 0.5 (s^2 + mu^2 - 1 - 2 log s), summed.
    double expected =
        0.5 * (4 + 0.25 - 1 - 2 * Math.log(2)) + 0.5 * (0.25 + 1 - 1 - 2 * Math.log(0.5)) + 0.0;
    NDArray kl =
        Likelihoods.analyticKl(m.create(loc, new Shape(1, 3)), m.create(logScale, new Shape(1, 3)));
    assertClose(expected, kl.toDoubleArray()[0], 1e-12, 0, "analytic KL");
  }

  @Test
  void monteCarloKlConvergesToAnalyticKl() {
    int n = 200_000;
    double[] loc = {0.7, -0.3};
    double[] logScale = {Math.log(0.6), Math.log(1.4)};
    SplittableRandom rng = new SplittableRandom(11);
    double[] eps = new double[n * 2];
    double[] z = new double[n * 2];
    double[] locRep = new double[n * 2];
    double[] lsRep = new double[n * 2];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 2; j++) {
        eps[2 * i + j] = rng.nextGaussian();
        z[2 * i + j] = loc[j] + Math.exp(logScale[j]) * eps[2 * i + j];
        locRep[2 * i + j] = loc[j];
        lsRep[2 * i + j] = logScale[j];
      }
    }
    double[] samples =
        Likelihoods.logQMinusLogP(
                m.create(z, new Shape(n, 2)),
                m.create(eps, new Shape(n, 2)),
                m.create(lsRep, new Shape(n, 2)))
            .toDoubleArray();
    double mean = 0;
    for (double s : samples) {
      mean += s;
    }
    mean /= n;
    double var = 0;
    for (double s : samples) {
      var += (s - mean) * (s - mean);
    }
    double stderr = Math.sqrt(var / (n - 1) / n);
    double exact =
        Likelihoods.analyticKl(m.create(loc, new Shape(1, 2)), m.create(logScale, new Shape(1, 2)))
            .toDoubleArray()[0];
    // A fixed seed; 4 standard errors makes a false alarm a ~1e-4 event were the seed to change.
    assertTrue(
        Math.abs(mean - exact) < 4 * stderr,
        "MC KL mean " + mean + " vs analytic " + exact + " (stderr " + stderr + ")");
    assertTrue(stderr < 0.01, "too few samples to mean anything: stderr " + stderr);
  }
}
