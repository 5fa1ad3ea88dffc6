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
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HadoopPublisher after a crash between its two renames, and with a guard; and model-lib's
 * publication algorithm over the Hadoop adapter: replace, refuse, an earlier release's leftovers,
 * foreign siblings.
 */
class HadoopPublisherTest {
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
    String readable = HadoopPublisher.readable(model.toString(), new Configuration());
    assertEquals(
        "old", Files.readString(Path.of(java.net.URI.create(readable)).resolve("weights")));
    assertEquals(
        List.of("_replaced-model-" + ID, "_staging-model-" + ID),
        names(dir),
        "reading changes nothing");
  }

  @Test
  void theNextReplacementRestoresThePreviousOutputBeforeWriting() throws IOException {
    Path model = crashedBetweenRenames();
    IOException failed =
        assertThrows(
            IOException.class,
            () ->
                HadoopPublisher.replace(
                    model.toString(),
                    new Configuration(),
                    staging -> {
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
    assertThrows(
        IllegalArgumentException.class,
        () ->
            HadoopPublisher.replace(
                model.toString(),
                new Configuration(),
                (fs, t) -> {
                  throw new IllegalArgumentException("not ours");
                },
                staging ->
                    Files.createDirectories(Path.of(java.net.URI.create(staging).getPath()))));
    assertEquals(List.of("model"), names(dir));
    assertEquals("mine", Files.readString(model.resolve("thesis.txt")));
  }

  @Test
  void aSiblingWhoseNameExtendsTheTargetsIsNotALeftover() throws IOException {
    Path other = dir.resolve("_replaced-model-old-" + ID.substring(4));
    Files.createDirectories(other);
    HadoopPublisher.recover(
        org.apache.hadoop.fs.FileSystem.getLocal(new Configuration()),
        new org.apache.hadoop.fs.Path(dir.resolve("model").toUri()));
    assertTrue(Files.exists(other));
    assertFalse(Files.exists(dir.resolve("model")));
  }

  static org.apache.hadoop.fs.Path hadoop(Path p) {
    return new org.apache.hadoop.fs.Path(p.toUri());
  }

  static io.sparkvae.model.publish.Publisher.Writer<org.apache.hadoop.fs.Path> content(
      String text) {
    return staging -> {
      Path d = Path.of(staging.toUri().getPath());
      Files.createDirectories(d);
      Files.writeString(d.resolve("weights"), text);
    };
  }

  @Test
  void replacesThroughTheCheckedLocalFileSystemAndLeavesNoSiblingNorChecksum() throws IOException {
    Path model = dir.resolve("model");
    HadoopPublisher.replace(
        model.toString(),
        new Configuration(),
        staging -> content("old").write(new org.apache.hadoop.fs.Path(staging)));
    HadoopPublisher.replace(
        model.toString(),
        new Configuration(),
        staging -> content("new").write(new org.apache.hadoop.fs.Path(staging)));
    assertEquals("new", Files.readString(model.resolve("weights")));
    assertEquals(List.of("model"), names(dir), "no staging, no replaced, no .crc left");
  }

  @Test
  void createRefusesAnExistingTargetAndWritesNothing() throws IOException {
    Path model = dir.resolve("export");
    Files.createDirectories(model);
    Files.writeString(model.resolve("weights"), "mine");
    boolean[] wrote = {false};
    java.nio.file.FileAlreadyExistsException e =
        assertThrows(
            java.nio.file.FileAlreadyExistsException.class,
            () ->
                HadoopPublisher.create(
                    model.toString(),
                    new Configuration(),
                    "export a model",
                    () -> new java.nio.file.FileAlreadyExistsException("taken"),
                    staging -> wrote[0] = true));
    assertEquals("taken", e.getMessage());
    assertFalse(wrote[0]);
    assertEquals(List.of("export"), names(dir));
    assertEquals("mine", Files.readString(model.resolve("weights")));
  }

  @Test
  void aModelSetAsideByAnEarlierReleasesLocalSaveIsFoundAndPutBack() throws IOException {
    Path aside = dir.resolve(".vae.old-1f2e");
    Files.createDirectories(aside);
    Files.writeString(aside.resolve("weights"), "old");
    Path tmp = dir.resolve(".vae.tmp-3c4d");
    Files.createDirectories(tmp);
    String readable = HadoopPublisher.readable(dir.resolve("vae").toString(), new Configuration());
    assertEquals(
        "old", Files.readString(Path.of(java.net.URI.create(readable)).resolve("weights")));
    HadoopPublisher.recover(FileSystem.getLocal(new Configuration()), hadoop(dir.resolve("vae")));
    assertEquals("old", Files.readString(dir.resolve("vae/weights")));
    assertEquals(
        List.of(".vae.tmp-3c4d", "vae"),
        names(dir),
        "an earlier release's temporary is not ours to judge");
  }

  @Test
  void foreignSiblingsAreNeverTouched() throws IOException {
    List<String> foreign =
        List.of(
            "_replaced-model-v1",
            "_staging-model",
            "_staging-modelx-" + ID,
            "_replaced-other-" + ID,
            ".model.old-notHex",
            "model-old",
            ".model.tmp");
    for (String f : foreign) {
      Files.createDirectories(dir.resolve(f));
      Files.writeString(dir.resolve(f).resolve("weights"), f);
    }
    io.sparkvae.model.publish.Publisher<org.apache.hadoop.fs.Path> p =
        HadoopPublisher.of(FileSystem.getLocal(new Configuration()));
    org.apache.hadoop.fs.Path model = hadoop(dir.resolve("model"));
    assertEquals(model, p.readable(model));
    p.publish(
        model,
        t -> {
          throw new IOException("exists");
        },
        content("new"));
    p.publish(model, io.sparkvae.model.publish.Publisher.Existing.replace(), content("newer"));
    HadoopPublisher.writeFile(
        FileSystem.getLocal(new Configuration()), hadoop(dir.resolve("other.txt")), new byte[] {1});
    for (String f : foreign) {
      assertEquals(f, Files.readString(dir.resolve(f).resolve("weights")), f);
    }
    assertEquals("newer", Files.readString(dir.resolve("model/weights")));
  }
}
