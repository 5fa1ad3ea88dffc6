package io.sparkvae.spark.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.train.TrainingState;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {
  @TempDir Path dir;

  static final VaeConfig CONFIG =
      VaeConfig.builder().inputDim(6).encoderHidden(4).decoderHidden(4).latentDim(2).build();
  static final DistributedConfig DIST = DistributedConfig.builder().replicas(2).build();

  static float[] random(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian();
    }
    return a;
  }

  static TrainingProgress progress(int epoch) {
    int n = io.sparkvae.model.vae.ParamLayout.of(CONFIG).totalSize();
    TrainingState s =
        new TrainingState(
            random(n, epoch), random(n, epoch + 10), random(n, epoch + 20), 7L * epoch);
    EpochMetrics m = new EpochMetrics(epoch, 100.5, Double.NaN, 1000, 2, 0.5, 3, 600, 7L * epoch);
    return new TrainingProgress(epoch, 3L * epoch, s, random(n, epoch + 30), List.of(m), epoch - 1);
  }

  Checkpoints checkpoints(Map<String, String> identity) {
    return new Checkpoints(dir.toString(), new Configuration(), identity, 2);
  }

  @Test
  void roundTripIsExactAndOnlyTheNewestAreKept() throws IOException {
    Checkpoints ck = checkpoints(Checkpoints.identity(CONFIG, DIST, 2));
    for (int e = 1; e <= 3; e++) {
      ck.write(progress(e));
    }
    TrainingProgress back = ck.latest().orElseThrow();
    TrainingProgress expected = progress(3);
    assertEquals(3, back.epochsDone());
    assertEquals(9, back.rounds());
    assertArrayEquals(expected.state().params(), back.state().params());
    assertArrayEquals(expected.state().adamV(), back.state().adamV());
    assertArrayEquals(expected.velocity(), back.velocity());
    assertEquals(21, back.state().step());
    assertEquals(2, back.rollbacks(), "the learning rate's halvings so far");
    assertEquals(1, back.history().size());
    assertTrue(Double.isNaN(back.history().get(0).valNegElbo()));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(
          List.of("checkpoint-round-0000000006.svck", "checkpoint-round-0000000009.svck"),
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".svck"))
              .sorted()
              .toList(),
          "the newest 2 are kept");
    }
  }

  @Test
  void aCorruptNewestCheckpointIsSkipped() throws IOException {
    Checkpoints ck = checkpoints(Checkpoints.identity(CONFIG, DIST, 2));
    ck.write(progress(1));
    ck.write(progress(2));
    try (RandomAccessFile f =
        new RandomAccessFile(dir.resolve("checkpoint-round-0000000006.svck").toFile(), "rw")) {
      f.seek(f.length() / 2);
      int b = f.read();
      f.seek(f.length() / 2);
      f.write(b ^ 0x40);
    }
    assertEquals(
        1, ck.latest().orElseThrow().epochsDone(), "falls back to the previous checkpoint");
    Files.write(dir.resolve("checkpoint-round-0000000003.svck"), new byte[] {1, 2, 3});
    assertTrue(ck.latest().isEmpty(), "no intact checkpoint left");
  }

  @Test
  void aCheckpointOfOtherOptionsIsRefusedNamingThem() throws IOException {
    checkpoints(Checkpoints.identity(CONFIG, DIST, 2)).write(progress(1));
    VaeConfig other = CONFIG.toBuilder().learningRate(0.01).build();
    DistributedConfig otherDist = DIST.toBuilder().averagingSteps(7).build();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> checkpoints(Checkpoints.identity(other, otherDist, 2)).latest());
    assertTrue(
        e.getMessage().contains("learningRate (checkpoint 0.001, now 0.01)"), e.getMessage());
    assertTrue(e.getMessage().contains("averagingSteps (checkpoint 50, now 7)"), e.getMessage());
    // More epochs is not a different run, nor is another divergence policy (a run stopped by a
    // divergence may go on with rollbacks).
    DistributedConfig longer =
        DIST.toBuilder().epochs(30).divergencePolicy(OnDivergence.ROLLBACK).maxRollbacks(9).build();
    assertEquals(
        1,
        checkpoints(Checkpoints.identity(CONFIG, longer, 2)).latest().orElseThrow().epochsDone());
  }

  @Test
  void aFutureFormatVersionIsRejectedClearly() throws IOException {
    Checkpoints ck = checkpoints(Checkpoints.identity(CONFIG, DIST, 2));
    byte[] b = ck.encode(progress(1));
    b[11] = 3; // format version 3 (big-endian int after the magic)
    IOException e = assertThrows(IOException.class, () -> Checkpoints.decode(resealed(b), "x"));
    assertEquals("x has checkpoint format version 3; this SparkVAE reads 1 to 2", e.getMessage());
  }

  /** The file with its SHA-256 trailer recomputed over the (edited) rest. */
  static byte[] resealed(byte[] b) throws IOException {
    byte[] body = java.util.Arrays.copyOf(b, b.length - 32);
    try {
      byte[] sha = java.security.MessageDigest.getInstance("SHA-256").digest(body);
      byte[] out = java.util.Arrays.copyOf(body, b.length);
      System.arraycopy(sha, 0, out, body.length, 32);
      return out;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IOException(e);
    }
  }

  /**
   * A checkpoint in the middle of epoch 4: 50 of its minibatches done, with its statistics so far.
   */
  static TrainingProgress midEpoch() {
    TrainingProgress epoch3 = progress(3);
    return new TrainingProgress(
        3,
        50,
        10,
        epoch3.state().withParams(random(epoch3.state().params().length, 99)),
        epoch3.velocity(),
        epoch3.history(),
        new TrainingProgress.EpochSoFar(1234.5, 512, 0.75, 0.5, 1, 1.25, 0.125),
        2,
        List.of());
  }

  @Test
  void eachReplicasOwnAdamMomentsRoundTrip() throws IOException {
    Checkpoints ck = checkpoints(Checkpoints.identity(CONFIG, DIST, 2));
    int n = progress(1).state().params().length;
    List<ReplicaMoments> moments =
        List.of(
            new ReplicaMoments(0, random(n, 40), random(n, 41)),
            new ReplicaMoments(1, random(n, 42), random(n, 43)));
    ck.write(midEpoch().withReplicaMoments(moments));
    TrainingProgress back = ck.latest().orElseThrow();
    assertEquals(2, back.replicaMoments().size());
    for (int r = 0; r < 2; r++) {
      assertEquals(r, back.replicaMoments().get(r).partition());
      assertArrayEquals(moments.get(r).adamM(), back.replicaMoments().get(r).adamM());
      assertArrayEquals(moments.get(r).adamV(), back.replicaMoments().get(r).adamV());
    }
    assertArrayEquals(
        midEpoch().velocity(), back.velocity(), "the momentum buffer still comes first");
    assertArrayEquals(midEpoch().state().adamV(), back.state().adamV());
  }

  @Test
  void aCheckpointInTheMiddleOfAnEpochKeepsItsPositionAndStatistics() throws IOException {
    Checkpoints ck = checkpoints(Checkpoints.identity(CONFIG, DIST, 2));
    ck.write(progress(3));
    ck.write(midEpoch());
    TrainingProgress back = ck.latest().orElseThrow();
    assertEquals(3, back.epochsDone());
    assertEquals(50, back.stepInEpoch());
    assertEquals(10, back.rounds());
    assertEquals(
        new TrainingProgress.EpochSoFar(1234.5, 512, 0.75, 0.5, 1, 1.25, 0.125), back.epochSoFar());
    assertArrayEquals(midEpoch().state().params(), back.state().params());
    assertEquals("3 epochs and 50 minibatches of epoch 4 done", back.describe());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(
          List.of("checkpoint-round-0000000009.svck", "checkpoint-round-0000000010.svck"),
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".svck"))
              .sorted()
              .toList());
    }
  }

  @Test
  void aMidEpochCheckpointWithoutCpuTimesResumesWithThemUnknown() throws IOException {
    Checkpoints ck = checkpoints(Checkpoints.identity(CONFIG, DIST, 2));
    TrainingProgress mid = midEpoch();
    // NaN (a JVM that cannot measure them) is not written; a checkpoint of an older build has none.
    ck.write(
        new TrainingProgress(
            mid.epochsDone(),
            mid.stepInEpoch(),
            mid.rounds(),
            mid.state(),
            mid.velocity(),
            mid.history(),
            new TrainingProgress.EpochSoFar(1234.5, 512, 0.75, 0.5, 1, Double.NaN, Double.NaN),
            mid.rollbacks(),
            List.of()));
    TrainingProgress.EpochSoFar back = ck.latest().orElseThrow().epochSoFar();
    assertEquals(1234.5, back.lossSum());
    assertTrue(Double.isNaN(back.replicaCpuSeconds()), back.toString());
    assertTrue(Double.isNaN(back.driverJitSeconds()), back.toString());
  }

  /**
   * A file of format version 1 (epoch ends only): the version-2 encoding without the fields version
   * 2 added, under the old name.
   */
  static byte[] versionOne(Checkpoints ck, TrainingProgress p) throws IOException {
    byte[] b = ck.encode(p);
    int headerLength = java.nio.ByteBuffer.wrap(b, 12, 4).getInt();
    com.google.gson.JsonObject h =
        com.google.gson.JsonParser.parseString(
                new String(b, 16, headerLength, java.nio.charset.StandardCharsets.UTF_8))
            .getAsJsonObject();
    h.remove("stepInEpoch");
    h.remove("epochSoFar");
    byte[] header = h.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(b, 0, 8);
    out.write(java.nio.ByteBuffer.allocate(8).putInt(1).putInt(header.length).array());
    out.write(header);
    out.write(b, 16 + headerLength, b.length - 16 - headerLength);
    return resealed(out.toByteArray());
  }

  @Test
  void checkpointsOfFormatVersionOneAreReadAsEpochEndsAndCountAsOlder() throws IOException {
    Checkpoints ck = checkpoints(Checkpoints.identity(CONFIG, DIST, 2));
    Files.write(dir.resolve("checkpoint-epoch-000005.svck"), versionOne(ck, progress(5)));
    TrainingProgress back = ck.latest().orElseThrow();
    assertEquals(5, back.epochsDone());
    assertTrue(back.atEpochEnd());
    assertArrayEquals(progress(5).state().params(), back.state().params());
    ck.write(progress(2));
    assertEquals(
        2,
        ck.latest().orElseThrow().epochsDone(),
        "a version-2 file is newer than any of version 1");
  }

  @Test
  void fuzzedCheckpointsAreSkippedOrRefusedWithAnIoException() throws IOException {
    Checkpoints ck = checkpoints(Checkpoints.identity(CONFIG, DIST, 2));
    ck.write(progress(1));
    ck.write(progress(2));
    Path newest = dir.resolve("checkpoint-round-0000000006.svck");
    byte[] good = Files.readAllBytes(newest);
    SplittableRandom rnd = new SplittableRandom(20261201);
    int resealedRefused = 0;
    for (int i = 0; i < 1000; i++) {
      byte[] bad = mutate(good, rnd);
      // Every other mutation is resealed with a fresh checksum: intact as bytes, not as a
      // checkpoint, so that the parsing behind the checksum is fuzzed too.
      boolean resealed = i % 2 == 1 && bad.length >= 48;
      if (resealed) {
        byte[] digest = sha256(java.util.Arrays.copyOf(bad, bad.length - 32));
        System.arraycopy(digest, 0, bad, bad.length - 32, 32);
      }
      if (java.util.Arrays.equals(bad, good)) {
        continue;
      }
      String name = "mutation " + i;
      if (!resealed) {
        IOException e = assertThrows(IOException.class, () -> Checkpoints.decode(bad, name));
        assertTrue(e.getMessage().startsWith(name + " "), e.getMessage());
      } else {
        try {
          Checkpoints.decode(bad, name);
          continue; // a change the format cannot tell from a real checkpoint (a payload float, a
          // digit)
        } catch (IOException e) {
          // Anything else thrown (or a hang, or a crash) fails the test.
          assertTrue(e.getMessage().startsWith(name + " "), e.getMessage());
          resealedRefused++;
        }
      }
      Files.write(newest, bad);
      assertEquals(
          1,
          ck.latest().orElseThrow().epochsDone(),
          "the resume falls back to the older checkpoint: " + name);
    }
    assertTrue(
        resealedRefused > 100, "only " + resealedRefused + " resealed mutations reached a refusal");
  }

  private static byte[] mutate(byte[] good, SplittableRandom rnd) {
    byte[] b = good.clone();
    switch (rnd.nextInt(4)) {
      case 0 -> { // flip bits in a few bytes, in the header more often than not
        for (int k = 0, n = 1 + rnd.nextInt(3); k < n; k++) {
          int at =
              rnd.nextBoolean()
                  ? 8 + rnd.nextInt(Math.min(600, b.length - 8))
                  : rnd.nextInt(b.length);
          b[at] ^= (byte) (1 << rnd.nextInt(8));
        }
      }
      case 1 -> b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length)); // truncated
      case 2 -> { // bytes inserted
        int at = rnd.nextInt(b.length);
        byte[] ins = new byte[1 + rnd.nextInt(16)];
        for (int k = 0; k < ins.length; k++) {
          ins[k] = (byte) rnd.nextInt(256);
        }
        byte[] c = new byte[b.length + ins.length];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(ins, 0, c, at, ins.length);
        System.arraycopy(b, at, c, at + ins.length, b.length - at);
        b = c;
      }
      default -> { // a header character replaced by one that JSON cares about
        int at = 16 + rnd.nextInt(Math.min(400, b.length - 16));
        String json = "{}[]\":,019 -";
        b[at] = (byte) json.charAt(rnd.nextInt(json.length()));
      }
    }
    return b;
  }

  private static byte[] sha256(byte[] b) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(b);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
