package io.sparkvae.spark.train;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * CPU seconds this JVM's JIT compiler threads have used so far. On a machine with as many replicas
 * as cores, every second a compiler thread runs is taken from a replica: the cost that keeps a
 * run's first epochs below its steady speed, reported next to the epoch's seconds so that it can be
 * read apart.
 *
 * <p>Read from Linux's per-thread accounting ({@code /proc/self/task/N/stat}), because the JVM
 * offers no CPU time of its compiler threads: they are hidden from {@code ThreadMXBean}, and {@code
 * CompilationMXBean}'s total is the compilations' elapsed time, which on a busy machine includes
 * the compiler's waiting for a core (measured on 2 cores: nearly twice the CPU time).
 */
final class CompilerTime {
  private static final Path TASKS = Path.of("/proc/self/task");

  /** Linux's {@code USER_HZ}, the unit of {@code /proc}'s CPU times: 100 on every architecture. */
  private static final double TICKS_PER_SECOND = 100;

  private CompilerTime() {}

  /** The compiler threads' CPU seconds so far; NaN where {@code /proc} is not there to read. */
  static double seconds() {
    if (!Files.isDirectory(TASKS)) {
      return Double.NaN;
    }
    long ticks = 0;
    try (DirectoryStream<Path> threads = Files.newDirectoryStream(TASKS)) {
      for (Path thread : threads) {
        ticks += compilerTicks(thread.resolve("stat"));
      }
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
    return ticks / TICKS_PER_SECOND;
  }

  /** User and system ticks of one thread if it is a JIT compiler thread, else 0. */
  static long compilerTicks(Path stat) throws IOException {
    String line;
    try {
      line = Files.readString(stat);
    } catch (NoSuchFileException e) {
      return 0; // the thread ended between the listing and the read
    }
    // "tid (name) state ppid ...": the name may hold spaces and parentheses, so cut at the last
    // ')'.
    int close = line.lastIndexOf(')');
    String name = line.substring(line.indexOf('(') + 1, close);
    // HotSpot names them "C1 CompilerThread0", "C2 CompilerThread1", ...; Linux keeps 15 chars.
    if (!name.contains("CompilerThre")) {
      return 0;
    }
    String[] fields = line.substring(close + 2).split(" ");
    // Fields 14 and 15 of the line (utime, stime) are 11 and 12 after the name.
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }
}
