package io.sparkvae.model.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sparkvae.model.config.VaeConfig;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Encoder, Decoder and Likelihood seams: registry errors, declared layouts and initialisation.
 */
class NetworkBlocksTest {
  private static final VaeConfig TINY =
      VaeConfig.builder().inputDim(6).encoderHidden(5, 4).decoderHidden(3).latentDim(2).build();

  @Test
  void anUnknownActivationIsAnErrorNotSoftplus() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> HiddenActivation.of("gelu"));
    assertEquals(
        "activation 'gelu' is unknown; choose one of softplus, relu, tanh", e.getMessage());
  }

  @Test
  void anUnknownLikelihoodIsAnError() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> LikelihoodKind.of("poisson"));
    assertEquals(
        "likelihood 'poisson' is unknown; choose one of bernoulli, gaussian, tabular",
        e.getMessage());
  }

  @Test
  void everyChoiceTheConfigAcceptsHasAnImplementationAndNoMore() {
    assertEquals(
        choices("activation"),
        List.of(HiddenActivation.values()).stream()
            .map(HiddenActivation::configName)
            .sorted()
            .toList());
    assertEquals(
        choices("likelihood"),
        List.of(LikelihoodKind.values()).stream()
            .map(LikelihoodKind::configName)
            .sorted()
            .toList());
    for (HiddenActivation a : HiddenActivation.values()) {
      // 2 encoder hidden layers, 2 heads, 1 decoder hidden layer, 1 output layer; weight and bias
      // each.
      assertEquals(
          12, new VaeNetwork(TINY.toBuilder().activation(a).build()).layout().tensorCount());
    }
  }

  private static List<String> choices(String param) {
    String constraint = VaeConfig.param(param).constraint();
    assertTrue(constraint.startsWith("one of "), constraint);
    return List.of(constraint.substring("one of ".length()).split(", ")).stream().sorted().toList();
  }

  @Test
  void theLikelihoodIsChosenOnceAndOwnsItsSupport() {
    VaeNetwork bernoulli = new VaeNetwork(TINY);
    assertInstanceOf(BernoulliLikelihood.class, bernoulli.likelihood());
    assertSame(Support.UNIT_INTERVAL, bernoulli.likelihood().support());
    VaeNetwork learned =
        new VaeNetwork(TINY.toBuilder().likelihood(LikelihoodKind.GAUSSIAN).build());
    assertTrue(((GaussianLikelihood) learned.likelihood()).learnsStd());
    assertSame(Support.REAL, learned.likelihood().support());
    assertEquals("dec.logStd", last(learned.layout()).name());
    VaeNetwork fixed =
        new VaeNetwork(
            TINY.toBuilder()
                .likelihood(LikelihoodKind.GAUSSIAN)
                .gaussianVariance(GaussianVariance.FIXED)
                .build());
    assertFalse(((GaussianLikelihood) fixed.likelihood()).learnsStd());
    assertEquals("dec.out.bias", last(fixed.layout()).name());
    assertEquals(6, bernoulli.decoder().outputWidth());
    assertEquals(6, bernoulli.encoder().inputWidth());
    assertEquals(2, bernoulli.encoder().latentDim());
    assertEquals(2, bernoulli.decoder().latentDim());
  }

  private static ParamLayout.Entry last(ParamLayout layout) {
    return layout.entries().get(layout.tensorCount() - 1);
  }

  @Test
  void initialisationFollowsTheDeclarationNotTheNameOrShape() {
    // Before the seams, a tensor that was neither 2-D nor a ".bias" silently started at zero.
    ParamLayout.Builder b = ParamLayout.builder();
    b.add("conv.kernel", new long[] {2, 3, 4}, Init.uniformFanIn(12));
    b.add("gain.weight", new long[] {5}, Init.uniformFanIn(4));
    b.add("dec.logStd", new long[] {3}, Init.zeros());
    ParamLayout layout = b.build();
    float[] p = ParamInit.initialize(layout, 1);
    for (int i = 0; i < 24; i++) {
      assertTrue(
          p[i] != 0f && Math.abs(p[i]) < 1 / Math.sqrt(12), "conv.kernel[" + i + "] = " + p[i]);
    }
    for (int i = 24; i < 29; i++) {
      assertTrue(p[i] != 0f && Math.abs(p[i]) < 0.5, "gain.weight[" + (i - 24) + "] = " + p[i]);
    }
    assertArrayEquals(new float[3], java.util.Arrays.copyOfRange(p, 29, 32));
  }

  @Test
  void noDeclaredTensorOfTheNetworksStartsAtZeroUnlessDeclaredSo() {
    for (VaeConfig c :
        List.of(
            TINY, TINY.toBuilder().likelihood(LikelihoodKind.GAUSSIAN).encoderHidden().build())) {
      ParamLayout layout = ParamLayout.of(c);
      float[] p = ParamInit.initialize(layout, 5);
      for (ParamLayout.Entry e : layout.entries()) {
        boolean zero = e.init() instanceof Init.Zeros;
        assertEquals(e.name().equals("dec.logStd"), zero, e.name());
        for (int i = e.offset(); i < e.offset() + e.size(); i++) {
          assertEquals(zero, p[i] == 0f, e.name() + " value " + (i - e.offset()));
        }
      }
    }
  }

  @Test
  void aDuplicateTensorNameOrALateDeclarationIsRefused() {
    ParamLayout.Builder b = ParamLayout.builder();
    DenseLayer.declare(b, "enc.h0", 3, 2);
    IllegalArgumentException dup =
        assertThrows(IllegalArgumentException.class, () -> DenseLayer.declare(b, "enc.h0", 2, 2));
    assertEquals("two parameter tensors are named enc.h0.weight", dup.getMessage());
    b.build();
    assertThrows(IllegalStateException.class, () -> b.add("late", new long[] {1}, Init.zeros()));
    assertThrows(IllegalArgumentException.class, () -> Init.uniformFanIn(0));
  }

  @Test
  void blocksFindTheirTensorsWhereverTheyWereDeclared() {
    // The same blocks declared after an unrelated tensor: every index shifts by one, and the
    // network computes the same thing (no block counts positions).
    VaeConfig c = TINY.toBuilder().likelihood(LikelihoodKind.GAUSSIAN).build();
    VaeNetwork plain = new VaeNetwork(c);
    ParamLayout.Builder b = ParamLayout.builder();
    b.add("other", new long[] {7}, Init.zeros());
    MlpEncoder enc = new MlpEncoder(b, 6, new int[] {5, 4}, 2, HiddenActivation.SOFTPLUS);
    MlpDecoder dec = new MlpDecoder(b, 2, new int[] {3}, 6, HiddenActivation.SOFTPLUS);
    Likelihood lik = LikelihoodKind.GAUSSIAN.create(c, 6, b);
    ParamLayout shifted = b.build();
    float[] p = ParamInit.initialize(plain.layout(), 3);
    float[] q = new float[shifted.totalSize()];
    System.arraycopy(p, 0, q, 7, p.length);
    SplittableRandom r = new SplittableRandom(2);
    float[] x = new float[4 * 6];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    try (NDManager m = NDManager.newBaseManager()) {
      NDList pa = NativeParams.create(m, plain.layout(), p, DataType.FLOAT32);
      NDList qa = NativeParams.create(m, shifted, q, DataType.FLOAT32);
      NDArray in = m.create(x, new Shape(4, 6));
      Posterior e1 = plain.encode(pa, in);
      Posterior e2 = enc.encode(qa, in);
      assertArrayEquals(e1.loc().toFloatArray(), e2.loc().toFloatArray());
      assertArrayEquals(e1.logScale().toFloatArray(), e2.logScale().toFloatArray());
      NDArray d1 = plain.decode(pa, e1.loc());
      NDArray d2 = dec.decode(qa, e2.loc());
      assertArrayEquals(d1.toFloatArray(), d2.toFloatArray());
      assertArrayEquals(
          plain.logLikelihood(pa, in, d1).toFloatArray(), lik.logProb(qa, in, d2).toFloatArray());
    }
  }

  @Test
  void columnLogProbsSumToTheLogProb() {
    try (NDManager m = NDManager.newBaseManager()) {
      VaeNetwork net = new VaeNetwork(TINY);
      NDArray x = m.create(new float[] {0f, 1f, 0.5f, 0.25f, 1f, 0f}, new Shape(1, 6));
      NDArray logits = m.create(new float[] {-2f, 3f, 0f, 1f, 0.5f, -1f}, new Shape(1, 6));
      NDArray cols = net.likelihood().columnLogProb(new NDList(), x, logits);
      assertEquals(new Shape(1, 6), cols.getShape());
      assertEquals(
          cols.sum(new int[] {-1}).getFloat(0),
          net.logLikelihood(new NDList(), x, logits).getFloat(0));
      assertArrayEquals(
          logits.getNDArrayInternal().sigmoid().toFloatArray(), net.mean(logits).toFloatArray());
    }
  }

  @Test
  void supportChecksFinitenessFirstThenTheInterval() {
    float[] row = {0f, 1f, 0.5f, -0.25f, 2f, Float.NaN};
    assertNull(Support.UNIT_INTERVAL.check(row, 0, 3));
    assertEquals(Support.Violation.OUTSIDE, Support.UNIT_INTERVAL.check(row, 1, 3));
    assertEquals(Support.Violation.OUTSIDE, Support.UNIT_INTERVAL.check(row, 4, 1));
    assertEquals(Support.Violation.NON_FINITE, Support.UNIT_INTERVAL.check(row, 3, 3));
    assertNull(Support.REAL.check(row, 0, 5));
    assertEquals(Support.Violation.NON_FINITE, Support.REAL.check(row, 5, 1));
    assertFalse(Support.REAL.bounded());
    assertTrue(Support.UNIT_INTERVAL.bounded());
    // An interval that excludes 0 is checked against its own bounds, not against 0.
    Support positive = new Support(1f, 3f, "test");
    assertNull(positive.check(new float[] {1.5f, 2f}, 0, 2));
    assertEquals(Support.Violation.OUTSIDE, positive.check(new float[] {0.5f}, 0, 1));
    assertEquals(
        "values outside [0, 1] (the Bernoulli likelihood needs them in it)",
        Support.UNIT_INTERVAL.describeOutside());
  }
}
