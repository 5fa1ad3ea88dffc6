package io.sparkvae.model.format;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The one binary form of float arrays in SparkVAE's files: IEEE-754 float32 values, little-endian,
 * back to back, checked with SHA-256. A model's {@code parameters.bin} ({@link ModelFormat}) and a
 * training checkpoint ({@code spark-job}'s {@code Checkpoints}) both store their arrays this way;
 * only their headers and where the checksum lives differ. No Java serialization, and a reader never
 * allocates from a count the bytes do not back.
 */
public final class Float32Codec {
  /** The byte order of every stored float. */
  public static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

  private static final int CHUNK = 1 << 16;

  private Float32Codec() {}

  /** Fewer bytes arrived than the count needed. */
  public static final class ShortRead extends IOException {
    private static final long serialVersionUID = 1L;
    private final long bytesRead;

    ShortRead(long bytesRead) {
      super("the stream ended after " + bytesRead + " bytes of float32 values");
      this.bytesRead = bytesRead;
    }

    /** How many bytes of values were there. */
    public long bytesRead() {
      return bytesRead;
    }
  }

  /**
   * Writes {@code header} then {@code values} to {@code out} in chunks, feeding every byte to
   * {@code sha} as well.
   */
  public static void write(OutputStream out, MessageDigest sha, byte[] header, float[] values)
      throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(Math.max(CHUNK, header.length)).order(ORDER);
    buf.put(header);
    for (float v : values) {
      if (buf.remaining() < Float.BYTES) {
        drain(buf, out, sha);
      }
      buf.putFloat(v);
    }
    drain(buf, out, sha);
  }

  private static void drain(ByteBuffer buf, OutputStream out, MessageDigest sha)
      throws IOException {
    sha.update(buf.array(), 0, buf.position());
    out.write(buf.array(), 0, buf.position());
    buf.clear();
  }

  /**
   * Reads {@code count} values from {@code in}, feeding every byte to {@code sha}.
   *
   * @param sizeKnown whether the caller has checked that the stream holds them all; if not, the
   *     array grows only as bytes arrive, so a count that the file does not back cannot make us
   *     allocate gigabytes
   * @throws ShortRead when the stream ends first
   */
  public static float[] read(InputStream in, int count, boolean sizeKnown, MessageDigest sha)
      throws IOException {
    float[] out = new float[sizeKnown ? count : Math.min(count, CHUNK)];
    byte[] chunk = new byte[CHUNK];
    ByteBuffer chunkBuf = ByteBuffer.wrap(chunk).order(ORDER);
    int filled = 0;
    while (filled < count) {
      int want = (int) Math.min(chunk.length, (long) Float.BYTES * (count - filled));
      int got = in.readNBytes(chunk, 0, want);
      if (got < want) {
        throw new ShortRead((long) Float.BYTES * filled + got);
      }
      sha.update(chunk, 0, got);
      int floats = got / Float.BYTES;
      if (filled + floats > out.length) {
        long grown = Math.max(2L * out.length, filled + floats);
        out = Arrays.copyOf(out, (int) Math.min(count, grown));
      }
      chunkBuf.clear();
      chunkBuf.asFloatBuffer().get(out, filled, floats);
      filled += floats;
    }
    return out;
  }

  /**
   * Arrays of {@code n} values each, back to back, in one byte array.
   *
   * @throws IllegalArgumentException when an array does not have {@code n} values
   */
  public static byte[] encode(List<float[]> arrays, int n) {
    ByteBuffer bytes =
        ByteBuffer.allocate(Math.multiplyExact(arrays.size(), Math.multiplyExact(n, Float.BYTES)))
            .order(ORDER);
    FloatBuffer fb = bytes.asFloatBuffer();
    for (float[] a : arrays) {
      if (a.length != n) {
        throw new IllegalArgumentException(
            "float arrays stored together must all have " + n + " values, got " + a.length);
      }
      fb.put(a);
    }
    return bytes.array();
  }

  /** {@code arrays} arrays of {@code n} values each from {@code b}, starting at {@code offset}. */
  public static float[][] decode(byte[] b, int offset, int arrays, int n) {
    FloatBuffer f =
        ByteBuffer.wrap(b, offset, Math.multiplyExact(arrays, Math.multiplyExact(n, Float.BYTES)))
            .order(ORDER)
            .asFloatBuffer();
    float[][] a = new float[arrays][n];
    for (float[] x : a) {
      f.get(x);
    }
    return a;
  }

  /** A new SHA-256 digest. */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }

  /** The SHA-256 of bytes. */
  public static byte[] sha256(byte[] b) {
    return sha256().digest(b);
  }

  /** The SHA-256 of bytes in lower-case hex. */
  public static String sha256Hex(byte[] b) {
    return HexFormat.of().formatHex(sha256(b));
  }
}
