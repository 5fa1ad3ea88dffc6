package io.sparkvae.model.tabular;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.vae.Elbo;
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
  private static final double H = 1e-6;

  @ParameterizedTest(name = "batch {0}")
  @ValueSource(ints = {1, 3, 6})
  void autogradMatchesFiniteDifferences(int batch) {
    TabularSchema s = TabularFixtures.mixed();
    VaeConfig config = TabularFixtures.config(s);
    Elbo elbo = new Elbo(new VaeNetwork(config));
    ParamLayout layout = elbo.network().layout();
    SplittableRandom rng = new SplittableRandom(17 + batch);
    double[] theta = new double[layout.totalSize()];
    for (int i = 0; i < theta.length; i++) {
      theta[i] = rng.nextDouble(-0.8, 0.8);
    }
    int d = s.packedWidth();
    float[] packed = new float[batch * d];
    String[] origins = {"A", "B", "Z", null};
    for (int r = 0; r < batch; r++) {
      s.encode(new Object[] {r % 4 == 3 ? null : rng.nextGaussian() * 20, origins[r % 4], r % 2 == 0,
          (long) (r % 5)}, packed, r * d, null);
    }
    double[] x = new double[packed.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = packed[i];
    }
    double[] eps = new double[batch * config.latentDim()];
    for (int i = 0; i < eps.length; i++) {
      eps[i] = rng.nextGaussian();
    }
    double[] analytic = new double[theta.length];
    try (NDManager m = NDManager.newBaseManager()) {
      NDList params = tensors(m, layout, theta);
      params.forEach(p -> p.setRequiresGradient(true));
      JniUtils.setGradMode(true);
      NDArray loss;
      try {
        loss = elbo.perExampleLoss(params, m.create(x, new Shape(batch, d)),
            m.create(eps, new Shape(1, batch, config.latentDim())), 1.0).sum();
      } finally {
        JniUtils.setGradMode(false);
      }
      JniUtils.backward((PtNDArray) loss, (PtNDArray) m.ones(loss.getShape(), loss.getDataType()), false, false);
      for (int t = 0; t < layout.tensorCount(); t++) {
        try (NDArray g = params.get(t).getGradient()) {
          double[] gv = g.toDoubleArray();
          System.arraycopy(gv, 0, analytic, layout.entries().get(t).offset(), gv.length);
        }
      }
    }
    int checked = 0;
    for (int i = 0; i < theta.length; i++) {
      double saved = theta[i];
      theta[i] = saved + H;
      double plus = loss(elbo, layout, theta, x, eps, batch);
      theta[i] = saved - H;
      double minus = loss(elbo, layout, theta, x, eps, batch);
      theta[i] = saved;
      double numeric = (plus - minus) / (2 * H);
      double diff = Math.abs(analytic[i] - numeric);
      if (diff > 1e-8 && diff / (Math.abs(analytic[i]) + Math.abs(numeric)) > 1e-3) {
        fail("parameter " + i + ": autograd " + analytic[i] + ", finite difference " + numeric);
      }
      if (Math.abs(analytic[i]) > 1e-6) {
        checked++;
      }
    }
    assertTrue(checked > theta.length / 2, "only " + checked + " of " + theta.length + " gradients were non-zero");
  }

  private static double loss(Elbo elbo, ParamLayout layout, double[] theta, double[] x, double[] eps, int batch) {
    JniUtils.setGradMode(false);
    try (NDManager m = NDManager.newBaseManager()) {
      int latent = elbo.network().config().latentDim();
      int d = elbo.network().config().inputDim();
      return elbo.perExampleLoss(tensors(m, layout, theta), m.create(x, new Shape(batch, d)),
          m.create(eps, new Shape(1, batch, latent)), 1.0).sum().getDouble();
    }
  }

  private static NDList tensors(NDManager m, ParamLayout layout, double[] theta) {
    NDList list = new NDList();
    for (ParamLayout.Entry e : layout.entries()) {
      double[] part = new double[e.size()];
      System.arraycopy(theta, e.offset(), part, 0, e.size());
      list.add(m.create(part, new Shape(e.shape())));
    }
    return list;
  }
}
