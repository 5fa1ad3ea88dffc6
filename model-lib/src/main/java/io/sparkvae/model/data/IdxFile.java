package io.sparkvae.model.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * One file in the IDX format used by MNIST and Fashion-MNIST, read fully into memory.
 *
 * <p>The format is a big-endian header {@code 0x00 0x00 type ndims}, then {@code ndims} big-endian
 * int32 dimension sizes, then the data in row-major order. Only type {@code 0x08} (unsigned byte)
 * is supported, which is what every MNIST-family file uses. A file is read as gzip when its first
 * two bytes are the gzip magic {@code 0x1f 0x8b} (so {@code *.gz} files and compressed files under
 * any other name both work); otherwise it is read as a plain IDX file.
 *
 * <p>Every header field is checked before any memory is allocated from it: a damaged or hostile
 * file gives an {@link IOException} whose message names the file and the problem, never an {@link
 * OutOfMemoryError} or a hang. Instances are immutable.
 */
public final class IdxFile {

  /** IDX type code for unsigned bytes, the only one supported. */
  private static final int TYPE_UNSIGNED_BYTE = 0x08;

  /**
   * Largest decompressed data section accepted from a gzip file. The compressed size says nothing
   * about the decompressed one, so this is what stops a forged header or a gzip bomb from taking
   * all the heap; the largest real MNIST-family file is 47 MB.
   */
  private static final int GZIP_DATA_LIMIT = 1 << 30;

  /** First chunk allocated for gzip data; the buffer only grows as decompressed bytes arrive. */
  private static final int GZIP_INITIAL_CHUNK = 1 << 20;

  private final int[] dims;
  private final byte[] data;

  private IdxFile(int[] dims, byte[] data) {
    this.dims = dims;
    this.data = data;
  }

