package io.sparkvae.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFileTest {

  @TempDir Path dir;

  /** A well-formed IDX file of unsigned bytes with the given dims and data. */
  static byte[] idx(int[] dims, byte[] data) {
    return idx(0x08, dims, data);
  }

  static byte[] idx(int type, int[] dims, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length); // big-endian by default
    b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
    for (int d : dims) {
      b.putInt(d);
    }
    b.put(data);
    return b.array();
  }

  static byte[] gzip(byte[] plain) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
        gz.write(plain);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] sequence(int n) {
    byte[] data = new byte[n];
    for (int i = 0; i < n; i++) {
      data[i] = (byte) (i * 7 + 3); // covers values above 127, which are negative as Java bytes
    }
    return data;
  }

  private Path write(String name, byte[] content) throws IOException {
    return Files.write(dir.resolve(name), content);
  }

  private IOException readFails(Path path) {
    IOException e = assertThrows(IOException.class, () -> IdxFile.read(path));
    assertTrue(
        e.getMessage().contains(path.toString()),
        "message should name the file: " + e.getMessage());
    return e;
  }

  private static void assertContains(String expected, String message) {
    assertTrue(
        message.contains(expected),
        "expected message to contain \"" + expected + "\" but was: " + message);
  }

  // ---- well-formed files ----

  @Test
  void readsPlainFileExactly() throws IOException {
    byte[] data = sequence(3 * 4 * 5);
    Path p = write("x-idx3-ubyte", idx(new int[] {3, 4, 5}, data));
    IdxFile f = IdxFile.read(p);
    assertArrayEquals(new int[] {3, 4, 5}, f.dims());
    assertArrayEquals(data, f.data());
    assertEquals(3, f.count());
    assertEquals(20, f.itemSize());
  }

  @Test
  void readsGzipBySuffix() throws IOException {
    byte[] data = sequence(6 * 2);
    Path p = write("x-idx2-ubyte.gz", gzip(idx(new int[] {6, 2}, data)));
    IdxFile f = IdxFile.read(p);
    assertArrayEquals(new int[] {6, 2}, f.dims());
    assertArrayEquals(data, f.data());
    assertEquals(6, f.count());
    assertEquals(2, f.itemSize());
  }

  @Test
  void readsGzipByMagicWithoutSuffix() throws IOException {
    byte[] data = sequence(4 * 28 * 28);
    Path p = write("images-idx3-ubyte", gzip(idx(new int[] {4, 28, 28}, data)));
    IdxFile f = IdxFile.read(p);
    assertArrayEquals(new int[] {4, 28, 28}, f.dims());
    assertArrayEquals(data, f.data());
    assertEquals(784, f.itemSize());
  }

  @Test
  void readsLargerGzipThatNeedsBufferGrowth() throws IOException {
    // more than the 1 MiB first chunk, so the growing read path is exercised
    byte[] data = sequence(3 * 1000 * 1000);
    Path p = write("big.gz", gzip(idx(new int[] {3, 1000, 1000}, data)));
    IdxFile f = IdxFile.read(p);
    assertArrayEquals(data, f.data());
  }

  @Test
  void oneDimensionalFileHasItemSizeOne() throws IOException {
    byte[] labels = {0, 9, 3, (byte) 255};
    IdxFile f = IdxFile.read(write("labels-idx1-ubyte", idx(new int[] {4}, labels)));
    assertArrayEquals(new int[] {4}, f.dims());
    assertEquals(4, f.count());
    assertEquals(1, f.itemSize());
    assertArrayEquals(labels, f.data());
  }

  @Test
  void dimsReturnsACopy() throws IOException {
    IdxFile f = IdxFile.read(write("a", idx(new int[] {2, 2}, sequence(4))));
    f.dims()[0] = 99;
    assertEquals(2, f.count());
  }

  // ---- malformed files: plain ----

  @Test
  void emptyFileIsTooShort() throws IOException {
    IOException e = readFails(write("empty", new byte[0]));
    assertContains("too short for the IDX header", e.getMessage());
    assertContains("need 4 bytes, found 0", e.getMessage());
  }

  @Test
  void truncatedDimensionsAreTooShort() throws IOException {
    byte[] full = idx(new int[] {2, 3, 4}, sequence(24));
    IOException e = readFails(write("short", Arrays.copyOf(full, 10)));
    assertContains("too short for the IDX header", e.getMessage());
    assertContains("need 16 bytes for 3 dimensions, found 10", e.getMessage());
  }

  @Test
  void badMagicIsRejected() throws IOException {
    byte[] b = idx(new int[] {2}, sequence(2));
    b[1] = 0x05;
    IOException e = readFails(write("magic", b));
    assertContains("bad IDX magic", e.getMessage());
    assertContains("0x00 0x05", e.getMessage());
  }

  @Test
  void plainFileNamedGzWithBadMagicSaysSo() throws IOException {
    IOException e = readFails(write("text.gz", "hello world".getBytes(StandardCharsets.US_ASCII)));
    assertContains("bad IDX magic", e.getMessage());
    assertContains("not gzip-compressed", e.getMessage());
  }

  @Test
  void unsupportedTypeNamesTheCode() throws IOException {
    IOException e = readFails(write("floats", idx(0x0D, new int[] {2}, new byte[8])));
    assertContains("unsupported IDX data type code 0x0d", e.getMessage());
    assertContains("only 0x08 (unsigned byte)", e.getMessage());
  }

  @Test
  void zeroDimensionCountIsRejected() throws IOException {
    IOException e = readFails(write("nodims", idx(new int[0], new byte[0])));
    assertContains("declares 0 dimensions", e.getMessage());
  }

  @Test
  void zeroDimensionIsRejected() throws IOException {
    IOException e = readFails(write("zero", idx(new int[] {3, 0}, new byte[0])));
    assertContains("IDX dimension 1 is 0", e.getMessage());
    assertContains("must be positive", e.getMessage());
  }

  @Test
  void negativeDimensionIsRejected() throws IOException {
    IOException e = readFails(write("neg", idx(new int[] {-5, 2}, new byte[0])));
    assertContains("IDX dimension 0 is -5", e.getMessage());
  }

  @Test
  void overflowingDimensionsAreRejected() throws IOException {
    IOException e = readFails(write("huge", idx(new int[] {65536, 65536}, new byte[0])));
    assertContains("overflow", e.getMessage());
    assertContains("exceeds Integer.MAX_VALUE", e.getMessage());
  }

  @Test
  void truncatedDataIsRejectedBeforeAllocating() throws IOException {
    // declares ~2 GB of data in a 26-byte file: must fail on the size check, not allocate
    IOException e = readFails(write("liar", idx(new int[] {2, (1 << 30) - 1}, sequence(10))));
    assertContains(
        "expected " + (2 * ((1 << 30) - 1)) + " bytes of data, found 10", e.getMessage());
  }

  @Test
  void truncatedDataCountsBytes() throws IOException {
    byte[] full = idx(new int[] {4, 5}, sequence(20));
    IOException e = readFails(write("trunc", Arrays.copyOf(full, full.length - 3)));
    assertContains("data truncated: expected 20 bytes of data, found 17", e.getMessage());
  }

  @Test
  void trailingGarbageIsRejected() throws IOException {
    byte[] full = idx(new int[] {4, 5}, sequence(20));
    IOException e = readFails(write("trail", Arrays.copyOf(full, full.length + 7)));
    assertContains("trailing garbage: 7 bytes after the expected 20 bytes of data", e.getMessage());
  }

  @Test
  void missingFileNamesThePath() {
    readFails(dir.resolve("does-not-exist"));
  }

  // ---- malformed files: gzip ----

  @Test
  void gzipTooShortForHeader() throws IOException {
    IOException e = readFails(write("short.gz", gzip(new byte[] {0, 0, 8})));
    assertContains(
        "decompressed file too short for the IDX header: need 4 bytes, found 3", e.getMessage());
  }

  @Test
  void gzipBadMagic() throws IOException {
    byte[] b = idx(new int[] {2}, sequence(2));
    b[0] = 0x42;
    IOException e = readFails(write("magic.gz", gzip(b)));
    assertContains("bad IDX magic: first two bytes are 0x42 0x00", e.getMessage());
  }

  @Test
  void gzipUnsupportedType() throws IOException {
    IOException e = readFails(write("t.gz", gzip(idx(0x0B, new int[] {1}, new byte[2]))));
    assertContains("unsupported IDX data type code 0x0b", e.getMessage());
  }

  @Test
  void gzipNonPositiveDimension() throws IOException {
    IOException e = readFails(write("z.gz", gzip(idx(new int[] {1, 0}, new byte[0]))));
    assertContains("IDX dimension 1 is 0", e.getMessage());
  }

  @Test
  void gzipOverflow() throws IOException {
    IOException e =
        readFails(write("o.gz", gzip(idx(new int[] {Integer.MAX_VALUE, 2}, new byte[0]))));
    assertContains("overflow", e.getMessage());
  }

  @Test
  void gzipTruncatedData() throws IOException {
    byte[] full = idx(new int[] {4, 5}, sequence(20));
    IOException e = readFails(write("t.gz", gzip(Arrays.copyOf(full, full.length - 5))));
    assertContains("expected 20 bytes of data, found 15", e.getMessage());
  }

  @Test
  void gzipHeaderClaimingHugeDataDoesNotAllocateIt() throws IOException {
    // 1 GiB claimed (the limit itself), 10 bytes present: must report truncation cheaply
    IOException e =
        readFails(write("liar.gz", gzip(idx(new int[] {1 << 10, 1 << 20}, sequence(10)))));
    assertContains("expected " + (1 << 30) + " bytes of data, found 10", e.getMessage());
  }

  @Test
  void gzipOverOneGibIsRejected() throws IOException {
    IOException e = readFails(write("big.gz", gzip(idx(new int[] {3, 1 << 29}, new byte[0]))));
    assertContains("more than the 1 GiB limit for gzip input", e.getMessage());
  }

  @Test
  void gzipTrailingGarbage() throws IOException {
    byte[] full = idx(new int[] {4, 5}, sequence(20));
    IOException e = readFails(write("g.gz", gzip(Arrays.copyOf(full, full.length + 1))));
    assertContains("trailing garbage", e.getMessage());
    assertContains("expected 20 bytes of data", e.getMessage());
  }

  @Test
  void corruptGzipStream() throws IOException {
    byte[] gz = gzip(idx(new int[] {4, 5}, sequence(20)));
    IOException e = readFails(write("cut.gz", Arrays.copyOf(gz, gz.length / 2)));
    assertContains("corrupt gzip data", e.getMessage());
  }

  // ---- fuzzing ----

  private static final int FUZZ_ROUNDS = 1500;

  @Test
  void fuzzedPlainFilesFailOnlyWithIoException() throws IOException {
    fuzz(new Random(20240601L), false);
  }

  @Test
  void fuzzedGzipFilesFailOnlyWithIoException() throws IOException {
    fuzz(new Random(20240602L), true);
  }

  /**
   * Mutates a small valid file in many ways and checks that each read succeeds or throws an
   * IOException naming the file. For gzip, half the rounds mutate the IDX content before
   * compression (reaching the header checks) and half mutate the compressed bytes (reaching the
   * gzip decoder).
   */
  private void fuzz(Random rnd, boolean gz) throws IOException {
    byte[] valid = idx(new int[] {5, 3, 4}, sequence(60));
    Path p = dir.resolve(gz ? "fuzz.gz" : "fuzz");
    int ok = 0;
    int failed = 0;
    for (int round = 0; round < FUZZ_ROUNDS; round++) {
      byte[] content;
      if (gz && rnd.nextBoolean()) {
        content = mutate(gzip(valid), rnd);
      } else {
        content = mutate(valid, rnd);
        if (gz) {
          content = gzip(content);
        }
      }
      Files.write(p, content);
      try {
        IdxFile f = IdxFile.read(p);
        assertEquals((long) f.count() * f.itemSize(), f.data().length, "round " + round);
        ok++;
      } catch (IOException e) {
        assertTrue(
            e.getMessage() != null && e.getMessage().contains(p.toString()),
            "round " + round + ": message should name the file: " + e.getMessage());
        failed++;
      } catch (Throwable t) {
        fail(
            "round "
                + round
                + ": expected success or IOException, got "
                + t
                + " for content "
                + Arrays.toString(Arrays.copyOf(content, Math.min(40, content.length))),
            t);
      }
    }
    assertEquals(FUZZ_ROUNDS, ok + failed);
    assertTrue(failed > FUZZ_ROUNDS / 2, "most mutations should be rejected, only " + failed);
    assertTrue(ok > 0, "some mutations (data-byte flips) should still read");
  }

  private static byte[] mutate(byte[] base, Random rnd) {
    byte[] b = base.clone();
    int kinds = 1 + rnd.nextInt(3);
    for (int k = 0; k < kinds; k++) {
      switch (rnd.nextInt(7)) {
        case 0:
          { // flip random bits in a few bytes
            int n = 1 + rnd.nextInt(4);
            for (int i = 0; i < n && b.length > 0; i++) {
              b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
            }
            break;
          }
        case 1: // truncate
          b = Arrays.copyOf(b, rnd.nextInt(b.length + 1));
          break;
        case 2:
          { // append garbage
            byte[] extra = new byte[1 + rnd.nextInt(20)];
            rnd.nextBytes(extra);
            int old = b.length;
            b = Arrays.copyOf(b, old + extra.length);
            System.arraycopy(extra, 0, b, old, extra.length);
            break;
          }
        case 3: // change the type code or dimension count
          if (b.length >= 4) {
            b[2 + rnd.nextInt(2)] = (byte) rnd.nextInt(256);
          }
          break;
        case 4: // set a dimension to an extreme or random value
          if (b.length >= 16) {
            int[] extremes = {
              0, -1, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, 1 << 30, 65536, rnd.nextInt()
            };
            ByteBuffer.wrap(b)
                .putInt(4 + 4 * rnd.nextInt(3), extremes[rnd.nextInt(extremes.length)]);
          }
          break;
        case 5: // change the magic bytes
          if (b.length >= 2) {
            b[rnd.nextInt(2)] = (byte) rnd.nextInt(256);
          }
          break;
        default: // overwrite a random byte with a random value
          if (b.length > 0) {
            b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
          }
          break;
      }
    }
    return b;
  }
}
