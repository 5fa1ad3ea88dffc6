package io.sparkvae.spark.jobs;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs of another kind than {@code --input-format} are named before Spark reads them, truncated
 * gzip IDX files are named on the driver, and a foreign message quoting binary bytes prints
 * cleanly.
 */
class InputFilesTest {
  private static final Configuration CONF = new Configuration();
  private static final byte[] PARQUET_HEAD = {
    'P', 'A', 'R', '1', 0x15, 0x04, 0x15, (byte) 0x90, 0x01, 0x00
  };

  @TempDir Path dir;

  @Test
  void aParquetFileAmongLibsvmFilesIsNamedWithTheOptionToChange() throws IOException {
    Files.writeString(dir.resolve("a.libsvm"), "0 1:0.5 3:0.25\n1 2:1.0\n");
    Files.write(dir.resolve("b.parquet"), PARQUET_HEAD);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> InputFiles.check(CONF, dir.toString(), InputFormat.LIBSVM));
    assertTrue(
        e.getMessage().contains("b.parquet is a Parquet file but --input-format is libsvm"),
        e.getMessage());
    assertTrue(e.getMessage().contains("use --input-format parquet"), e.getMessage());
    assertTrue(
        InputFiles.looksLikeText(e.getMessage().getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        "no bytes of the file in the message: " + e.getMessage());
  }

  @Test
  void binaryContentInACsvInputIsRefusedButCompressedFilesAndHiddenFilesAreLeftToSpark()
      throws IOException {
    Files.writeString(dir.resolve("part-0.csv"), "a,b\n1,2\n");
    Files.write(dir.resolve("part-1.csv.gz"), gzip("a,b\n3,4\n".getBytes()));
    Files.write(dir.resolve("_SUCCESS"), new byte[] {0, 1, 2});
    Files.write(dir.resolve(".part-0.csv.crc"), new byte[] {0, 1, 2});
    assertDoesNotThrow(() -> InputFiles.check(CONF, dir.toString(), InputFormat.CSV));

    Files.createDirectories(dir.resolve("day=1"));
    Files.write(dir.resolve("day=1").resolve("image.bin"), new byte[] {0, 0, 8, 3, 0, 0, 0, 1});
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> InputFiles.check(CONF, dir.toString(), InputFormat.CSV));
    assertTrue(
        e.getMessage().contains("image.bin is not a csv text file (binary content"),
        e.getMessage());
  }

  @Test
  void aTextFileInAParquetInputIsNamed() throws IOException {
    Files.write(dir.resolve("part-0.parquet"), PARQUET_HEAD);
    Files.writeString(dir.resolve("notes.txt"), "not parquet\n");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> InputFiles.check(CONF, dir.toString(), InputFormat.PARQUET));
    assertTrue(e.getMessage().contains("notes.txt is not a Parquet file"), e.getMessage());
    assertTrue(e.getMessage().contains("it looks like text"), e.getMessage());
    Files.delete(dir.resolve("notes.txt"));
    assertDoesNotThrow(() -> InputFiles.check(CONF, dir.toString(), InputFormat.PARQUET));
  }

  @Test
  void aTruncatedGzipIdxFileIsNamedOnTheDriver() throws IOException {
    byte[] idx = idx(300, 28 * 28);
    Path whole = dir.resolve("train-images-idx3-ubyte.gz");
    Files.write(whole, gzip(idx));
    assertEquals(
        300, IdxRelation.header(CONF, whole.toString()).count(), "the whole file is accepted");

    byte[] compressed = Files.readAllBytes(whole);
    Path cut = dir.resolve("cut-images-idx3-ubyte.gz");
    Files.write(cut, Arrays.copyOf(compressed, compressed.length / 2));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> IdxRelation.header(CONF, cut.toString()));
    assertTrue(
        e.getMessage().startsWith("input " + "file:" + cut)
            || e.getMessage().contains(cut.toString()),
        e.getMessage());
    assertTrue(e.getMessage().contains("truncated or corrupt gzip file"), e.getMessage());
    assertTrue(e.getMessage().contains("fetch it again"), e.getMessage());
  }

  @Test
  void anEmptyOrCutIdxFileIsNamedAsSuchNotAsANullMessage() throws IOException {
    Path empty = Files.createFile(dir.resolve("empty-idx3-ubyte"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> IdxRelation.header(CONF, empty.toString()));
    assertEquals(
        "input "
            + empty
            + " ends inside its IDX header (0 bytes): it is empty, truncated or not an IDX file;"
            + " fetch it again",
        e.getMessage());
    Path cut = Files.write(dir.resolve("cut-idx3-ubyte"), new byte[] {0, 0, 8, 3, 0, 0});
    e =
        assertThrows(
            IllegalArgumentException.class, () -> IdxRelation.header(CONF, cut.toString()));
    assertTrue(
        e.getMessage().startsWith("input " + cut + " ends inside its IDX header (6 bytes)"),
        e.getMessage());
  }

  @Test
  void aGzipFileOfTwoMembersIsAcceptedThoughItsTrailerHoldsTheLastMembersLength()
      throws IOException {
    byte[] idx = idx(50, 16);
    int half = idx.length / 2;
    ByteArrayOutputStream both = new ByteArrayOutputStream();
    both.write(gzip(Arrays.copyOfRange(idx, 0, half)));
    both.write(gzip(Arrays.copyOfRange(idx, half, idx.length)));
    Path f = dir.resolve("two-images-idx3-ubyte.gz");
    Files.write(f, both.toByteArray());
    assertEquals(50, IdxRelation.header(CONF, f.toString()).count());
  }

  @Test
  void aForeignMessageQuotingBinaryBytesPrintsAsText() {
    String parquetInMessage =
        "For input string: \"PAR1\u0015\u0004\uFFFD\uFFFD\u0001L\uFFFD\uFFFD   (\uFFFD/\uFFFD\"";
    assertEquals("For input string: \"PAR1?L?   (?/?\"", JobMain.printable(parquetInMessage));
    String longOne = "x".repeat(JobMain.MAX_MESSAGE_CHARS + 10);
    assertEquals(
        "x".repeat(JobMain.MAX_MESSAGE_CHARS) + "... (" + longOne.length() + " characters in all)",
        JobMain.printable(longOne));
    assertEquals("line one\n\tline two", JobMain.printable("line one\n\tline two"));
  }

  @Test
  void aRelativeIdxPathIsQualifiedOnTheDriverForTheExecutors() {
    // Executors resolve relative paths against their own working directory: they must get this one.
    String cwd = Path.of("").toAbsolutePath().toString();
    assertEquals(
        "file:" + cwd + "/data/mnist/x-idx3-ubyte",
        IdxRelation.qualified(CONF, "data/mnist/x-idx3-ubyte"));
    assertEquals("file:/abs/x", IdxRelation.qualified(CONF, "/abs/x"));
    assertEquals("file:/abs/x", IdxRelation.qualified(CONF, "file:/abs/x"));
  }

  private static byte[] idx(int count, int size) {
    ByteBuffer b = ByteBuffer.allocate(16 + count * size);
    b.putInt(0x00000803).putInt(count).putInt(1).putInt(size);
    for (int i = 0; i < count * size; i++) {
      b.put((byte) (i * 31));
    }
    return b.array();
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream z = new GZIPOutputStream(out)) {
      z.write(data);
    }
    return out.toByteArray();
  }
}
