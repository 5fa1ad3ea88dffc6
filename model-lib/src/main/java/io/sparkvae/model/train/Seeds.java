package io.sparkvae.model.train;

/**
 * Derives independent seeds from a run seed and coordinates (epoch, round, partition), so every
 * random stream of a run is reproducible on its own: a retried Spark task redraws exactly the noise
 * of the attempt it replaces.
 */
public final class Seeds {
  private Seeds() {}

  /** A well-mixed seed from a base seed and any number of coordinates (SplitMix64 finalizer). */
  public static long derive(long seed, long... coordinates) {
    long h = mix(seed ^ 0x5DEECE66DL);
    for (long c : coordinates) {
      h = mix(h + 0x9E3779B97F4A7C15L * (c + 1));
    }
    return h;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
