package io.sparkvae.spark.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HadoopPublisher.writeFile never passes through a state without the target file. */
class HadoopPublisherFileTest {
  @TempDir java.nio.file.Path dir;

  /**
   * The local file system with a process that dies right after any delete: the crash the issue
   * describes.
   */
  static final class CrashAfterDelete extends RawLocalFileSystem {
    @Override
    public boolean delete(Path p, boolean recursive) throws IOException {
      super.delete(p, recursive);
      throw new IOException("killed");
    }
  }

  @Test
  void aCrashDuringTheReplacementLeavesThePreviousFile() throws IOException {
    java.nio.file.Path file = dir.resolve("metrics.jsonl");
    Files.writeString(file, "epoch 1\n");
    CrashAfterDelete fs = new CrashAfterDelete();
    fs.initialize(java.net.URI.create("file:///"), new Configuration());
    try {
      HadoopPublisher.writeFile(
          fs, new Path(file.toUri()), "epoch 1\nepoch 2\n".getBytes(StandardCharsets.UTF_8));
    } catch (IOException killed) {
      // the process died here; what is on disk is what counts
    }
    assertTrue(Files.exists(file), "the metrics file is gone after a crash");
    assertEquals(
        "epoch 1\nepoch 2\n",
        Files.readString(file),
        "nothing was deleted: the rename replaced it");
  }

  @Test
  void aConcurrentReaderAlwaysFindsTheFile() throws Exception {
    java.nio.file.Path file = dir.resolve("m.jsonl");
    FileSystem fs = FileSystem.getLocal(new Configuration());
    Path target = new Path(file.toUri());
    HadoopPublisher.writeFile(fs, target, "0\n".getBytes(StandardCharsets.UTF_8));
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger missing = new AtomicInteger();
    Thread reader =
        new Thread(
            () -> {
              while (!done.get()) {
                if (!Files.exists(file)) {
                  missing.incrementAndGet();
                }
              }
            });
    reader.start();
    try {
      for (int i = 1; i <= 1500; i++) {
        HadoopPublisher.writeFile(fs, target, (i + "\n").getBytes(StandardCharsets.UTF_8));
      }
    } finally {
      done.set(true);
      reader.join();
    }
    assertEquals(0, missing.get(), "times the reader found no file");
    assertEquals("1500\n", Files.readString(file));
    // No stale checksum beside it, which would fail reads through Hadoop's checksummed local FS.
    assertEquals("1500\n", new String(fs.open(target).readAllBytes(), StandardCharsets.UTF_8));
    assertThrows(
        java.io.FileNotFoundException.class, () -> fs.open(new Path(dir.resolve("none").toUri())));
  }

  @Test
  void leftoversOfAKilledWriteAreClearedByTheNextOne() throws IOException {
    java.nio.file.Path file = dir.resolve("metrics.jsonl");
    FileSystem fs = FileSystem.getLocal(new Configuration());
    Files.writeString(
        dir.resolve("_staging-metrics.jsonl-0f6c7a52-9a0e-4f43-8d0b-3b1f8c2d9e11"), "half");
    Files.writeString(dir.resolve(".metrics.jsonl.tmp"), "an earlier release's temporary");
    Files.writeString(dir.resolve("_staging-metrics.jsonl-mine"), "not a leftover");
    HadoopPublisher.writeFile(fs, new Path(file.toUri()), "1\n".getBytes(StandardCharsets.UTF_8));
    try (java.util.stream.Stream<java.nio.file.Path> s = Files.list(dir)) {
      assertEquals(
          java.util.List.of("_staging-metrics.jsonl-mine", "metrics.jsonl"),
          s.map(p -> p.getFileName().toString()).sorted().toList());
    }
    assertEquals("1\n", Files.readString(file));
  }
}
