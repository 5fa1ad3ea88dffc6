package io.sparkvae.model.train;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU time of the calling thread, for telling a replica's compute from its waiting. Wall-clock
 * seconds count a thread's time on a core and its time waiting for one alike; on a machine with
 * more busy threads than cores (the JIT compiler, Spark's own threads, other replicas) only CPU
 * time says how much of the cores the steps used. With one PyTorch intra-op thread, the default,
 * the kernels run on the calling thread, so its CPU time is the step's; with more, PyTorch's worker
 * threads are not counted.
 */
public final class ThreadCpu {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final boolean SUPPORTED = supported();

  private ThreadCpu() {}

  private static boolean supported() {
    try {
      if (!THREADS.isCurrentThreadCpuTimeSupported()) {
        return false;
      }
      if (!THREADS.isThreadCpuTimeEnabled()) {
        THREADS.setThreadCpuTimeEnabled(true);
      }
      return THREADS.isThreadCpuTimeEnabled();
    } catch (UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }

  /** CPU nanoseconds the calling thread has used so far, or -1 where the JVM cannot measure it. */
  public static long nanos() {
    return SUPPORTED ? THREADS.getCurrentThreadCpuTime() : -1;
  }

  /**
   * Seconds between two readings of {@link #nanos} on the same thread; NaN when either is unknown.
   */
  public static double secondsBetween(long startNanos, long endNanos) {
    return startNanos < 0 || endNanos < 0 ? Double.NaN : (endNanos - startNanos) / 1e9;
  }
}
