package io.sparkvae.model.vae;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.sparkvae.model.config.VaeConfig;

/**
 * The gradient check every network test shares: autograd gradients of the full per-minibatch loss
 * against central finite differences, in float64 with the noise held fixed, as DL4J's
 * GradientCheckUtil does: relative error {@code |a-n|/(|a|+|n|) <= 1e-3} wherever the absolute
 * difference exceeds {@code 1e-8}, and most gradients non-zero (or the check proves nothing).
 */
public final class GradientChecks {
  private static final double H = 1e-6;
  private static final double MAX_REL_ERROR = 1e-3;
  private static final double ABS_FLOOR = 1e-8;

  private GradientChecks() {}

  /**
   * Fails unless autograd and finite differences agree at {@code theta}.
   *
   * @param x the minibatch, {@code batch * inputDim} values
   * @param eps the noise, {@code k * batch * latentDim} values
   */
  public static void assertAutogradMatchesFiniteDifferences(
      String name,
      VaeConfig config,
      double[] theta,
      double[] x,
      double[] eps,
      int batch,
      int k,
      double klWeight) {
    Elbo elbo = new Elbo(new VaeNetwork(config));
    ParamLayout layout = elbo.network().layout();
    int d = config.inputDim();
    double[] analytic;
    try (NDManager m = NDManager.newBaseManager()) {
      NDList params = tensors(m, layout, theta);
      for (NDArray p : params) {
        p.setRequiresGradient(true);
      }
      JniUtils.setGradMode(true);
      NDArray loss;
      try {
        loss =
            elbo.perExampleLoss(
                    params,
                    m.create(x, new Shape(batch, d)),
                    m.create(eps, new Shape(k, batch, config.latentDim())),
                    klWeight)
                .sum();
      } finally {
        JniUtils.setGradMode(false);
      }
      JniUtils.backward(
          (PtNDArray) loss, (PtNDArray) m.ones(loss.getShape(), loss.getDataType()), false, false);
      analytic = new double[theta.length];
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
      double plus = loss(elbo, layout, theta, x, eps, batch, k, klWeight);
      theta[i] = saved - H;
      double minus = loss(elbo, layout, theta, x, eps, batch, k, klWeight);
      theta[i] = saved;
      double numeric = (plus - minus) / (2 * H);
      double a = analytic[i];
      double diff = Math.abs(a - numeric);
      if (diff > ABS_FLOOR) {
        double rel = diff / (Math.abs(a) + Math.abs(numeric));
        if (rel > MAX_REL_ERROR) {
          fail(
              name
                  + ": gradient of parameter "
                  + i
                  + " ("
                  + tensorOf(layout, i)
                  + "): autograd "
                  + a
                  + ", finite difference "
                  + numeric
                  + ", relative error "
                  + rel);
        }
      }
      if (Math.abs(a) > 1e-6) {
        checked++;
      }
    }
    // Most gradients must be non-trivial, or the check proves nothing.
    assertTrue(
        checked > theta.length / 2,
        name + ": only " + checked + " of " + theta.length + " gradients were non-zero");
  }

  private static String tensorOf(ParamLayout layout, int i) {
    for (ParamLayout.Entry e : layout.entries()) {
      if (i >= e.offset() && i < e.offset() + e.size()) {
        return e.name();
      }
    }
    return "?";
  }

  private static double loss(
      Elbo elbo,
      ParamLayout layout,
      double[] theta,
      double[] x,
      double[] eps,
      int batch,
      int k,
      double klWeight) {
    JniUtils.setGradMode(false);
    try (NDManager m = NDManager.newBaseManager()) {
      int latent = elbo.network().config().latentDim();
      int d = elbo.network().config().inputDim();
      return elbo.perExampleLoss(
              tensors(m, layout, theta),
              m.create(x, new Shape(batch, d)),
              m.create(eps, new Shape(k, batch, latent)),
              klWeight)
          .sum()
          .getDouble();
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
