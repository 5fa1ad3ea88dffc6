package io.sparkvae.model.vae;

import java.util.SplittableRandom;

/**
 * Initial parameters: each tensor by the {@link Init} rule its block declared with it (PyTorch's
 * default for {@code nn.Linear}, which is what Pyro's example gets, and zero for a learned
 * observation log-std). Computed in Java from the seed, so every replica and every engine starts
 * from the same bits.
 */
public final class ParamInit {
  private ParamInit() {}

  /** Fresh parameters in {@code layout} order. */
  public static float[] initialize(ParamLayout layout, long seed) {
    float[] flat = new float[layout.totalSize()];
    SplittableRandom rng = new SplittableRandom(seed);
    for (ParamLayout.Entry e : layout.entries()) {
      e.init().fill(flat, e.offset(), e.size(), rng);
    }
    return flat;
  }
}