  /**
   * Reads an IDX file of unsigned bytes, plain or gzip-compressed.
   *
   * @param path the file to read; gzip is detected from its content, whatever its name
   * @return the dimensions and data of the file
   * @throws IOException if the file cannot be read, or is not a well-formed IDX file of unsigned
   *     bytes (too short for its header, bad magic, unsupported type code, a dimension that is not
   *     positive, dimensions whose product overflows {@code Integer.MAX_VALUE}, data shorter or
   *     longer than the header declares, corrupt gzip data, or more than 1 GiB of data in a gzip
   *     file); the message always names {@code path}
   */
  public static IdxFile read(Path path) throws IOException {
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
      boolean gzip = startsWithGzipMagic(raw);
      if (!gzip) {
        return parse(path, raw, false, Files.size(path));
      }
      try (InputStream in = openGzip(path, raw)) {
        return parse(path, in, true, -1L);
      }
    }
  }

  /**
   * The dimension sizes from the header: {@code dims()[0]} items, each of shape {@code
   * dims()[1..]}. For MNIST images this is {@code [count, 28, 28]}; for labels {@code [count]}.
   *
   * @return a copy of the dimension sizes, each positive, at least one of them
   */
  public int[] dims() {
    return dims.clone();
  }

  /**
   * The raw data, row-major, one unsigned byte per element (read each as {@code b & 0xFF}).
   *
   * <p>This is the backing array, not a copy (a training set is tens of megabytes): callers must
   * not modify it.
   *
   * @return the {@code count() * itemSize()} data bytes
   */
  public byte[] data() {
    return data;
  }

  /**
   * Number of items: the first dimension.
   *
   * @return {@code dims()[0]}
   */
  public int count() {
    return dims[0];
  }

  /**
   * Number of elements in one item: the product of all dimensions but the first (1 for a
   * one-dimensional file such as a labels file; 784 for 28x28 images).
   *
   * @return the product of {@code dims()[1..]}
   */
  public int itemSize() {
    int size = 1;
    for (int i = 1; i < dims.length; i++) {
      // cannot overflow: read() checked that the product of all dims fits in an int
      size *= dims[i];
    }
    return size;
  }

  /**
   * Describes the file's shape, for logs.
   *
   * @return for example {@code IdxFile[60000, 28, 28]}
   */
  @Override
  public String toString() {
    return "IdxFile" + Arrays.toString(dims);
  }

  private static boolean startsWithGzipMagic(InputStream in) throws IOException {
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    return b0 == 0x1f && b1 == 0x8b;
  }

  private static InputStream openGzip(Path path, InputStream raw) throws IOException {
    try {
      return new GZIPInputStream(raw, 1 << 16);
    } catch (IOException e) {
      throw corruptGzip(path, e);
    }
  }

  private static IOException readFailed(Path path, boolean gzip, IOException cause) {
    return gzip
        ? corruptGzip(path, cause)
        : new IOException(path + ": read failed: " + cause.getMessage(), cause);
  }

  private static IOException corruptGzip(Path path, IOException cause) {
    return new IOException(path + ": corrupt gzip data: " + cause.getMessage(), cause);
  }

  /**
   * Parses the header and data from {@code in}.
   *
   * @param fileSize the size of a plain file, used to check the declared size before allocating; -1
   *     for gzip, where the decompressed size is only known by reading
   */
  private static IdxFile parse(Path path, InputStream in, boolean gzip, long fileSize)
      throws IOException {
    String what = gzip ? "decompressed file" : "file";

    byte[] magic = readSome(path, in, gzip, 4);
    if (magic.length < 4) {
      throw new IOException(
          path
              + ": "
              + what
              + " too short for the IDX header: need 4 bytes, found "
              + magic.length);
    }
    if (magic[0] != 0 || magic[1] != 0) {
      String hint =
          !gzip && path.toString().endsWith(".gz")
              ? " (the name ends in .gz but the content is not gzip-compressed either)"
              : "";
      throw new IOException(
          String.format(
              "%s: bad IDX magic: first two bytes are 0x%02x 0x%02x, expected 0x00 0x00%s",
              path, magic[0] & 0xFF, magic[1] & 0xFF, hint));
    }
    int type = magic[2] & 0xFF;
    if (type != TYPE_UNSIGNED_BYTE) {
      throw new IOException(
          String.format(
              "%s: unsupported IDX data type code 0x%02x; only 0x08 (unsigned byte) is supported",
              path, type));
    }
    int ndims = magic[3] & 0xFF;
    if (ndims == 0) {
      throw new IOException(path + ": IDX header declares 0 dimensions; at least one is required");
    }

    int headerLength = 4 + 4 * ndims;
    byte[] dimBytes = readSome(path, in, gzip, 4 * ndims);
    if (dimBytes.length < 4 * ndims) {
      throw new IOException(
          path
              + ": "
              + what
              + " too short for the IDX header: need "
              + headerLength
              + " bytes for "
              + ndims
              + " dimensions, found "
              + (4 + dimBytes.length));
    }
    int[] dims = new int[ndims];
    long total = 1;
    for (int i = 0; i < ndims; i++) {
      int o = 4 * i;
      dims[i] =
          ((dimBytes[o] & 0xFF) << 24)
              | ((dimBytes[o + 1] & 0xFF) << 16)
              | ((dimBytes[o + 2] & 0xFF) << 8)
              | (dimBytes[o + 3] & 0xFF);
      if (dims[i] <= 0) {
        throw new IOException(
            path
                + ": IDX dimension "
                + i
                + " is "
                + dims[i]
                + "; every dimension must be positive");
      }
    }
    // A separate pass so that a non-positive dimension is reported as such even when an earlier
    // product already overflowed; the running product stays below 2^62, so it cannot wrap.
    for (int d : dims) {
      total *= d;
      if (total > Integer.MAX_VALUE) {
        throw new IOException(
            path
                + ": IDX dimensions "
                + Arrays.toString(dims)
                + " overflow: their product exceeds Integer.MAX_VALUE ("
                + Integer.MAX_VALUE
                + ")");
      }
    }
    int expected = (int) total;

    byte[] data;
    if (gzip) {
      if (expected > GZIP_DATA_LIMIT) {
        throw new IOException(
            path
                + ": IDX header declares "
                + expected
                + " bytes of data, more than the 1 GiB limit for gzip input");
      }
      data = readExactly(path, in, true, expected, Math.min(expected, GZIP_INITIAL_CHUNK));
    } else {
      long available = fileSize - headerLength;
      if (available < expected) {
        throw truncated(path, expected, available);
      }
      if (available > expected) {
        throw new IOException(
            path
                + ": trailing garbage: "
                + (available - expected)
                + " bytes after the expected "
                + expected
                + " bytes of data");
      }
      // The size check above makes this allocation safe; readExactly still re-checks in case the
      // file changed while it was being read.
      data = readExactly(path, in, false, expected, expected);
    }
    return new IdxFile(dims, data);
  }

  private static IOException truncated(Path path, long expected, long found) {
    return new IOException(
        path + ": data truncated: expected " + expected + " bytes of data, found " + found);
  }

  /** Reads up to {@code n} bytes (n is at most 1020 here), fewer only at end of stream. */
  private static byte[] readSome(Path path, InputStream in, boolean gzip, int n)
      throws IOException {
    try {
      return in.readNBytes(n);
    } catch (IOException e) {
      throw readFailed(path, gzip, e);
    }
  }

  /**
   * Reads exactly {@code expected} bytes and checks that nothing follows them. Memory grows with
   * the bytes actually read, starting at {@code initialCapacity}, so a header that lies about the
   * size costs no more than the data that is really there.
   */
  private static byte[] readExactly(
      Path path, InputStream in, boolean gzip, int expected, int initialCapacity)
      throws IOException {
    byte[] buf = new byte[initialCapacity];
    int n = 0;
    boolean trailing;
    try {
      while (n < expected) {
        if (n == buf.length) {
          buf = Arrays.copyOf(buf, (int) Math.min(expected, 2L * buf.length));
        }
        int r = in.read(buf, n, buf.length - n);
        if (r < 0) {
          break;
        }
        n += r;
      }
      // One byte past the end is enough to tell trailing garbage apart, without reading it all.
      trailing = n == expected && in.read() >= 0;
    } catch (IOException e) {
      throw readFailed(path, gzip, e);
    }
    if (n < expected) {
      throw truncated(path, expected, n);
    }
    if (trailing) {
      throw new IOException(
          path + ": trailing garbage: more than the expected " + expected + " bytes of data");
    }
    return buf;
  }
}
