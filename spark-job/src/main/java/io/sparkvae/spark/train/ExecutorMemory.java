package io.sparkvae.spark.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The resident set size of this JVM, native memory included (what the operating system and a
 * container's memory limit count; the Java heap alone would not show a native leak).
 */
final class ExecutorMemory {
  private static final Path STATUS = Path.of("/proc/self/status");

  private ExecutorMemory() {}

  /** The current VmRSS in bytes, or -1 where {@code /proc} does not say (not Linux). */
  static long residentBytes() {
    try {
      for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
        if (line.startsWith("VmRSS:")) {
          // "VmRSS:    123456 kB"
          String[] parts = line.substring(6).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or an unexpected format: unknown rather than wrong.
    }
    return -1;
  }
}
