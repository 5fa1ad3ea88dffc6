package io.sparkvae.model.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The publication algorithm over local paths: replace, refuse, crash recovery, and what it never
 * touches.
 */
class PublisherTest {
  static final String ID = "0f6c7a52-9a0e-4f43-8d0b-3b1f8c2d9e11";
  static final String ID2 = "7d3e9b10-1c2a-4b5f-9e8d-6a7b8c9d0e1f";

  @TempDir Path dir;
  final Publisher<Path> publisher = LocalStorage.publisher();

  static Publisher.Writer<Path> content(String text) {
    return staging -> {
      Files.createDirectory(staging);
      Files.writeString(staging.resolve("weights"), text);
    };
  }

  static Publisher.Existing<Path> refuse() {
    return t -> {
      throw new FileAlreadyExistsException(t.toString());
    };
  }

  static List<String> names(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  static void dirWith(Path d, String text, long modifiedMillis) throws IOException {
    Files.createDirectories(d);
    Files.writeString(d.resolve("weights"), text);
    Files.setLastModifiedTime(d, FileTime.fromMillis(modifiedMillis));
  }

  @Test
  void publishesANewDirectoryAndCreatesItsParents() throws IOException {
    Path target = dir.resolve("a/b/model");
    publisher.publish(target, refuse(), content("new"));
    assertEquals("new", Files.readString(target.resolve("weights")));
    assertEquals(List.of("model"), names(dir.resolve("a/b")), "no sibling left behind");
  }

  @Test
  void replacesAnExistingDirectoryAndLeavesNoSibling() throws IOException {
    Path target = dir.resolve("model");
    publisher.publish(target, refuse(), content("old"));
    publisher.publish(target, Publisher.Existing.replace(), content("new"));
    assertEquals("new", Files.readString(target.resolve("weights")));
    assertEquals(List.of("model"), names(dir));
  }

  @Test
  void refusesAnExistingTargetBeforeWritingAnything() throws IOException {
    Path target = dir.resolve("model");
    publisher.publish(target, refuse(), content("old"));
    boolean[] wrote = {false};
    assertThrows(
        FileAlreadyExistsException.class,
        () ->
            publisher.publish(
                target,
                refuse(),
                staging -> {
                  wrote[0] = true;
                }));
    assertFalse(wrote[0], "the writer ran although the target may not be replaced");
    assertEquals("old", Files.readString(target.resolve("weights")));
    assertEquals(List.of("model"), names(dir));
  }

  @Test
  void aFailingWriterLeavesThePreviousOutputAndNoStaging() throws IOException {
    Path target = dir.resolve("model");
    publisher.publish(target, refuse(), content("old"));
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                publisher.publish(
                    target,
                    Publisher.Existing.replace(),
                    staging -> {
                      content("half").write(staging);
                      throw new IOException("disk full");
                    }));
    assertEquals("disk full", e.getMessage());
    assertEquals("old", Files.readString(target.resolve("weights")));
    assertEquals(List.of("model"), names(dir));
  }

  @Test
  void aCrashBetweenTheRenamesIsReadableThenRecoveredByTheNextPublication() throws IOException {
    Path target = dir.resolve("model");
    dirWith(dir.resolve("_replaced-model-" + ID), "old", 2_000_000_000_000L);
    dirWith(dir.resolve("_replaced-model-" + ID2), "older", 1_000_000_000_000L);
    dirWith(
        dir.resolve("_staging-model-" + ID),
        "new, complete but never renamed in",
        2_000_000_000_000L);

    Path readable = publisher.readable(target);
    assertEquals(
        "old", Files.readString(readable.resolve("weights")), "the newest previous output");
    assertEquals(3, names(dir).size(), "reading changes nothing");

    assertThrows(
        FileAlreadyExistsException.class,
        () -> publisher.publish(target, refuse(), content("x")),
        "the previous output is back, so a refusing publication refuses");
    assertEquals(
        List.of("model"), names(dir), "put back; the other leftovers of this target deleted");
    assertEquals("old", Files.readString(target.resolve("weights")));
  }

  @Test
  void aModelSetAsideByAnEarlierReleaseIsStillFoundAndPutBack() throws IOException {
    Path target = dir.resolve("vae");
    dirWith(dir.resolve(".vae.old-1f2e"), "previous release's model", 1_000_000_000_000L);
    dirWith(dir.resolve(".vae.tmp-3c4d"), "previous release's temporary", 1_000_000_000_000L);
    assertEquals(dir.resolve(".vae.old-1f2e"), publisher.readable(target));
    publisher.recover(target);
    assertEquals("previous release's model", Files.readString(target.resolve("weights")));
    assertEquals(
        List.of(".vae.tmp-3c4d", "vae"),
        names(dir),
        "an earlier release's temporary is left as it was");
  }

  @Test
  void foreignSiblingsAreNeverTouched() throws IOException {
    Path target = dir.resolve("model");
    List<String> foreign =
        List.of(
            "_replaced-model-v1",
            "_replaced-model-old-" + ID,
            "_staging-model",
            "_staging-modelx-" + ID,
            "_replaced-other-" + ID,
            ".model.old-notHex",
            ".model.old-",
            "model-old",
            ".model.tmp");
    for (String f : foreign) {
      dirWith(dir.resolve(f), f, 3_000_000_000_000L);
    }
    assertEquals(
        target, publisher.readable(target), "no foreign directory is taken for the target");
    publisher.publish(target, refuse(), content("new"));
    publisher.publish(target, Publisher.Existing.replace(), content("newer"));
    publisher.writeFile(dir.resolve("other.txt"), new byte[] {1});
    for (String f : foreign) {
      assertEquals(f, Files.readString(dir.resolve(f).resolve("weights")), f);
    }
    assertEquals("newer", Files.readString(target.resolve("weights")));
  }

  @Test
  void writeFileReplacesTheFileAndClearsItsOwnLeftovers() throws IOException {
    Path file = dir.resolve("metrics.jsonl");
    publisher.writeFile(file, "1\n".getBytes());
    Files.writeString(dir.resolve("_staging-metrics.jsonl-" + ID), "half");
    Files.writeString(dir.resolve(".metrics.jsonl.tmp"), "an earlier release's temporary");
    publisher.writeFile(file, "1\n2\n".getBytes());
    assertEquals("1\n2\n", Files.readString(file));
    assertEquals(List.of("metrics.jsonl"), names(dir));
  }

  @Test
  void theRootCannotBePublished() {
    Path root = dir.getRoot();
    assertThrows(
        IllegalArgumentException.class, () -> publisher.publish(root, refuse(), content("x")));
    assertTrue(Files.isDirectory(root));
  }

  /**
   * Spark's writers are Scala: they throw checked exceptions (SparkException) that no Java
   * signature declares.
   */
  @Test
  void aWriterThatThrowsAnUndeclaredCheckedExceptionLeavesNoStaging() throws IOException {
    Path target = dir.resolve("model");
    Exception e =
        assertThrows(
            Exception.class,
            () ->
                publisher.publish(
                    target,
                    refuse(),
                    staging -> {
                      content("half").write(staging);
                      throw PublisherTest.<RuntimeException>sneaky(
                          new Exception("as Scala throws"));
                    }));
    assertEquals("as Scala throws", e.getMessage());
    assertEquals(List.of(), names(dir), "the half-written staging directory is removed");
  }

  @SuppressWarnings("unchecked")
  static <T extends Throwable> T sneaky(Throwable t) throws T {
    throw (T) t;
  }
}
