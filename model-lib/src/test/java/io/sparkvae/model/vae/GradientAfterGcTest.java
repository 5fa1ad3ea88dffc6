package io.sparkvae.model.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.sparkvae.model.config.VaeConfig;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gradient does not depend on whether a GC ran between the forward and the backward pass.
 * Everything the autograd graph keeps must live in memory that a GC cannot free: a constant made
 * with DJL's {@code mul(Number)} lived in a Java direct buffer that nothing referenced any more
 * once the forward pass returned, so a GC in that window (as Spark tasks sharing a JVM saw, now and
 * then) freed it and the backward pass read freed memory.
 */
class GradientAfterGcTest {
  static Stream<Arguments> cases() {
    VaeConfig.Builder tiny =
        VaeConfig.builder().inputDim(6).encoderHidden(5).decoderHidden(4).latentDim(3);
    return Stream.of(
        Arguments.of("bernoulli mc", tiny.build()),
        Arguments.of("bernoulli analytic", tiny.klEstimator(KlEstimator.ANALYTIC).build()),
        Arguments.of(
            "gaussian learned std mc",
            tiny.klEstimator(KlEstimator.MC).likelihood(LikelihoodKind.GAUSSIAN).build()),
        Arguments.of(
            "gaussian fixed std mc",
            tiny.likelihood(LikelihoodKind.GAUSSIAN)
                .gaussianVariance(GaussianVariance.FIXED)
                .gaussianFixedStd(0.5)
                .build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void aGcBeforeTheBackwardPassChangesNoGradient(String name, VaeConfig config) throws Exception {
    assertArrayEquals(gradient(config, false), gradient(config, true), name);
  }

  private static float[] gradient(VaeConfig config, boolean gcBeforeBackward)
      throws InterruptedException {
    VaeNetwork net = new VaeNetwork(config);
    Elbo elbo = new Elbo(net);
    ParamLayout layout = net.layout();
    SplittableRandom rng = new SplittableRandom(7);
    float[] theta = new float[layout.totalSize()];
    for (int i = 0; i < theta.length; i++) {
      theta[i] = (float) rng.nextDouble(-0.8, 0.8);
    }
    int batch = 4;
    int d = config.inputDim();
    float[] x = new float[batch * d];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextDouble();
    }
    float[] eps = new float[batch * config.latentDim()];
    for (int i = 0; i < eps.length; i++) {
      eps[i] = (float) rng.nextGaussian();
    }
    try (NDManager m = NDManager.newBaseManager()) {
      NDList params = NativeParams.create(m, layout, theta, ai.djl.ndarray.types.DataType.FLOAT32);
      for (NDArray p : params) {
        p.setRequiresGradient(true);
      }
      NDArray loss;
      JniUtils.setGradMode(true);
      try {
        loss =
            elbo.perExampleLoss(
                    params,
                    m.create(x, new Shape(batch, d)),
                    m.create(eps, new Shape(1, batch, config.latentDim())),
                    0.75)
                .sum();
      } finally {
        JniUtils.setGradMode(false);
      }
      if (gcBeforeBackward) {
        // Collect, give the Cleaner time to free unreachable direct buffers, and hand their memory
        // out again.
        java.util.List<java.nio.ByteBuffer> reuse = new java.util.ArrayList<>();
        for (int round = 0; round < 3; round++) {
          System.gc();
          Thread.sleep(50);
          for (int i = 0; i < 100; i++) {
            java.nio.ByteBuffer b =
                java.nio.ByteBuffer.allocateDirect(8).order(java.nio.ByteOrder.nativeOrder());
            b.putDouble(0, 12345.0);
            reuse.add(b);
          }
        }
      }
      JniUtils.backward(
          (PtNDArray) loss, (PtNDArray) m.ones(loss.getShape(), loss.getDataType()), false, false);
      float[] g = new float[theta.length];
      for (int t = 0; t < layout.tensorCount(); t++) {
        try (NDArray gt = params.get(t).getGradient()) {
          float[] gv = gt.toFloatArray();
          System.arraycopy(gv, 0, g, layout.entries().get(t).offset(), gv.length);
        }
      }
      return g;
    }
  }
}
