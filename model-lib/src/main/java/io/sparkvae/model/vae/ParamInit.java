package io.sparkvae.model.vae;

import java.util.SplittableRandom;

/**
 * Initial parameters: PyTorch's default for {@code nn.Linear} (weights and biases uniform in
 * {@code [-1/sqrt(fanIn), 1/sqrt(fanIn)]}, which is what Pyro's example gets), and zero for a
 * learned observation log-std. Computed in Java from the seed, so every replica and every engine
 * starts from the same bits.
 */
public final class ParamInit {
  private ParamInit() {}

  /** Fresh parameters in {@code layout} order. */
  public static float[] initialize(ParamLayout layout, long seed) {
    float[] flat = new float[layout.totalSize()];
    SplittableRandom rng = new SplittableRandom(seed);
    for (ParamLayout.Entry e : layout.entries()) {
      int fanIn = e.fanIn(layout);
      if (fanIn == 0) {
        continue; // dec.logStd: start at unit variance
      }
      double bound = 1.0 / Math.sqrt(fanIn);
      for (int i = 0; i < e.size(); i++) {
        flat[e.offset() + i] = (float) rng.nextDouble(-bound, bound);
      }
    }
    return flat;
  }
}
