package io.sparkvae.model.averaging;

/**
 * Overlapped averaging with eager updates (Kale et al. 2025, "Eager updates for overlapped
 * communication and computation in DiLoCo"; overlap local SGD, Wang et al. 2020): round {@code r+1}
 * starts before round {@code r}'s average is known, so that the driver's work of a round (results,
 * average, outer step, next broadcast, job launch) can run while the replicas compute.
 *
 * <p>A replica {@code i} that ends round {@code r} at {@code end} after starting it at {@code
 * start} continues from its <em>continuation</em> {@code c = end + (known - start)}, where {@code
 * known} is the newest global state at the time round {@code r+1} is launched: the global after
 * round {@code r-1} (the global before round 0 at round 0). Its own progress of round {@code r},
 * {@code end - start}, stands in for the replicas' mean progress that is still in flight. The
 * driver averages the continuations, not the ends: their mean minus {@code known} is the replicas'
 * mean progress, the pseudo-gradient the outer step takes; and the driver can compute every
 * replica's next start itself, bit for bit, from the replica's result (what a replica rebuilt on
 * another executor needs).
 *
 * <p>With one replica and plain averaging this is the single-process trainer, bit for bit: the
 * replica's start equals {@code known} every round, so {@code c = end + 0 = end}, and the global is
 * {@code end}. Synchronous averaging is the special case in which every round waits for {@code
 * known} to be the previous round's global and the replicas start from it.
 *
 * <p>Adam moments stay local to each replica here (as DiLoCo's inner optimizer state does):
 * applying the same correction to a second moment could make it negative.
 */
public final class EagerOverlap {
  private EagerOverlap() {}

  /**
   * The state a replica continues from: {@code end + (known - start)}, element by element in float
   * (the same operations on the driver and on the executor give the same bits); where {@code known}
   * equals {@code start}, exactly {@code end}.
   *
   * @param end the replica's parameters at the end of its round
   * @param known the newest global parameters when the next round is launched
   * @param start the replica's parameters at the start of its round
   */
  public static float[] continuation(float[] end, float[] known, float[] start) {
    if (end.length != known.length || end.length != start.length) {
      throw new IllegalArgumentException(
          "parameter counts differ: end "
              + end.length
              + ", known "
              + known.length
              + ", start "
              + start.length);
    }
    float[] c = new float[end.length];
    for (int i = 0; i < c.length; i++) {
      float shift = known[i] - start[i];
      // Adding zero changes nothing but the sign of a zero (-0 + +0 = +0): skipping it keeps a
      // replica that started from the newest global exactly at its end, signed zeros included.
      c[i] = shift == 0f ? end[i] : end[i] + shift;
    }
    return c;
  }
}
