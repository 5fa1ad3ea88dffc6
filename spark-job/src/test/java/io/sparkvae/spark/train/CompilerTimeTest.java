package io.sparkvae.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompilerTimeTest {
  @TempDir Path dir;

  /** A {@code /proc/N/task/T/stat} line: utime and stime are fields 14 and 15. */
  private Path stat(String name, long utime, long stime) throws IOException {
    String line =
        "4242 ("
            + name
            + ") S 1 4200 4200 0 -1 4194368 120 0 0 0 "
            + utime
            + " "
            + stime
            + " 0 0 20 0 75 0 1234 5678 90 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0\n";
    Path p = Files.createTempFile(dir, "stat", "");
    Files.writeString(p, line);
    return p;
  }

  @Test
  void aCompilerThreadCountsItsUserAndSystemTicksAndOtherThreadsNothing() throws IOException {
    assertEquals(1234 + 56, CompilerTime.compilerTicks(stat("C2 CompilerThre", 1234, 56)));
    assertEquals(7 + 1, CompilerTime.compilerTicks(stat("C1 CompilerThre", 7, 1)));
    assertEquals(0, CompilerTime.compilerTicks(stat("Executor task l", 99_999, 5)));
    // A name with spaces and a ')' of its own: the fields start after the last ')'.
    assertEquals(0, CompilerTime.compilerTicks(stat("a) b (c", 10, 20)));
    assertEquals(3 + 4, CompilerTime.compilerTicks(stat("x) CompilerThre", 3, 4)));
    // A thread that ended between the listing and the read.
    assertEquals(0, CompilerTime.compilerTicks(dir.resolve("gone")));
  }

  @Test
  void onLinuxTheJvmsCompilerSecondsAreKnownAndDoNotGoBack() {
    if (!Files.isDirectory(Path.of("/proc/self/task"))) {
      assertTrue(Double.isNaN(CompilerTime.seconds()), "no /proc: unknown");
      return;
    }
    double first = CompilerTime.seconds();
    double second = CompilerTime.seconds();
    // This JVM has compiled code before any test runs (its startup alone takes C1 work).
    assertTrue(first > 0, "compiler seconds " + first);
    assertTrue(second >= first, first + " then " + second);
  }
}
