package io.sparkvae.spark.train;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Seconds this JVM's JIT compilers have spent so far. On a machine with as many replicas as cores,
 * every second a compiler thread runs is taken from a replica: the cost that keeps a run's first
 * epochs below its steady speed, reported next to the epoch's seconds so it can be read apart.
 */
final class CompilerTime {
  private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();
  private static final boolean SUPPORTED =
      JIT != null && JIT.isCompilationTimeMonitoringSupported();

  private CompilerTime() {}

  /** The compilers' seconds so far, summed over compiler threads; NaN where the JVM has none. */
  static double seconds() {
    return SUPPORTED ? JIT.getTotalCompilationTime() / 1e3 : Double.NaN;
  }
}
