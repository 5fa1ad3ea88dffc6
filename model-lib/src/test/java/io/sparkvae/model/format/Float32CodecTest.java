package io.sparkvae.model.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The shared float32 codec: one byte form, streamed or whole, and short streams refused. */
class Float32CodecTest {
  private static float[] values(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-30, 30)));
    }
    v[0] = -0.0f;
    v[1] = Float.MIN_VALUE;
    return v;
  }

  @Test
  void streamedAndWholeFormsAreTheSameLittleEndianBytes() throws Exception {
    // More than one 64 KiB chunk, not a multiple of it.
    float[] v = values(40_001, 1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MessageDigest sha = Float32Codec.sha256();
    byte[] header = {1, 2, 3};
    Float32Codec.write(out, sha, header, v);
    byte[] streamed = out.toByteArray();
    ByteBuffer expected =
        ByteBuffer.allocate(3 + 4 * v.length).order(ByteOrder.LITTLE_ENDIAN).put(header);
    for (float x : v) {
      expected.putFloat(x);
    }
    assertArrayEquals(expected.array(), streamed);
    assertArrayEquals(Float32Codec.sha256(streamed), sha.digest());
    assertArrayEquals(
        Arrays.copyOfRange(streamed, 3, streamed.length),
        Float32Codec.encode(List.of(v), v.length));

    for (boolean sizeKnown : new boolean[] {true, false}) {
      MessageDigest readSha = Float32Codec.sha256();
      float[] back =
          Float32Codec.read(
              new ByteArrayInputStream(streamed, 3, streamed.length - 3),
              v.length,
              sizeKnown,
              readSha);
      assertArrayEquals(v, back);
      assertArrayEquals(
          Float32Codec.sha256(Arrays.copyOfRange(streamed, 3, streamed.length)), readSha.digest());
    }
  }

  @Test
  void severalArraysRoundTripAtAnOffset() {
    float[] a = values(5, 2);
    float[] b = values(5, 3);
    byte[] enc = Float32Codec.encode(List.of(a, b), 5);
    byte[] withPrefix = new byte[7 + enc.length];
    System.arraycopy(enc, 0, withPrefix, 7, enc.length);
    float[][] back = Float32Codec.decode(withPrefix, 7, 2, 5);
    assertArrayEquals(a, back[0]);
    assertArrayEquals(b, back[1]);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Float32Codec.encode(List.of(a, new float[4]), 5));
    assertEquals("float arrays stored together must all have 5 values, got 4", e.getMessage());
  }

  @Test
  void aShortStreamSaysHowManyBytesItHad() {
    byte[] ten = new byte[10];
    Float32Codec.ShortRead e =
        assertThrows(
            Float32Codec.ShortRead.class,
            () ->
                Float32Codec.read(
                    new ByteArrayInputStream(ten), 1_000_000, false, Float32Codec.sha256()));
    assertEquals(10, e.bytesRead());
  }
}
