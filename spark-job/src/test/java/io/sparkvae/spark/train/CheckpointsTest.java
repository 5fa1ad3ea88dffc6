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

  static final VaeConfig CONFIG = VaeConfig.builder().inputDim(6).encoderHidden(4).decoderHidden(4).latentDim(2).build();
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
    TrainingState s = new TrainingState(random(n, epoch), random(n, epoch + 10), random(n, epoch + 20), 7L * epoch);
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
      assertEquals(List.of("checkpoint-epoch-000002.svck", "checkpoint-epoch-000003.svck"),
          files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".svck")).sorted().toList(),
          "the newest 2 are kept");
    }
  }

  @Test
  void aCorruptNewestCheckpointIsSkipped() throws IOException {
    Checkpoints ck = checkpoints(Checkpoints.identity(CONFIG, DIST, 2));
    ck.write(progress(1));
    ck.write(progress(2));
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve("checkpoint-epoch-000002.svck").toFile(), "rw")) {
      f.seek(f.length() / 2);
      int b = f.read();
      f.seek(f.length() / 2);
      f.write(b ^ 0x40);
    }
    assertEquals(1, ck.latest().orElseThrow().epochsDone(), "falls back to the previous checkpoint");
    Files.write(dir.resolve("checkpoint-epoch-000001.svck"), new byte[] {1, 2, 3});
    assertTrue(ck.latest().isEmpty(), "no intact checkpoint left");
  }

  @Test
  void aCheckpointOfOtherOptionsIsRefusedNamingThem() throws IOException {
    checkpoints(Checkpoints.identity(CONFIG, DIST, 2)).write(progress(1));
    VaeConfig other = CONFIG.toBuilder().learningRate(0.01).build();
    DistributedConfig otherDist = DIST.toBuilder().averagingSteps(7).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> checkpoints(Checkpoints.identity(other, otherDist, 2)).latest());
    assertTrue(e.getMessage().contains("learningRate (checkpoint 0.001, now 0.01)"), e.getMessage());
    assertTrue(e.getMessage().contains("averagingSteps (checkpoint 50, now 7)"), e.getMessage());
    // More epochs is not a different run, nor is another divergence policy (a run stopped by a
    // divergence may go on with rollbacks).
    DistributedConfig longer = DIST.toBuilder().epochs(30).divergencePolicy("rollback").maxRollbacks(9).build();
    assertEquals(1, checkpoints(Checkpoints.identity(CONFIG, longer, 2)).latest().orElseThrow().epochsDone());
  }

  @Test
  void aFutureFormatVersionIsRejectedClearly() throws IOException {
    Checkpoints ck = checkpoints(Checkpoints.identity(CONFIG, DIST, 2));
    byte[] b = ck.encode(progress(1));
    b[11] = 2; // format version 2 (big-endian int after the magic)
    IOException e = assertThrows(IOException.class, () -> Checkpoints.decode(b, "x"));
    assertTrue(e.getMessage().contains("checksum") || e.getMessage().contains("version 2"), e.getMessage());
  }
}
