package io.sparkvae.spark.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DirectorySwap after a crash between its two renames, and with a guard. */
class DirectorySwapTest {
  static final String ID = "0f6c7a52-9a0e-4f43-8d0b-3b1f8c2d9e11";

  @TempDir Path dir;

  /** What a kill between "rename the old one aside" and "rename the new one in" leaves. */
  Path crashedBetweenRenames() throws IOException {
    Path aside = dir.resolve("_replaced-model-" + ID);
    Files.createDirectories(aside);
    Files.writeString(aside.resolve("weights"), "old");
    Path staging = dir.resolve("_staging-model-" + ID);
    Files.createDirectories(staging);
    Files.writeString(staging.resolve("weights"), "new");
    return dir.resolve("model");
  }

  static List<String> names(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void readersFindThePreviousOutputWhileItIsRenamedAside() throws IOException {
    Path model = crashedBetweenRenames();
    String readable = DirectorySwap.readable(model.toString(), new Configuration());
    assertEquals("old", Files.readString(Path.of(java.net.URI.create(readable)).resolve("weights")));
    assertEquals(List.of("_replaced-model-" + ID, "_staging-model-" + ID), names(dir), "reading changes nothing");
  }

  @Test
  void theNextReplacementRestoresThePreviousOutputBeforeWriting() throws IOException {
    Path model = crashedBetweenRenames();
    IOException failed = assertThrows(IOException.class, () -> DirectorySwap.replace(model.toString(),
        new Configuration(), staging -> {
          throw new IOException("this run fails too");
        }));
    assertEquals("this run fails too", failed.getMessage());
    assertEquals(List.of("model"), names(dir), "the previous model is back, leftovers gone");
    assertEquals("old", Files.readString(model.resolve("weights")));
  }

  @Test
  void aGuardRefusalLeavesTheTargetAndWritesNothing() throws IOException {
    Path model = dir.resolve("model");
    Files.createDirectories(model);
    Files.writeString(model.resolve("thesis.txt"), "mine");
    assertThrows(IllegalArgumentException.class, () -> DirectorySwap.replace(model.toString(), new Configuration(),
        (fs, t) -> {
          throw new IllegalArgumentException("not ours");
        }, staging -> Files.createDirectories(Path.of(java.net.URI.create(staging).getPath()))));
    assertEquals(List.of("model"), names(dir));
    assertEquals("mine", Files.readString(model.resolve("thesis.txt")));
  }

  @Test
  void aSiblingWhoseNameExtendsTheTargetsIsNotALeftover() throws IOException {
    Path other = dir.resolve("_replaced-model-old-" + ID.substring(4));
    Files.createDirectories(other);
    DirectorySwap.recover(org.apache.hadoop.fs.FileSystem.getLocal(new Configuration()),
        new org.apache.hadoop.fs.Path(dir.resolve("model").toUri()));
    assertTrue(Files.exists(other));
    assertFalse(Files.exists(dir.resolve("model")));
  }
}
