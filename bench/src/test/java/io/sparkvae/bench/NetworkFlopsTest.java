package io.sparkvae.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.vae.KlEstimator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * FLOP counts against hand computations, and a smoke run of the GEMM benchmark on a tiny network.
 */
class NetworkFlopsTest {
  /**
   * 4 inputs, one hidden layer of 3 each side, 2 latent units; Bernoulli, Monte Carlo KL, one
   * sample.
   */
  static VaeConfig tiny() {
    return VaeConfig.builder().inputDim(4).encoderHidden(3).decoderHidden(3).latentDim(2).build();
  }

  @Test
  void countsATinyNetworkByHand() {
    NetworkFlops f = NetworkFlops.of(tiny());
    // Linear layers: enc.h0 4->3, enc.loc 3->2, enc.scale 3->2, dec.h0 2->3, dec.out 3->4.
    assertEquals(
        List.of("enc.h0", "enc.loc", "enc.scale", "dec.h0", "dec.out"),
        f.layers().stream().map(NetworkFlops.Layer::name).toList());
    assertEquals(2 * 4 * 3 + 2 * 3 * 2 + 2 * 3 * 2, f.encoderGemm()); // 48
    assertEquals(2 * 2 * 3 + 2 * 3 * 4, f.decoderGemm()); // 36
    assertEquals(84, f.forwardGemm());
    // Elementwise: encoder hidden bias + softplus (3 + 3), head biases (2 + 2);
    // reparameterisation exp, *, + (3 * 2); decoder hidden bias + softplus (3 + 3), output bias 4;
    // Bernoulli x*l, softplus, difference, sum (4 * 4); MC KL z^2, eps^2, -, *1/2, -log-scale,
    // sum (6 * 2); combination * weight, difference, negation (3).
    long elementwise = (3 + 3) + (2 + 2) + 3 * 2 + (3 + 3) + 4 + 4 * 4 + 6 * 2 + 3;
    assertEquals(57, elementwise);
    assertEquals(elementwise, f.forwardElementwise());
    assertEquals(84 + 57, f.forward());
    assertEquals(3 * (84 + 57), f.training());
    // Autograd: forward 84, weight gradients 84, input gradients of all but enc.h0 (84 - 24).
    assertEquals(84 + 84 + 60, f.trainingGemmAutograd());
    // Encoding: encoder products 48, hidden bias + softplus 6, head biases 4, exp of log-scale 2.
    assertEquals(48 + 6 + 4 + 2, f.encode());
    // Parameters: 4*3+3 + 2*(3*2+2) + 2*3+3 + 3*4+4 = 15 + 16 + 9 + 16 = 56.
    assertEquals(13L * 56, f.adamPerStep());
  }

  @Test
  void samplesOfZMultiplyTheDecoderAndAnalyticKlIsCountedOnce() {
    NetworkFlops two = NetworkFlops.of(tiny().toBuilder().elboSamples(2).build());
    assertEquals(48 + 2 * 36, two.forwardGemm());
    // Per sample: 6 + 10 + 16 + 12 + 3 = 47; once: encoder 10, log-mean-exp 8 * 2.
    assertEquals(10 + 16 + 2 * 47, two.forwardElementwise());
    NetworkFlops analytic =
        NetworkFlops.of(tiny().toBuilder().klEstimator(KlEstimator.ANALYTIC).build());
    // Once: encoder 10, KL 8 * 2 + 2; per sample: 6 + 10 + 16.
    assertEquals(10 + 18 + 32, analytic.forwardElementwise());
  }

  @Test
  void mnistNetworkMatchesPyrosArchitecture() {
    NetworkFlops f = NetworkFlops.of(VaeConfig.defaults());
    assertEquals(2L * (784 * 400 + 2 * 400 * 50 + 50 * 400 + 400 * 784), f.forwardGemm());
    assertTrue(f.forwardElementwise() < f.forwardGemm() / 100, "elementwise work is under 1 %");
  }

  @Test
  void benchmarkRunsOnATinyNetworkAndPrintsEveryBound() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    FlopBench.Options o =
        FlopBench.parse(
            new String[] {
              "--threads",
              "2",
              "--reps",
              "1",
              "--seconds",
              "0.001",
              "--encode-batch",
              "8",
              "--inputDim",
              "4",
              "--encoderHidden",
              "3",
              "--decoderHidden",
              "3",
              "--latentDim",
              "2",
              "--batchSize",
              "16"
            });
    List<FlopBench.ModeResult> results =
        FlopBench.run(o, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    assertEquals(3, results.size());
    String out = bytes.toString(StandardCharsets.UTF_8);
    for (String set : new String[] {"train", "encode"}) {
      for (String mode : new String[] {"single", "intraop", "streams"}) {
        assertTrue(
            out.lines().anyMatch(l -> l.startsWith("bound " + set + " " + mode + " ")),
            set + " " + mode + ":\n" + out);
      }
    }
    for (FlopBench.ModeResult r : results) {
      assertTrue(r.train().median() > 0 && r.encode().median() > 0, r.toString());
    }
  }
}
