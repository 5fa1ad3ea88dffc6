package io.sparkvae.spark.train;

import static io.sparkvae.spark.train.TrainingListener.progressTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.sparkvae.model.averaging.OuterOptimizerKind;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.train.LocalTrainer;
import io.sparkvae.model.train.Seeds;
import io.sparkvae.model.train.ShuffledBatches;
import io.sparkvae.model.train.TrainingState;
import io.sparkvae.model.vae.ParamInit;
import io.sparkvae.model.vae.ParamLayout;
import io.sparkvae.spark.SparkTestSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DistributedTrainerTest {
  static final int DIM = 12;
  static final VaeConfig SMALL =
      VaeConfig.builder()
          .inputDim(DIM)
          .encoderHidden(10)
          .decoderHidden(10)
          .latentDim(3)
          .batchSize(8)
          .learningRate(5e-3)
          .seed(3)
          .build();
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("DistributedTrainerTest");
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  static float[] rows(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * DIM];
    for (int i = 0; i < n; i++) {
      int cluster = r.nextInt(3);
      for (int j = 0; j < DIM; j++) {
        x[i * DIM + j] = (j % 3 == cluster) ? 0.9f : (float) (0.1 * r.nextDouble());
      }
    }
    return x;
  }

  static Dataset<Row> frame(float[] x, int partitions) {
    List<Row> list = new ArrayList<>();
    for (int i = 0; i < x.length / DIM; i++) {
      double[] v = new double[DIM];
      for (int j = 0; j < DIM; j++) {
        v[j] = x[i * DIM + j];
      }
      list.add(RowFactory.create(i, Vectors.dense(v)));
    }
    StructType schema =
        new StructType().add("id", DataTypes.IntegerType).add("features", new VectorUDT());
    return spark.createDataFrame(list, schema).repartition(partitions);
  }

  static TrainingState initial() {
    return TrainingState.initial(ParamInit.initialize(ParamLayout.of(SMALL), SMALL.seed()));
  }

  @Test
  void oneReplicaAveragingEveryStepEqualsTheLocalTrainerBitForBit() {
    int n = 37; // 5 batches of 8 per epoch, the last of 5 rows
    float[] x = rows(n, 1);
    DistributedConfig dist =
        DistributedConfig.builder()
            .replicas(1)
            .averagingSteps(1)
            .epochs(2)
            .outerOptimizer(OuterOptimizerKind.NONE)
            .build();
    TrainingResult result =
        new DistributedTrainer(SMALL, dist, "features").fit(TrainingRequest.of(frame(x, 1)));

    // The reference: the single-process trainer, fed the same shard order and the same noise
    // streams (one per round), with a snapshot and reload between steps.
    float[] shard = packedAsSpark(frame(x, 1));
    TrainingState state = initial();
    ShuffledBatches batches =
        new ShuffledBatches(
            shard, n, DIM, 8, Seeds.derive(SMALL.seed(), ReplicaRunner.SHUFFLE_STREAM, 0));
    for (long round = 0; round < 10; round++) {
      try (LocalTrainer t = new LocalTrainer(SMALL, state, Device.cpu())) {
        t.train(
            batches,
            1,
            new SplittableRandom(Seeds.derive(SMALL.seed(), ReplicaRunner.NOISE_STREAM, round, 0)));
        state = t.snapshot();
      }
    }
    assertArrayEquals(state.params(), result.state().params());
    assertArrayEquals(state.adamM(), result.state().adamM());
    assertArrayEquals(state.adamV(), result.state().adamV());
    assertEquals(10, result.state().step(), "Adam steps = rounds x averagingSteps");
  }

  /** The rows of a one-partition frame in the order Spark packs them. */
  static float[] packedAsSpark(Dataset<Row> df) {
    List<Row> collected = DistributedTrainer.shardFrame(df, "features", 1).collectAsList();
    float[] out = new float[collected.size() * DIM];
    for (int i = 0; i < collected.size(); i++) {
      FeatureColumn.copy(collected.get(i).get(0), out, i * DIM);
    }
    return out;
  }

  @Test
  void twoReplicasAveragedOnceEqualTheMeanOfTheTwoRunAlone() {
    // scaleOut=off: each replica takes batchSize examples per step at the configured rate.
    DistributedConfig dist =
        DistributedConfig.builder()
            .replicas(2)
            .averagingSteps(3)
            .epochs(1)
            .outerOptimizer(OuterOptimizerKind.NONE)
            .scaleOut(ScaleOut.OFF)
            .build();
    assertAveragedOnceIsTheMeanOfTheReplicasAlone(48, SMALL, dist, SMALL);
  }

  @Test
  void withScaleOutTwoReplicasShareTheMinibatchAndStillAverageToTheMeanOfTheTwoRunAlone() {
    // scaleOut=auto (the default): batchSize 64 shared by 2 replicas, 32 each, the rate unscaled.
    VaeConfig big = SMALL.toBuilder().batchSize(64).build();
    DistributedConfig dist =
        DistributedConfig.builder()
            .replicas(2)
            .averagingSteps(3)
            .epochs(1)
            .outerOptimizer(OuterOptimizerKind.NONE)
            .build();
    assertAveragedOnceIsTheMeanOfTheReplicasAlone(
        192, big, dist, big.toBuilder().batchSize(32).build());
  }

  private static void assertAveragedOnceIsTheMeanOfTheReplicasAlone(
      int n, VaeConfig config, DistributedConfig dist, VaeConfig perReplica) {
    float[] x = rows(n, 2);
    Dataset<Row> df = frame(x, 2);
    TrainingResult result =
        new DistributedTrainer(config, dist, "features").fit(TrainingRequest.of(df));
    assertEquals(3, result.state().step());

    // Each replica alone, on exactly the shard Spark gave it.
    List<PackedShard> shards =
        DistributedTrainer.shardFrame(df, "features", 2)
            .javaRDD()
            .mapPartitions(it -> List.of(new FeatureColumn("features").pack(it, DIM)).iterator())
            .collect();
    TrainingState[] alone = new TrainingState[2];
    for (int p = 0; p < 2; p++) {
      RoundInput in = new RoundInput("alone", perReplica, initial(), 0, 0, 0, 3, false, null);
      alone[p] = ReplicaRunner.run(in, p, shards.get(p)).state();
    }
    assertEquals(n, shards.get(0).rows() + shards.get(1).rows());
    float[] expected = new float[alone[0].params().length];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = (float) (((double) alone[0].params()[i] + alone[1].params()[i]) / 2);
    }
    assertArrayEquals(expected, result.state().params());
  }

  @Test
  void sameSeedSameParametersAndEveryExampleOncePerEpoch() {
    int n = 101; // shards of 51 and 50: neither divides by the batch size 8
    float[] x = rows(n, 3);
    DistributedConfig dist =
        DistributedConfig.builder()
            .replicas(2)
            .averagingSteps(2)
            .epochs(3)
            .outerOptimizer(OuterOptimizerKind.NONE)
            .build();
    TrainingResult a =
        new DistributedTrainer(SMALL, dist, "features").fit(TrainingRequest.of(frame(x, 3)));
    TrainingResult b =
        new DistributedTrainer(SMALL, dist, "features").fit(TrainingRequest.of(frame(x, 3)));
    assertArrayEquals(a.state().params(), b.state().params());
    for (EpochMetrics m : a.history()) {
      assertEquals(n, m.examples(), "examples used in epoch " + m.epoch());
      assertEquals(4, m.rounds(), "7 minibatches per epoch in rounds of 2");
    }
    assertEquals(3 * 7, a.state().step());
    DistributedConfig other = dist.toBuilder().outerOptimizer(OuterOptimizerKind.NESTEROV).build();
    TrainingResult c =
        new DistributedTrainer(SMALL, other, "features").fit(TrainingRequest.of(frame(x, 3)));
    assertFalse(
        Arrays.equals(a.state().params(), c.state().params()), "outer momentum changes the run");
  }

  @Test
  void aRunResumedFromAnEpochCheckpointEndsWithTheUninterruptedParameters() {
    float[] x = rows(90, 6);
    DistributedConfig three =
        DistributedConfig.builder().replicas(2).averagingSteps(2).epochs(3).build();
    TrainingResult whole =
        new DistributedTrainer(SMALL, three, "features").fit(TrainingRequest.of(frame(x, 2)));
    List<TrainingProgress> saved = new ArrayList<>();
    DistributedConfig one = three.toBuilder().epochs(1).build();
    new DistributedTrainer(SMALL, one, "features")
        .fit(
            TrainingRequest.of(frame(x, 2))
                .from(new TrainingProgress(0, 0, initial(), null, List.of()))
                .listener(
                    progressTo(
                        p -> {
                          if (p.atEpochEnd()) {
                            saved.add(p);
                          }
                        }))
                .progressEvery(1));
    assertEquals(1, saved.size());
    assertTrue(saved.get(0).velocity() != null, "the outer momentum is part of the progress");
    TrainingResult resumed =
        new DistributedTrainer(SMALL, three, "features")
            .fit(TrainingRequest.of(frame(x, 2)).from(saved.get(0)));
    assertArrayEquals(whole.state().params(), resumed.state().params());
    assertArrayEquals(whole.state().adamV(), resumed.state().adamV());
    assertEquals(3, resumed.history().size());
  }

  @Test
  void runsResumedFromEveryRoundOfAnEpochEndWithTheUninterruptedParametersAndMetrics() {
    float[] x = rows(90, 6);
    DistributedConfig three =
        DistributedConfig.builder().replicas(2).averagingSteps(2).epochs(3).build();
    List<TrainingProgress> saved = new ArrayList<>();
    TrainingResult whole =
        new DistributedTrainer(SMALL, three, "features")
            .fit(
                TrainingRequest.of(frame(x, 2))
                    .from(new TrainingProgress(0, 0, initial(), null, List.of()))
                    .listener(progressTo(saved::add))
                    .progressEvery(1));
    List<TrainingProgress> midEpoch2 =
        saved.stream().filter(p -> !p.atEpochEnd() && p.epochsDone() == 1).toList();
    assertEquals(2, midEpoch2.size(), "a progress after each round of epoch 2 but its last");
    assertEquals(List.of(2, 4), midEpoch2.stream().map(TrainingProgress::stepInEpoch).toList());
    // 45 rows per shard in minibatches of 8: 6 per epoch, 3 rounds of 2; after each of the first
    // two rounds a progress in the middle, after the third the epoch's end.
    assertEquals(9, saved.size());
    assertEquals(3, whole.history().get(0).rounds());
    for (TrainingProgress p : midEpoch2) {
      TrainingResult resumed =
          new DistributedTrainer(SMALL, three, "features")
              .fit(TrainingRequest.of(frame(x, 2)).from(p));
      assertArrayEquals(
          whole.state().params(), resumed.state().params(), "resumed from " + p.describe());
      assertArrayEquals(whole.state().adamM(), resumed.state().adamM());
      for (int e = 0; e < 3; e++) {
        EpochMetrics a = whole.history().get(e);
        EpochMetrics b = resumed.history().get(e);
        assertEquals(
            a.trainNegElbo(),
            b.trainNegElbo(),
            1e-9 * Math.abs(a.trainNegElbo()),
            "epoch " + (e + 1));
        assertEquals(a.examples(), b.examples());
        assertEquals(a.rounds(), b.rounds());
        assertEquals(a.round(), b.round());
        assertEquals(a.step(), b.step());
      }
    }
  }

  @Test
  void withLocalAdamStateAResumedRunContinuesEachReplicasOwnMoments() {
    float[] x = rows(90, 6);
    DistributedConfig local =
        DistributedConfig.builder()
            .replicas(2)
            .averagingSteps(2)
            .epochs(3)
            .adamState(AdamState.LOCAL)
            .build();
    List<TrainingProgress> saved = new ArrayList<>();
    TrainingResult whole =
        new DistributedTrainer(SMALL, local, "features")
            .fit(
                TrainingRequest.of(frame(x, 2))
                    .from(new TrainingProgress(0, 0, initial(), null, List.of()))
                    .listener(progressTo(saved::add))
                    .progressEvery(1));
    // The last progress of epoch 1 (its end) and a mid-epoch one of epoch 2.
    List<TrainingProgress> picks = List.of(saved.get(2), saved.get(4));
    assertTrue(picks.get(0).atEpochEnd() && !picks.get(1).atEpochEnd());
    for (TrainingProgress p : picks) {
      assertEquals(2, p.replicaMoments().size(), "both replicas' moments in " + p.describe());
      assertFalse(
          Arrays.equals(p.replicaMoments().get(0).adamV(), p.replicaMoments().get(1).adamV()),
          "each replica has its own moments");
      TrainingResult resumed =
          new DistributedTrainer(SMALL, local, "features")
              .fit(TrainingRequest.of(frame(x, 2)).from(p));
      assertArrayEquals(
          whole.state().params(), resumed.state().params(), "resumed from " + p.describe());
      // Without the replicas' moments the resumed run restarts them, and ends elsewhere.
      TrainingProgress without = p.withReplicaMoments(List.of());
      TrainingResult restarted =
          new DistributedTrainer(SMALL, local, "features")
              .fit(TrainingRequest.of(frame(x, 2)).from(without));
      assertFalse(
          Arrays.equals(whole.state().params(), restarted.state().params()), "the moments matter");
    }
  }

  @Test
  void everyEpochSaysHowMuchOfTheCoresTheReplicasStepsUsedAndWhatTheJitTook() {
    float[] x = rows(400, 7);
    DistributedConfig dist =
        DistributedConfig.builder().replicas(2).averagingSteps(5).epochs(2).build();
    TrainingResult r =
        new DistributedTrainer(SMALL, dist, "features").fit(TrainingRequest.of(frame(x, 2)));
    for (EpochMetrics m : r.history()) {
      assertEquals(2, m.taskCores(), "local[2], one core per task");
      // Two replicas stepping: positive CPU time, and no more than the epoch's core-seconds.
      assertTrue(m.replicaCpuSeconds() > 0, m.toString());
      assertTrue(m.replicaCpuSeconds() <= m.seconds() * m.taskCores() + 0.02, m.toString());
      assertTrue(m.driverJitSeconds() >= 0, m.toString());
      // Local mode: the replicas compile in the driver's JVM, counted above, not as executors'.
      assertTrue(Double.isNaN(m.executorJitSeconds()), m.toString());
      EpochMetrics back =
          EpochMetrics.fromJson(
              com.google.gson.JsonParser.parseString(m.toJson()).getAsJsonObject());
      assertEquals(m.taskCores(), back.taskCores());
      assertEquals(m.replicaCpuSeconds(), back.replicaCpuSeconds(), 1e-5 * m.replicaCpuSeconds());
      assertEquals(
          m.driverJitSeconds(), back.driverJitSeconds(), 1e-5 + 1e-5 * m.driverJitSeconds());
      assertTrue(EpochLoop.coreUse(m).contains("core-seconds"), EpochLoop.coreUse(m));
    }
    // A metrics line written before these fields existed reads them as unknown.
    String old =
        r.history()
            .get(0)
            .toJson()
            .replaceAll(
                ",\"(replica_cpu_seconds|driver_jit_seconds|executor_jit_seconds|task_cores)\":[^,}]*",
                "");
    EpochMetrics unknown =
        EpochMetrics.fromJson(com.google.gson.JsonParser.parseString(old).getAsJsonObject());
    assertTrue(
        Double.isNaN(unknown.replicaCpuSeconds()) && Double.isNaN(unknown.driverJitSeconds()));
    assertEquals(-1, unknown.taskCores());
    assertEquals("", EpochLoop.coreUse(unknown));
  }

  @Test
  void localAdamStateAndValidationWork() {
    float[] x = rows(200, 4);
    DistributedConfig dist =
        DistributedConfig.builder()
            .replicas(2)
            .averagingSteps(4)
            .epochs(4)
            .adamState(AdamState.LOCAL)
            .outerOptimizer(OuterOptimizerKind.NONE)
            .validationFraction(0.25)
            .build();
    VaeConfig slow = SMALL.toBuilder().learningRate(1e-3).build();
    TrainingResult r =
        new DistributedTrainer(slow, dist, "features").fit(TrainingRequest.of(frame(x, 2)));
    double first = r.history().get(0).valNegElbo();
    double last = r.history().get(3).valNegElbo();
    assertTrue(Double.isFinite(first) && last < first, "validation -ELBO " + first + " -> " + last);
  }

  @Test
  void badFeaturesAreReportedByColumn() {
    DistributedConfig dist = DistributedConfig.builder().replicas(2).epochs(1).build();
    Dataset<Row> df = frame(rows(10, 5), 2);
    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class,
            () -> new DistributedTrainer(SMALL, dist, "pixels").fit(TrainingRequest.of(df)));
    assertTrue(
        missing.getMessage().contains("features column 'pixels' does not exist"),
        missing.getMessage());
    IllegalArgumentException type =
        assertThrows(
            IllegalArgumentException.class,
            () -> new DistributedTrainer(SMALL, dist, "id").fit(TrainingRequest.of(df)));
    assertTrue(type.getMessage().contains("features column 'id' has type int"), type.getMessage());
    VaeConfig wide = SMALL.toBuilder().inputDim(DIM + 1).build();
    Exception size =
        assertThrows(
            Exception.class,
            () -> new DistributedTrainer(wide, dist, "features").fit(TrainingRequest.of(df)));
    assertTrue(
        String.valueOf(rootMessage(size))
            .contains(
                "of the training data has 10 bad rows: 0 null, 10 not of size 13, 0 with NaN or Inf"),
        rootMessage(size));
  }

  @Test
  void badRowsFailWithCountsAndFirstRowsOrAreSkipped() {
    float[] x = rows(40, 7);
    x[3 * DIM + 2] = Float.NaN; // row 3
    x[9 * DIM] = 1.5f; // row 9: outside [0, 1] for the Bernoulli likelihood
    x[20 * DIM + 5] = -0.25f; // row 20
    Dataset<Row> df = frame(x, 1);
    DistributedConfig fail =
        DistributedConfig.builder()
            .replicas(2)
            .epochs(1)
            .outerOptimizer(OuterOptimizerKind.NONE)
            .build();
    Exception e =
        assertThrows(
            Exception.class,
            () -> new DistributedTrainer(SMALL, fail, "features").fit(TrainingRequest.of(df)));
    String msg = rootMessage(e);
    assertTrue(
        msg.contains(
            "has 3 bad rows: 0 null, 0 not of size 12, 1 with NaN or Inf, 2 with values outside [0, 1]"),
        msg);
    assertTrue(msg.contains("first rows (input partition:row): 0:3, 0:9, 0:20"), msg);

    DistributedConfig skip = fail.toBuilder().setValue("badRowPolicy", "skip").build();
    TrainingResult r = new DistributedTrainer(SMALL, skip, "features").fit(TrainingRequest.of(df));
    assertEquals(
        37, r.history().get(0).examples(), "the 3 bad rows are left out, the rest used once");
    // The metrics say what was left out, by reason, and a checkpoint's history keeps it.
    assertEquals(new SkippedRows(0, 0, 1, 2), r.history().get(0).skippedTraining());
    assertEquals(SkippedRows.NONE, r.history().get(0).skippedValidation());
    String line = r.history().get(0).toJson();
    assertTrue(
        line.contains(
            "\"skipped_training_rows\":{\"total\":3,\"null\":0,\"wrong_size\":0,\"non_finite\":1,"
                + "\"out_of_range\":2}"),
        line);
    assertEquals(
        new SkippedRows(0, 0, 1, 2),
        EpochMetrics.fromJson(com.google.gson.JsonParser.parseString(line).getAsJsonObject())
            .skippedTraining());

    DistributedConfig many = fail.toBuilder().replicas(50).build();
    Exception small =
        assertThrows(
            Exception.class,
            () ->
                new DistributedTrainer(SMALL, many, "features")
                    .fit(TrainingRequest.of(frame(rows(20, 1), 2))));
    assertTrue(
        rootMessage(small).contains("only 20 usable training rows for 50 replicas"),
        rootMessage(small));
  }

  static String rootMessage(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append(c.getMessage()).append(" | ");
    }
    return sb.toString();
  }

  @Test
  void aRoundsComputeSpansOneWavePerTaskSlotsWorthOfReplicas() {
    assertEquals(
        4.0, RoundRunner.computeSpan(8.0, 8, 2), 1e-12, "8 replicas of 1 s on 2 slots: 4 waves");
    assertEquals(
        2.0, RoundRunner.computeSpan(3.0, 3, 2), 1e-12, "3 on 2 slots: the third waits for a slot");
    assertEquals(
        1.0, RoundRunner.computeSpan(2.0, 2, 4), 1e-12, "fewer replicas than slots: one wave");
    RoundRunner runner =
        new RoundRunner(
            org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext()),
            null,
            "slots",
            8,
            true,
            false);
    assertEquals(2, runner.taskSlots(), "local[2] runs two tasks at once");
  }

  @Test
  void replicasWaitingForATaskSlotAreNotCountedAsAveragingOverhead() {
    // 8 replicas on local[2]'s 2 task slots run in 4 waves. Counting only the mean replica's
    // compute
    // left at least 3/4 of every epoch as "averaging" (2 slots compute at most twice the wall
    // time).
    VaeConfig heavy = SMALL.toBuilder().encoderHidden(128, 128).decoderHidden(128, 128).build();
    int perReplica = 8 * 120;
    DistributedConfig dist =
        DistributedConfig.builder()
            .replicas(8)
            .averagingSteps(60)
            .epochs(1)
            .outerOptimizer(OuterOptimizerKind.NONE)
            .scaleOut(ScaleOut.OFF)
            .build();
    TrainingResult result =
        new DistributedTrainer(heavy, dist, "features")
            .fit(TrainingRequest.of(frame(rows(8 * perReplica, 5), 2)));
    EpochMetrics m = result.history().get(0);
    assertEquals(2, m.rounds());
    assertTrue(
        m.averagingSeconds() < 0.5 * m.seconds(),
        "replicas waiting for a slot counted as overhead: "
            + m.averagingSeconds()
            + " s of "
            + m.seconds()
            + " s");
  }

  @Test
  void aShardSplitIntoBlocksTrainsAndValidatesToTheSameBitsAsOneBlock() {
    int n = 101;
    Dataset<Row> df = frame(rows(n, 7), 2);
    long blockValues = 5L * DIM; // 5 rows a block
    List<PackedShard> split =
        DistributedTrainer.shardFrame(df, "features", 2)
            .javaRDD()
            .mapPartitions(
                it ->
                    List.of(
                            new FeatureColumn("features")
                                .pack(it, DIM, io.sparkvae.model.vae.Support.REAL, blockValues))
                        .iterator())
            .collect();
    assertEquals(n, split.get(0).rows() + split.get(1).rows());
    for (PackedShard s : split) {
      assertEquals(
          (s.rows() + 4) / 5,
          s.data().blockCount(),
          "a shard of " + s.rows() + " rows in blocks of 5");
    }

    DistributedConfig dist =
        DistributedConfig.builder()
            .replicas(2)
            .averagingSteps(2)
            .epochs(2)
            .validationFraction(0.2)
            .build();
    TrainingResult oneBlock =
        new DistributedTrainer(SMALL, dist, "features").fit(TrainingRequest.of(df));
    TrainingResult blocks;
    spark.conf().set(PackedShard.BLOCK_VALUES_CONF, String.valueOf(blockValues));
    try {
      blocks = new DistributedTrainer(SMALL, dist, "features").fit(TrainingRequest.of(df));
    } finally {
      spark.conf().unset(PackedShard.BLOCK_VALUES_CONF);
    }
    assertArrayEquals(oneBlock.state().params(), blocks.state().params());
    assertArrayEquals(oneBlock.state().adamM(), blocks.state().adamM());
    assertArrayEquals(oneBlock.state().adamV(), blocks.state().adamV());
    for (int e = 0; e < 2; e++) {
      assertEquals(
          oneBlock.history().get(e).trainNegElbo(), blocks.history().get(e).trainNegElbo(), 0.0);
      assertEquals(
          oneBlock.history().get(e).valNegElbo(), blocks.history().get(e).valNegElbo(), 0.0);
    }
  }
}
