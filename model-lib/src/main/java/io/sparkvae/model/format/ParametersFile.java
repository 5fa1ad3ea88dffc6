package io.sparkvae.model.format;

import static io.sparkvae.model.format.ModelFormat.PARAMETERS_BIN;

import java.io.BufferedOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The {@code parameters.bin} file of a model ({@link ModelFormat}):
 *
 * <pre>
 * offset  size     content
 * 0       8        magic, the ASCII bytes "SVAEPRM1"
 * 8       4        count N, int32 little-endian (equals parameters.count in model.json)
 * 12      4 * N    the parameters, IEEE-754 float32 little-endian, in ParamLayout order
 * </pre>
 *
 * Weights are row-major {@code [out, in]} as in PyTorch's {@code nn.Linear}, so the file can be
 * read with {@code numpy.fromfile(f, '<f4', offset=12)} and reshaped from the tensor list. The
 * floats go through {@link Float32Codec}, as a checkpoint's do; the SHA-256 of the whole file is
 * recorded in {@code model.json}. Reading never allocates from a size the file claims before the
 * bytes are there.
 */
final class ParametersFile {
  private static final byte[] MAGIC = "SVAEPRM1".getBytes(StandardCharsets.US_ASCII);
  private static final int HEADER_BYTES = MAGIC.length + Integer.BYTES;
  private static final int IO_CHUNK = 1 << 16;

  private ParametersFile() {}

  /**
   * Writes {@code params} as {@code parameters.bin} of {@code store}, feeding every byte to {@code
   * sha}.
   */
  static void write(ModelStore store, float[] params, MessageDigest sha) throws IOException {
    try (OutputStream out = new BufferedOutputStream(store.create(PARAMETERS_BIN), IO_CHUNK)) {
      byte[] header =
          ByteBuffer.allocate(HEADER_BYTES)
              .order(Float32Codec.ORDER)
              .put(MAGIC)
              .putInt(params.length)
              .array();
      Float32Codec.write(out, sha, header, params);
    }
  }

  /**
   * Reads {@code parameters.bin} of {@code store}, which must hold {@code count} floats and have
   * the SHA-256 {@code sha256} (lower-case hex).
   *
   * @param binPath how to name the file in messages
   */
  static float[] read(ModelStore store, String binPath, int count, String sha256)
      throws IOException {
    if (!store.exists(PARAMETERS_BIN)) {
      throw new FileNotFoundException(binPath + " does not exist (model.json refers to it)");
    }
    long expectedBytes = HEADER_BYTES + (long) Float.BYTES * count;
    long size = store.size(PARAMETERS_BIN);
    if (size >= 0 && size != expectedBytes) {
      throw sizeMismatch(binPath, expectedBytes, size);
    }
    MessageDigest sha = Float32Codec.sha256();
    float[] out;
    try (InputStream in = store.open(PARAMETERS_BIN)) {
      out = readFloats(in, binPath, count, size >= 0, expectedBytes, sha);
    } catch (InvalidModel e) {
      throw e;
    } catch (IOException e) {
      throw new IOException("cannot read " + binPath + ": " + e.getMessage(), e);
    }
    String actualSha = HexFormat.of().formatHex(sha.digest());
    if (!actualSha.equals(sha256)) {
      throw new InvalidModel(
          binPath
              + ": SHA-256 checksum mismatch: model.json records "
              + sha256
              + " but the file's is "
              + actualSha
              + "; the file is corrupted or belongs to another model");
    }
    return out;
  }

  private static float[] readFloats(
      InputStream in,
      String binPath,
      int count,
      boolean sizeChecked,
      long expectedBytes,
      MessageDigest sha)
      throws IOException {
    byte[] header = in.readNBytes(HEADER_BYTES);
    sha.update(header);
    if (header.length >= MAGIC.length
        && !Arrays.equals(header, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new InvalidModel(
          binPath
              + ": wrong magic number "
              + HexFormat.of().formatHex(header, 0, MAGIC.length)
              + ", expected \"SVAEPRM1\"; not a SparkVAE parameter file");
    }
    if (header.length < HEADER_BYTES) {
      throw sizeMismatch(binPath, expectedBytes, header.length);
    }
    ByteBuffer countBytes = ByteBuffer.wrap(header, MAGIC.length, Integer.BYTES);
    int headerCount = countBytes.order(Float32Codec.ORDER).getInt();
    if (headerCount != count) {
      throw new InvalidModel(
          binPath + ": header says " + headerCount + " parameters but model.json says " + count);
    }

    float[] out;
    try {
      out = Float32Codec.read(in, count, sizeChecked, sha);
    } catch (Float32Codec.ShortRead e) {
      throw sizeMismatch(binPath, expectedBytes, HEADER_BYTES + e.bytesRead());
    }
    byte[] chunk = new byte[IO_CHUNK];
    long trailing = 0;
    for (int got; (got = in.read(chunk)) > 0; ) {
      trailing += got;
    }
    if (trailing > 0) {
      throw sizeMismatch(binPath, expectedBytes, expectedBytes + trailing);
    }
    return out;
  }

  private static IOException sizeMismatch(String binPath, long expected, long actual) {
    return new InvalidModel(
        binPath
            + (actual < expected ? " is truncated" : " is too long")
            + ": expected "
            + expected
            + " bytes ("
            + HEADER_BYTES
            + "-byte header and "
            + (expected - HEADER_BYTES) / Float.BYTES
            + " float32 values), found "
            + actual
            + " bytes");
  }
}
